// MARK: - Compiling statements and blocks

extension Compiler {
  /// Compiles a block in its own scope. In value mode the last statement leaves the block's value
  /// in `frame.ret` (nil when it is not an expression).
  func compileBlock(_ stmts: [Stmt], valueMode: Bool, scoped: Bool = true) throws -> StmtCode {
    if scoped { pushBlock() }
    defer { if scoped { popBlock() } }
    // Hoist local function declarations: each gets its slot or cell up front, so functions in
    // the same block can refer to each other. Captured ones get a fresh cell on block entry.
    var hoistedCells: [Int] = []
    if !scope.declaresGlobals {
      for s in stmts {
        if case .function(let d) = s, let n = d.name, scope.blocks.last?[n] == nil {
          if case .cell(let c) = scope.declare(n, mutable: false) { hoistedCells.append(c) }
        }
      }
    }
    var codes: [StmtBox] = []
    if !hoistedCells.isEmpty {
      let cells = hoistedCells
      codes.append(StmtBox { f in
        for c in cells { f.cells[c] = Cell(.nil_) }
        return .normal
      })
    }
    for (i, s) in stmts.enumerated() {
      codes.append(StmtBox(run: try compile(s, valueMode: valueMode && i == stmts.count - 1)))
    }
    if valueMode && stmts.isEmpty { return { f in f.ret = .nil_; return .normal } }
    switch codes.count {
    case 0: return { _ in .normal }
    case 1: return codes[0].run
    case 2:
      let a = codes[0].run, b = codes[1].run
      return { f in
        let fl = try a(f)
        if case .normal = fl { return try b(f) }
        return fl
      }
    default:
      return { f in
        for c in codes {
          let fl = try c.run(f)
          if case .normal = fl { continue }
          return fl
        }
        return .normal
      }
    }
  }

  func compile(_ s: Stmt, valueMode: Bool) throws -> StmtCode {
    switch s {
    case .expression(let e):
      switch e {
      case .ifElse(let c, let t, let el, let p):
        return try compileIf(c, t, el, p, valueMode: valueMode)
      case .tryCatch(let b, let n, let h, let p):
        return try compileTry(b, n, h, p, valueMode: valueMode)
      default:
        let c = try compile(e)
        if valueMode { return { f in f.ret = try c(f); return .normal } }
        return { f in _ = try c(f); return .normal }
      }
    default:
      let code = try compileStatement(s)
      if valueMode {
        return { f in
          let fl = try code(f)
          if case .normal = fl { f.ret = .nil_ }
          return fl
        }
      }
      return code
    }
  }

  private func compileStatement(_ s: Stmt) throws -> StmtCode {
    switch s {
    case .expression:
      return try compile(s, valueMode: false)
    case .binding(let pattern, let e, let mutable, _):
      let c = try compile(e)  // before declaring: `let x = x + 1` reads the outer x
      let store = try declare(pattern, mutable: mutable)
      return { f in
        try store(f, try c(f))
        return .normal
      }
    case .function(let decl):
      guard let name = decl.name else { throw compileError("function declaration needs a name", decl.pos) }
      // Local functions were hoisted by `compileBlock` (so they can call each other); global
      // ones are declared before their body is compiled so they can recurse.
      if !scope.declaresGlobals, let local = scope.blocks.last?[name] {
        let c = try compileFunction(decl)
        switch local.kind {
        case .cell(let cell):
          return { f in
            f.cells[cell].value = try c(f)
            return .normal
          }
        case .slot(let s):
          return { f in
            f[slot: s] = try c(f)
            return .normal
          }
        }
      }
      let store = declare(name, mutable: false)
      let c = try compileFunction(decl)
      return { f in
        store(f, try c(f))
        return .normal
      }
    case .assign(let target, let op, let value, let p):
      return try compileAssign(target, op, value, p)
    case .forIn(let pattern, let seq, let body, let p):
      return try compileFor(pattern, seq, body, p)
    case .whileLoop(let cond, let body, let p):
      let c = try compile(cond)
      scope.loopDepth += 1
      let b = try compileBlock(body, valueMode: false)
      scope.loopDepth -= 1
      let location = loc(p)
      return { f in
        while true {
          try Interrupt.check(at: location)
          let v = try c(f)
          let ok: Bool
          if case .bool(let x) = v { ok = x } else { ok = try Compiler.at(location) { try Ops.truth(v) } }
          if !ok { break }
          switch try Compiler.runBody(b, f) {
          case .normal, .continueLoop: continue
          case .breakLoop: return .normal
          case .returnValue: return .returnValue
          }
        }
        return .normal
      }
    case .breakLoop(let p):
      guard scope.loopDepth > 0 else { throw compileError("'break' outside a loop", p) }
      return { _ in .breakLoop }
    case .continueLoop(let p):
      guard scope.loopDepth > 0 else { throw compileError("'continue' outside a loop", p) }
      return { _ in .continueLoop }
    case .returnValue(let e, _):
      let c = try e.map { ExprBox(run: try compile($0)) }
      return { f in
        f.ret = try c?.run(f) ?? .nil_
        return .returnValue
      }
    case .throwValue(let e, let p):
      let c = try compile(e)
      let location = loc(p)
      return { f in
        let v = try c(f)
        var message: String
        switch v {
        case .string(let s): message = s
        case .record(let r): message = r["message"]?.description ?? v.repr
        default: message = v.repr
        }
        var err = LangError(.thrown, message, at: location)
        err.thrown = v
        throw err
      }
    case .importFile(let path, let p):
      let location = loc(p)
      let interp = self.interp
      let from = file.name
      return { _ in
        try interp.importFile(path, relativeTo: from, at: location)
        return .normal
      }
    }
  }

