// MARK: - Compiling expressions

extension Compiler {
  /// Runs `body`, attaching `location` to errors that do not have one yet.
  @inline(__always)
  static func at<T>(_ location: SourceLocation, _ body: () throws -> T) throws -> T {
    do { return try body() } catch var e as LangError {
      if e.location == nil { e.location = location }
      throw e
    }
  }

  func compile(_ e: Expr) throws -> ExprCode {
    switch e {
    case .number(let d, _):
      let v = Value.number(d)
      return { _ in v }
    case .string(let s, _):
      let v = Value.string(s)
      return { _ in v }
    case .bool(let b, _):
      let v = Value.bool(b)
      return { _ in v }
    case .nil_:
      return { _ in .nil_ }
    case .interpolation(let parts, _):
      return try compileInterpolation(parts)
    case .variable(let name, let p):
      return compileVariable(name, p)
    case .list(let items, _):
      let codes = try items.map { ExprBox(run: try compile($0)) }
      return { f in
        var out: [Value] = []
        out.reserveCapacity(codes.count)
        for c in codes { out.append(try c.run(f)) }
        return .list(ListBox(out))
      }
    case .record(let fields, _):
      let keys = fields.map { $0.0 }
      let codes = try fields.map { ExprBox(run: try compile($0.1)) }
      return { f in
        let r = RecordBox()
        for i in 0..<keys.count { r[keys[i]] = try codes[i].run(f) }
        return .record(r)
      }
    case .unary(let op, let x, let p):
      let c = try compile(x)
      let location = loc(p)
      switch op {
      case .neg:
        return { f in
          let v = try c(f)
          if case .number(let d) = v { return .number(-d) }
          return try Compiler.at(location) { try Ops.unary(.neg, v) }
        }
      case .not:
        return { f in
          let v = try c(f)
          if case .bool(let b) = v { return .bool(!b) }
          return try Compiler.at(location) { try Ops.unary(.not, v) }
        }
      }
    case .binary(let op, let a, let b, let p):
      return try compileBinary(op, a, b, p)
    case .logical(let op, let a, let b, let p):
      let ca = try compile(a), cb = try compile(b)
      let location = loc(p)
      switch op {
      case .and:
        return { f in
          guard try Compiler.truth(try ca(f), location) else { return .bool(false) }
          return .bool(try Compiler.truth(try cb(f), location))
        }
      case .or:
        return { f in
          if try Compiler.truth(try ca(f), location) { return .bool(true) }
          return .bool(try Compiler.truth(try cb(f), location))
        }
      case .coalesce:
        return { f in
          let x = try ca(f)
          return x.isNil ? try cb(f) : x
        }
      }
    case .range(let a, let b, let inclusive, let step, let p):
      let ca = try compile(a), cb = try compile(b)
      let cs = try step.map { ExprBox(run: try compile($0)) }
      let location = loc(p)
      return { f in
        let x = try ca(f), y = try cb(f)
        let s = try cs?.run(f) ?? .number(1)
        guard case .number(let lo) = x, case .number(let hi) = y, case .number(let st) = s else {
          throw LangError(.type, "range bounds and step must be numbers, got \(x.typeName), \(y.typeName), \(s.typeName)", at: location)
        }
        return .range(try Compiler.at(location) { try RangeValue(start: lo, end: hi, step: st, inclusive: inclusive) })
      }
    case .call(let callee, let args, let p):
      return try compileCall(callee, args, p)
    case .pipe(let x, let rhs, let p):
      // x |> f(a, b) is f(x, a, b); x |> f is f(x).
      if case .call(let callee, let args, let cp) = rhs {
        return try compileCall(callee, [Argument(label: nil, value: x)] + args, cp)
      }
      return try compileCall(rhs, [Argument(label: nil, value: x)], p)
    case .field(let x, let name, let p):
      let c = try compile(x)
      let location = loc(p)
      var hint = 0  // per-site cache of the field's position
      return { f in
        let v = try c(f)
        if case .record(let r) = v, let x = r.value(name, hint: &hint) { return x }
        return try Compiler.at(location) { try Access.field(v, name) }
      }
    case .index(let x, let i, let p):
      let cx = try compile(x), ci = try compile(i)
      let location = loc(p)
      let strings = StringIndex()
      return { f in
        let v = try cx(f), k = try ci(f)
        if case .list(let l) = v, case .number(let d) = k, let i = Int(exactly: d), i >= 0, i < l.items.count {
          return l.items[i]
        }
        if case .string(let s) = v { return try Compiler.at(location) { try strings.character(s, k) } }
        return try Compiler.at(location) { try Access.index(v, k) }
      }
    case .slice(let x, let a, let b, let p):
      let cx = try compile(x)
      let ca = try a.map { ExprBox(run: try compile($0)) }, cb = try b.map { ExprBox(run: try compile($0)) }
      let location = loc(p)
      return { f in
        let v = try cx(f)
        let lo = try ca?.run(f), hi = try cb?.run(f)
        return try Compiler.at(location) { try Access.slice(v, lo, hi) }
      }
    case .multiIndex(let x, let items, let p):
      let cx = try compile(x)
      let key = try compileIndexItems(items)
      let location = loc(p)
      return { f in
        let v = try cx(f), k = try key(f)
        return try Compiler.at(location) { try Access.multiIndex(v, k) }
      }
    case .function(let decl):
      return try compileFunction(decl)
    case .ifElse(let cond, let then, let els, let p):
      if case let t?? = try branchExpression(then), case let e? = try branchExpression(els) {
        let c = try compile(cond)
        let location = loc(p)
        if let e = e {
          return { f in try Compiler.truth(try c(f), location) ? try t(f) : try e(f) }
        }
        return { f in try Compiler.truth(try c(f), location) ? try t(f) : .nil_ }
      }
      let code = try compileIf(cond, then, els, p, valueMode: true)
      return Compiler.blockValue(code)
    case .tryCatch(let body, let name, let handler, let p):
      let code = try compileTry(body, name, handler, p, valueMode: true)
      return Compiler.blockValue(code)
    }
  }

