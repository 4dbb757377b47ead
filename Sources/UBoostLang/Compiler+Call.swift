// MARK: - Compiling calls and function literals

extension Compiler {
  func compileCall(_ callee: Expr, _ args: [Argument], _ p: Pos) throws -> ExprCode {
    let location = loc(p)
    let positional = try args.filter { $0.label == nil }.map { ExprBox(run: try compile($0.value)) }
    let labels = args.compactMap { $0.label }
    let namedCodes = try args.filter { $0.label != nil }.map { ExprBox(run: try compile($0.value)) }
    let interp = self.interp
    let argc = positional.count

    // `obj.name(args)`: a record field, a host method, or (uniform call syntax) a global
    // function `name(obj, args)`.
    if case .field(let objExpr, let name, _) = callee {
      let objCode = try compile(objExpr)
      let globalSlot = interp.globalTable.slot(name)
      return { f in
        let obj = try objCode(f)
        var args: [Value] = []
        args.reserveCapacity(argc + 1)
        for c in positional { args.append(try c.run(f)) }
        var named: [String: Value] = [:]
        for i in 0..<labels.count { named[labels[i]] = try namedCodes[i].run(f) }
        switch obj {
        case .record(let r):
          if let fn = r[name] { return try interp.callValue(fn, args, named, at: location) }
        case .object(let o):
          if let m = o.method(name) { return try interp.callValue(.builtin(m), args, named, at: location) }
          if let fn = try Compiler.at(location, { try o.getField(name) }) {
            return try interp.callValue(fn, args, named, at: location)
          }
        case .nil_, .number, .bool, .string, .list, .range, .function, .builtin:
          break
        }
        if let fn = globalSlot.value, fn.isCallable {
          args.insert(obj, at: 0)
          return try interp.callValue(fn, args, named, at: location)
        }
        throw LangError(.name, "\(obj.typeName) has no method '\(name)'", at: location)
      }
    }

    let calleeCode = try compile(callee)
    // Specialised fast paths for one and two positional arguments: a uboost closure gets its
    // frame filled directly, without an argument array.
    if labels.isEmpty, argc == 1 || argc == 2 {
      let a0 = positional[0].run
      let a1 = argc == 2 ? positional[1].run : a0
      // Argument buffer reused by this call site for builtin calls (saves an allocation per call;
      // copy-on-write keeps it safe if a builtin holds on to the array).
      var scratch: [Value] = []
      return { f in
        let fn = try calleeCode(f)
        if case .function(let c) = fn {
          let proto = c.proto
          let n = proto.paramTargets.count
          if argc <= n {
            let frame = proto.frame(captures: c.captures)
            proto.setParam(frame, 0, try a0(f))
            if argc == 2 { proto.setParam(frame, 1, try a1(f)) }
            if argc < n { try interp.fillDefaults(proto, frame, from: argc, bound: nil, at: location) }
            return try interp.run(c, frame, at: location)
          }
        }
        // Evaluate first: an argument may re-enter this same call site.
        let v0 = try a0(f)
        let v1 = argc == 2 ? try a1(f) : .nil_
        // Take the buffer (a re-entrant call through the builtin then starts from an empty one)
        // and give it back emptied.
        var buf = scratch
        scratch = []
        defer {
          buf.removeAll(keepingCapacity: true)
          scratch = buf
        }
        buf.append(v0)
        if argc == 2 { buf.append(v1) }
        return try interp.callValue(fn, buf, [:], at: location)
      }
    }
    if labels.isEmpty {
      // Fast path: a uboost closure called with positional arguments fills its frame directly.
      return { f in
        let fn = try calleeCode(f)
        if case .function(let c) = fn, argc <= c.proto.paramTargets.count {
          let proto = c.proto
          let frame = proto.frame(captures: c.captures)
          for i in 0..<argc { proto.setParam(frame, i, try positional[i].run(f)) }
          if argc < proto.paramTargets.count { try interp.fillDefaults(proto, frame, from: argc, bound: nil, at: location) }
          return try interp.run(c, frame, at: location)
        }
        var args: [Value] = []
        args.reserveCapacity(argc)
        for c in positional { args.append(try c.run(f)) }
        return try interp.callValue(fn, args, [:], at: location)
      }
    }
    return { f in
      let fn = try calleeCode(f)
      var args: [Value] = []
      args.reserveCapacity(argc)
      for c in positional { args.append(try c.run(f)) }
      var named: [String: Value] = [:]
      for i in 0..<labels.count { named[labels[i]] = try namedCodes[i].run(f) }
      return try interp.callValue(fn, args, named, at: location)
    }
  }

  // MARK: Function literals

  func compileFunction(_ decl: FunctionDecl) throws -> ExprCode {
    let proto = try compileProto(decl)
    let sources = proto.captureSources
    if sources.isEmpty {
      return { _ in .function(Closure(proto: proto, captures: [])) }
    }
    return { f in
      var caps = ContiguousArray<Cell>()
      caps.reserveCapacity(sources.count)
      for s in sources {
        switch s {
        case .cell(let c): caps.append(f.cells[c])
        case .capture(let c): caps.append(f.captures[c])
        }
      }
      return .function(Closure(proto: proto, captures: caps))
    }
  }

