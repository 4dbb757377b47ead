// MARK: - Compiling for loops

extension Compiler {
  func compileFor(_ pattern: Pattern, _ seq: Expr, _ body: [Stmt], _ p: Pos) throws -> StmtCode {
    let seqCode = try compile(seq)
    let location = loc(p)
    pushBlock()
    defer { popBlock() }
    let store = try declare(pattern, mutable: false)
    // A plain name bound to a slot gets a dedicated numeric loop below.
    var slot: Int?
    if case .name(let n, _) = pattern, !scope.declaresGlobals, case .slot(let s)? = scope.findLocal(n)?.kind {
      slot = s
    }
    scope.loopDepth += 1
    let b = try compileBlock(body, valueMode: false)
    scope.loopDepth -= 1

    return { f in
      let s = try seqCode(f)
      if case .range(let r) = s {
        let n = r.count
        var i = 0
        while i < n {
          try Interrupt.check(at: location)
          let x = Value.number(r.start + Double(i) * r.step)
          if let slot = slot { f[slot: slot] = x } else { try store(f, x) }
          switch try Compiler.runBody(b, f) {
          case .normal, .continueLoop: break
          case .breakLoop: return .normal
          case .returnValue: return .returnValue
          }
          i += 1
        }
        return .normal
      }
      guard let items = try Compiler.at(location, { try Interpreter.elements(of: s) }) else {
        throw LangError(.type, "cannot iterate over \(s.typeName)", at: location)
      }
      for x in items {
        try Interrupt.check(at: location)
        if let slot = slot { f[slot: slot] = x } else { try store(f, x) }
        switch try Compiler.runBody(b, f) {
        case .normal, .continueLoop: continue
        case .breakLoop: return .normal
        case .returnValue: return .returnValue
        }
      }
      return .normal
    }
  }
}