  /// A condition's truth with the common bool case inline.
  @inline(__always)
  static func truth(_ v: Value, _ location: SourceLocation) throws -> Bool {
    if case .bool(let b) = v { return b }
    return try Compiler.at(location) { try Ops.truth(v) }
  }

  /// The code of a branch that is a single expression (no statements), compiled as a plain
  /// expression so `if c { a } else { b }` in expression position avoids the statement machinery.
  func branchExpression(_ stmts: [Stmt]?) throws -> ExprCode?? {
    guard let stmts = stmts else { return .some(nil) }
    guard stmts.count == 1, case .expression(let e) = stmts[0] else { return nil }
    pushBlock()
    defer { popBlock() }
    return .some(try compile(e))
  }

  /// Turns a value-mode statement into an expression: its value is left in `frame.ret`.
  static func blockValue(_ code: @escaping StmtCode) -> ExprCode {
    return { f in
      let flow = try code(f)
      if case .normal = flow { return f.ret }
      throw ControlTransfer(flow: flow)
    }
  }

  // MARK: Variables

  func compileVariable(_ name: String, _ p: Pos) -> ExprCode {
    switch resolve(name) {
    case .local(.slot(let s), _):
      // Numbers are read without the generic copy (which switches over every payload kind).
      return { f in
        f.withUnsafeMutablePointerToElements { p in
          if case .number(let d) = p[s] { return .number(d) }
          return p[s]
        }
      }
    case .local(.cell(let c), _):
      return { f in f.cells[c].value }
    case .capture(let i, _):
      return { f in f.captures[i].value }
    case .global(let g):
      let location = loc(p)
      return { _ in
        if let v = g.value { return v }
        throw LangError(.name, "undefined variable '\(name)'", at: location)
      }
    }
  }

  // MARK: Strings

  func compileInterpolation(_ parts: [InterpolationPart]) throws -> ExprCode {
    enum Piece {
      case text(String)
      case code(ExprCode)
    }
    let pieces: [Piece] = try parts.map { part in
      switch part {
      case .text(let s): return .text(s)
      case .expr(let e): return .code(try compile(e))
      }
    }
    return { f in
      var s = ""
      for piece in pieces {
        switch piece {
        case .text(let t): s += t
        case .code(let c): s += try c(f).description
        }
        if s.utf8.count > Ops.maxElements { throw Ops.tooBig() }
      }
      return .string(s)
    }
  }

  // MARK: Arithmetic

  func compileBinary(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ p: Pos) throws -> ExprCode {
    if let fused = fusedBinary(op, a, b, p) { return fused }
    let ca = try compile(a), cb = try compile(b)
    let location = loc(p)
    @inline(__always) func slow(_ x: Value, _ y: Value) throws -> Value {
      try Compiler.at(location) { try Ops.binary(op, x, y) }
    }
    // Specialised closures keep the number-number case free of dispatch.
    switch op {
    case .add:
      if case .number(let k, _) = b {
        return { f in
          let x = try ca(f)
          if case .number(let u) = x { return .number(u + k) }
          return try slow(x, .number(k))
        }
      }
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .number(u + v) }
        return try slow(x, y)
      }
    case .sub:
      if case .number(let k, _) = b {
        return { f in
          let x = try ca(f)
          if case .number(let u) = x { return .number(u - k) }
          return try slow(x, .number(k))
        }
      }
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .number(u - v) }
        return try slow(x, y)
      }
    case .mul:
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .number(u * v) }
        return try slow(x, y)
      }
    case .div:
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .number(u / v) }
        return try slow(x, y)
      }
    case .lt:
      if case .number(let k, _) = b {
        return { f in
          let x = try ca(f)
          if case .number(let u) = x { return .bool(u < k) }
          return try slow(x, .number(k))
        }
      }
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .bool(u < v) }
        return try slow(x, y)
      }
    case .le:
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .bool(u <= v) }
        return try slow(x, y)
      }
    case .gt:
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .bool(u > v) }
        return try slow(x, y)
      }
    case .ge:
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .bool(u >= v) }
        return try slow(x, y)
      }
    case .eq:
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .bool(u == v) }
        return try slow(x, y)
      }
    case .ne:
      return { f in
        let x = try ca(f), y = try cb(f)
        if case .number(let u) = x, case .number(let v) = y { return .bool(u != v) }
        return try slow(x, y)
      }
    case .mod, .pow, .matmul:
      return { f in
        let x = try ca(f), y = try cb(f)
        if op != .matmul, case .number(let u) = x, case .number(let v) = y { return Ops.numeric(op, u, v) }
        return try slow(x, y)
      }
    }
  }
}