  func compileProto(_ decl: FunctionDecl) throws -> FunctionProto {
    var captured = Set<String>()
    switch decl.body {
    case .expression(let e): captured = CaptureAnalysis.namesInNestedFunctions(e)
    case .block(let b): captured = CaptureAnalysis.namesInNestedFunctions(b)
    }
    for p in decl.params { if let d = p.defaultValue { captured.formUnion(CaptureAnalysis.namesInNestedFunctions(d)) } }
    let outer = scope
    scope = FunctionScope(parent: outer, isScript: false, capturedNames: captured)
    defer { scope = outer }
    let targets = decl.params.map { scope.declare($0.name, mutable: true) }
    let proto = FunctionProto(name: decl.name ?? "<anonymous>", paramNames: decl.params.map { $0.name },
                              paramTargets: targets, location: loc(decl.pos))
    proto.defaults = try decl.params.map { p in try p.defaultValue.map { ExprBox(run: try compile($0)) } }
    switch decl.body {
    case .expression(let e):
      let c = try compile(e)
      proto.expressionBody = ExprBox(run: c)
      proto.body = { f in
        f.ret = try c(f)
        return .returnValue
      }
    case .block(let stmts):
      proto.body = try compileBlock(stmts, valueMode: true)
    }
    proto.slotCount = scope.slotCount
    proto.cellCount = scope.cellCount
    proto.captureSources = scope.captureSources
    return proto
  }
}

// MARK: - Calling

extension Interpreter {
  /// Calls any callable value with the source location of the call site for error reporting.
  func callValue(_ fn: Value, _ args: [Value], _ named: [String: Value], at location: SourceLocation?) throws -> Value {
    switch fn {
    case .function(let c):
      let proto = c.proto
      guard args.count <= proto.paramTargets.count else {
        throw LangError(.argument, "\(proto.name)() takes \(proto.paramTargets.count) argument\(proto.paramTargets.count == 1 ? "" : "s"), got \(args.count)", at: location)
      }
      let frame = proto.frame(captures: c.captures)
      for i in 0..<args.count { proto.setParam(frame, i, args[i]) }
      var bound: [Bool]?
      if !named.isEmpty {
        var b = [Bool](repeating: false, count: proto.paramTargets.count)
        for i in 0..<args.count { b[i] = true }
        for (k, v) in named {
          guard let i = proto.paramIndex[k] else {
            throw LangError(.argument, "\(proto.name)() has no parameter '\(k)' (parameters: \(proto.paramNames.joined(separator: ", ")))", at: location)
          }
          if b[i] { throw LangError(.argument, "\(proto.name)(): argument '\(k)' given twice", at: location) }
          b[i] = true
          proto.setParam(frame, i, v)
        }
        bound = b
      }
      if args.count < proto.paramTargets.count || bound != nil {
        try fillDefaults(proto, frame, from: args.count, bound: bound, at: location)
      }
      return try run(c, frame, at: location)
    case .builtin(let b):
      let a = Arguments(function: b, positional: args, named: named, interpreter: self)
      do {
        depth += 1
        defer { depth -= 1 }
        if depth > maxCallDepth { throw recursionError() }
        return try b.invoke(a)
      } catch var e as LangError {
        if e.location == nil { e.location = location }
        throw e
      }
    case .object(let o):
      if let m = o.method("call") { return try callValue(.builtin(m), args, named, at: location) }
      throw LangError(.type, "\(o.typeName) is not callable", at: location)
    case .nil_, .number, .bool, .string, .list, .record, .range:
      throw LangError(.type, "\(fn.typeName) is not callable", at: location)
    }
  }

  /// Evaluates defaults (in the callee's frame, so they may use earlier parameters) for every
  /// parameter not yet bound; missing required parameters are errors.
  func fillDefaults(_ proto: FunctionProto, _ frame: Frame, from start: Int, bound: [Bool]?, at location: SourceLocation?) throws {
    for i in 0..<proto.paramTargets.count {
      if let b = bound { if b[i] { continue } } else if i < start { continue }
      guard let d = proto.defaults[i] else {
        throw LangError(.argument, "\(proto.name)(): missing argument '\(proto.paramNames[i])'", at: location)
      }
      proto.setParam(frame, i, try d.run(frame))
    }
  }

  /// Runs a closure body in a prepared frame, enforcing the depth and stack limits and adding
  /// this activation to the call stack of any error passing through.
  func run(_ c: Closure, _ frame: Frame, at location: SourceLocation?) throws -> Value {
    depth += 1
    defer {
      depth -= 1
      c.proto.recycle(frame)
    }
    // The stack is measured every 16 levels: 16 calls use far less than the safety margin.
    if depth > maxCallDepth || (depth & 15 == 0 && stackIsLow()) { throw recursionError(at: location) }
    try Interrupt.check()
    do {
      if let e = c.proto.expressionBody { return try e.run(frame) }
      _ = try c.proto.body(frame)
    } catch let t as ControlTransfer {
      if case .returnValue = t.flow {} else {
        throw LangError(.syntax, "'break' or 'continue' outside a loop", at: location)
      }
    } catch var e as LangError {
      if e.location == nil { e.location = location }
      if e.stack.count < 100 || e.kind != .recursion { e.stack.append(LangError.Frame(function: c.proto.name, callSite: location)) }
      throw e
    }
    return frame.ret
  }

  func recursionError(at location: SourceLocation? = nil) -> LangError {
    LangError(.recursion, "recursion too deep (limit \(maxCallDepth) nested calls)", at: location)
  }
}