  /// Runs a loop body, folding a `break`/`continue` thrown out of an expression block into the
  /// flow it stands for.
  @inline(__always)
  static func runBody(_ body: StmtCode, _ f: Frame) throws -> Flow {
    do { return try body(f) } catch let t as ControlTransfer {
      switch t.flow {
      case .breakLoop, .continueLoop: return t.flow
      case .normal, .returnValue: throw t
      }
    }
  }

  // MARK: if / try

  func compileIf(_ cond: Expr, _ then: [Stmt], _ els: [Stmt]?, _ p: Pos, valueMode: Bool) throws -> StmtCode {
    let c = try compile(cond)
    let t = try compileBlock(then, valueMode: valueMode)
    let e = try els.map { StmtBox(run: try compileBlock($0, valueMode: valueMode)) }
    let location = loc(p)
    return { f in
      let v = try c(f)
      let ok: Bool
      if case .bool(let b) = v { ok = b } else { ok = try Compiler.at(location) { try Ops.truth(v) } }
      if ok { return try t(f) }
      if let e = e { return try e.run(f) }
      if valueMode { f.ret = .nil_ }
      return .normal
    }
  }

  func compileTry(_ body: [Stmt], _ name: String?, _ handler: [Stmt], _ p: Pos, valueMode: Bool) throws -> StmtCode {
    let b = try compileBlock(body, valueMode: valueMode)
    pushBlock()
    let store = name.map { PatternStore(run: declare($0, mutable: false)) }
    let h = try compileBlock(handler, valueMode: valueMode)
    popBlock()
    let interp = self.interp
    return { f in
      let savedDepth = interp.depth
      do {
        return try b(f)
      } catch let e as LangError where e.isCatchable {
        interp.depth = savedDepth
        store?.run(f, e.asRecord)
        return try h(f)
      }
    }
  }

  // MARK: Assignment

  func compileAssign(_ target: Expr, _ op: BinaryOp?, _ value: Expr, _ p: Pos) throws -> StmtCode {
    let v = try compile(value)
    let location = loc(p)
    // Combines the old and new values for compound assignment.
    func combine(_ old: Value, _ new: Value) throws -> Value {
      guard let op = op else { return new }
      if case .number(let x) = old, case .number(let y) = new { return Ops.numeric(op, x, y) }
      return try Compiler.at(location) { try Ops.binary(op, old, new) }
    }
    switch target {
    case .variable(let name, let vp):
      switch resolve(name) {
      case .local(let kind, let mutable):
        guard mutable else { throw constError(name, vp) }
        switch kind {
        case .slot(let s):
          if op == nil { return { f in f[slot: s] = try v(f); return .normal } }
          if op == .add {  // `s += x`, the usual accumulator, without the operator dispatch
            return { f in
              let n = try v(f)
              let done: Bool = f.withUnsafeMutablePointerToElements { p in
                guard case .number(let x) = p[s], case .number(let y) = n else { return false }
                (p + s).initialize(to: .number(x + y))
                return true
              }
              if !done { f[slot: s] = try combine(f[slot: s], n) }
              return .normal
            }
          }
          return { f in
            let n = try v(f)
            f[slot: s] = try combine(f[slot: s], n)
            return .normal
          }
        case .cell(let c):
          return { f in
            let n = try v(f)
            f.cells[c].value = try combine(f.cells[c].value, n)
            return .normal
          }
        }
      case .capture(let i, let mutable):
        guard mutable else { throw constError(name, vp) }
        return { f in
          let n = try v(f)
          f.captures[i].value = try combine(f.captures[i].value, n)
          return .normal
        }
      case .global(let g):
        let targetLoc = loc(vp)
        // Mutability of globals is checked when the assignment runs: in the REPL a later input
        // may redeclare a `let` as a `var` before this code executes.
        return { f in
          let n = try v(f)
          guard let old = g.value else {
            throw LangError(.name, "undefined variable '\(name)' (declare it with 'var \(name) = ...')", at: targetLoc)
          }
          guard g.mutable else {
            throw LangError(.name, "cannot assign to '\(name)': it is a constant (declared with 'let')", at: targetLoc)
          }
          g.value = try combine(old, n)
          return .normal
        }
      }
    case .field(let objExpr, let name, _):
      let o = try compile(objExpr)
      return { f in
        let obj = try o(f)
        let n = try v(f)
        let new = op == nil ? n : try combine(try Compiler.at(location) { try Access.field(obj, name) }, n)
        try Compiler.at(location) { try Access.setField(obj, name, new) }
        return .normal
      }
    case .index(let objExpr, let keyExpr, _):
      let o = try compile(objExpr), k = try compile(keyExpr)
      return { f in
        let obj = try o(f), key = try k(f)
        let n = try v(f)
        let new = op == nil ? n : try combine(try Compiler.at(location) { try Access.index(obj, key) }, n)
        try Compiler.at(location) { try Access.setIndex(obj, key, new) }
        return .normal
      }
    case .slice(let objExpr, let loExpr, let hiExpr, _):
      let o = try compile(objExpr)
      let lo = try loExpr.map { ExprBox(run: try compile($0)) }, hi = try hiExpr.map { ExprBox(run: try compile($0)) }
      return { f in
        let obj = try o(f)
        let a = try lo?.run(f), b = try hi?.run(f)
        let n = try v(f)
        let new = op == nil ? n : try combine(try Compiler.at(location) { try Access.slice(obj, a, b) }, n)
        try Compiler.at(location) { try Access.setSlice(obj, a, b, new) }
        return .normal
      }
    case .multiIndex(let objExpr, let items, _):
      let o = try compile(objExpr)
      let key = try compileIndexItems(items)
      return { f in
        let obj = try o(f), k = try key(f)
        let n = try v(f)
        let new = op == nil ? n : try combine(try Compiler.at(location) { try Access.multiIndex(obj, k) }, n)
        try Compiler.at(location) { try Access.setMultiIndex(obj, k, new) }
        return .normal
      }
    default:
      throw compileError("cannot assign to this expression", p)
    }
  }

  /// The items of `x[a, b:c, :]`, evaluated left to right into one `IndexKey`.
  func compileIndexItems(_ items: [IndexItemExpr]) throws -> (Frame) throws -> IndexKey {
    enum Item { case at(ExprBox), slice(ExprBox?, ExprBox?) }
    let compiled: [Item] = try items.map { item in
      switch item {
      case .at(let e): return .at(ExprBox(run: try compile(e)))
      case .slice(let a, let b):
        return .slice(try a.map { ExprBox(run: try compile($0)) }, try b.map { ExprBox(run: try compile($0)) })
      }
    }
    return { f in
      var out: [IndexItem] = []
      out.reserveCapacity(compiled.count)
      for c in compiled {
        switch c {
        case .at(let e): out.append(.at(try e.run(f)))
        case .slice(let a, let b): out.append(.slice(try a?.run(f), try b?.run(f)))
        }
      }
      return IndexKey(out)
    }
  }

  func constError(_ name: String, _ p: Pos) -> LangError {
    compileError("cannot assign to '\(name)': it is a constant (declared with 'let'); use 'var' for variables", p)
  }
}
