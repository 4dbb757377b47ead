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
    // A callee that is a global name is read straight from its slot (no closure call).
    var globalCallee: GlobalSlot?
    if case .variable(let name, _) = callee, case .global(let g) = resolve(name) { globalCallee = g }

    if labels.isEmpty {
      let a0 = argc > 0 ? positional[0].run : { _ in .nil_ }
      let a1 = argc > 1 ? positional[1].run : a0
      let a2 = argc > 2 ? positional[2].run : a0
      // Argument buffer reused by this call site for builtin calls (saves an allocation per call;
      // copy-on-write keeps it safe if a builtin holds on to the array).
      var scratch: [Value] = []
      // Up to three arguments go straight into a uboost closure's frame, without an array.
      @inline(__always) func call(_ fn: Value, _ f: Frame) throws -> Value {
        if case .function(let c) = fn {
          let proto = c.proto
          let n = proto.paramTargets.count
          if argc <= n {
            // Arguments are evaluated before the frame is taken, so nothing can throw while the
            // call owns a frame it has not handed to `run`.
            let u: Unmanaged<Frame>
            switch argc {
            case 0:
              u = proto.takeFrame(captures: c.captures)
            case 1:
              let v0 = try a0(f)
              if v0.isHostObject, let r = try interp.callOverload(proto, [v0], at: location) { return r }
              u = proto.takeFrame(captures: c.captures)
              u._withUnsafeGuaranteedRef { proto.setParam($0, 0, v0) }
            case 2:
              let v0 = try a0(f), v1 = try a1(f)
              if v0.isHostObject || v1.isHostObject, let r = try interp.callOverload(proto, [v0, v1], at: location) { return r }
              u = proto.takeFrame(captures: c.captures)
              u._withUnsafeGuaranteedRef {
                proto.setParam($0, 0, v0)
                proto.setParam($0, 1, v1)
              }
            case 3:
              let v0 = try a0(f), v1 = try a1(f), v2 = try a2(f)
              if v0.isHostObject || v1.isHostObject || v2.isHostObject,
                 let r = try interp.callOverload(proto, [v0, v1, v2], at: location) { return r }
              u = proto.takeFrame(captures: c.captures)
              u._withUnsafeGuaranteedRef {
                proto.setParam($0, 0, v0)
                proto.setParam($0, 1, v1)
                proto.setParam($0, 2, v2)
              }
            default:
              var vs: [Value] = []
              vs.reserveCapacity(argc)
              for p in positional { vs.append(try p.run(f)) }
              if let r = try interp.callOverload(proto, vs, at: location) { return r }
              u = proto.takeFrame(captures: c.captures)
              u._withUnsafeGuaranteedRef { frame in for i in 0..<argc { proto.setParam(frame, i, vs[i]) } }
            }
            if argc < n { try interp.fillDefaults(proto, u, from: argc, bound: nil, at: location) }
            return try interp.run(proto, u, at: location)
          }
        }
        // Take the buffer (a re-entrant call through an argument or the builtin then starts from
        // an empty one) and give it back emptied.
        var buf = scratch
        scratch = []
        defer {
          buf.removeAll(keepingCapacity: true)
          scratch = buf
        }
        for c in positional { buf.append(try c.run(f)) }
        return try interp.callValue(fn, buf, [:], at: location)
      }
      let general: ExprCode
      if let g = globalCallee {
        // Cache of the uboost function the global held at `seenVersion`: while the global is not
        // reassigned it still holds (and keeps alive) that closure, so a call with exactly its
        // parameter count uses the function without reading or retaining the closure. (A global
        // reassigned while its function runs keeps it in the graveyard; see `GlobalSlot`.)
        var seenVersion = -1
        // Set when the cached function takes exactly `argc` (at most 3) parameters in slots and
        // has no captures.
        var fastProto: Unmanaged<FunctionProto>?
        @inline(__always) func fastCall(_ proto: FunctionProto, _ f: Frame) throws -> Value {
          // Counted as running (so a reassignment of the global keeps it alive) from before the
          // arguments, which may reassign the global, to the end of the call. Calls through
          // other paths hold the closure themselves.
          proto.activations += 1
          defer { proto.activations -= 1 }
          let u: Unmanaged<Frame>
          switch argc {
          case 0:
            u = proto.takeFrame(captures: [])
          case 1:
            let v0 = try a0(f)
            if v0.isHostObject, let r = try interp.callOverload(proto, [v0], at: location) { return r }
            u = proto.takeFrame(captures: [])
            u._withUnsafeGuaranteedRef { $0.bindFresh(0, v0) }
          case 2:
            let v0 = try a0(f), v1 = try a1(f)
            if v0.isHostObject || v1.isHostObject, let r = try interp.callOverload(proto, [v0, v1], at: location) { return r }
            u = proto.takeFrame(captures: [])
            u._withUnsafeGuaranteedRef {
              $0.bindFresh(0, v0)
              $0.bindFresh(1, v1)
            }
          default:
            let v0 = try a0(f), v1 = try a1(f), v2 = try a2(f)
            if v0.isHostObject || v1.isHostObject || v2.isHostObject,
               let r = try interp.callOverload(proto, [v0, v1, v2], at: location) { return r }
            u = proto.takeFrame(captures: [])
            u._withUnsafeGuaranteedRef {
              $0.bindFresh(0, v0)
              $0.bindFresh(1, v1)
              $0.bindFresh(2, v2)
            }
          }
          return try interp.run(proto, u, at: location)
        }
        general = { f in
          if g.version == seenVersion, let p = fastProto {
            return try p._withUnsafeGuaranteedRef { try fastCall($0, f) }
          }
          guard let fn = g.value else { return try calleeCode(f) }  // throws "undefined variable"
          if g.version != seenVersion {
            fastProto = nil
            if case .function(let c) = fn {
              let p = c.proto
              if !p.hasCaptures, p.directParams, p.paramTargets.count == argc, argc <= 3 {
                fastProto = Unmanaged.passUnretained(p)
              }
            }
            seenVersion = g.version
          }
          return try call(fn, f)
        }
      } else {
        general = { f in try call(try calleeCode(f), f) }
      }
      if let g = globalCallee, let fast = compileIntrinsic(g, positional, location, fallback: general) { return fast }
      return general
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
    let defaults = try decl.params.map { p in try p.defaultValue.map { ExprBox(run: try compile($0)) } }
    let entry: ExprCode
    switch decl.body {
    case .expression(let e):
      entry = try compile(e)
    case .block(let stmts):
      let body = try compileBlock(stmts, valueMode: true)
      entry = { f in
        _ = try body(f)
        return f.ret
      }
    }
    let proto = FunctionProto(name: decl.name ?? "<anonymous>", paramNames: decl.params.map { $0.name },
                              paramTargets: targets, defaults: defaults, slotCount: scope.slotCount,
                              cellCount: scope.cellCount, entry: entry, captureSources: scope.captureSources,
                              location: loc(decl.pos))
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
      if let o = Dispatch.overload(proto.name, in: args) { return try callValue(.builtin(o), args, named, at: location) }
      guard args.count <= proto.paramTargets.count else {
        throw LangError(.argument, "\(proto.name)() takes \(proto.paramTargets.count) argument\(proto.paramTargets.count == 1 ? "" : "s"), got \(args.count)", at: location)
      }
      let u = proto.takeFrame(captures: c.captures)
      do {
        try u._withUnsafeGuaranteedRef { frame in
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
        }
      } catch {
        proto.recycle(u)
        throw error
      }
      return try run(proto, u, at: location)
    case .builtin(let b):
      // The dispatch rule: a host object among the arguments may supply its own version.
      let target = Dispatch.overload(b.name, in: args) ?? b
      let a = Arguments(function: target, positional: args, named: named, interpreter: self)
      do {
        depth += 1
        defer { depth -= 1 }
        if depth > maxCallDepth { throw recursionError() }
        return try target.invoke(a)
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

  /// The dispatch rule at a compiled call of a uboost function whose arguments include a host
  /// object: runs the receiver's overload, or returns nil (the function runs). Out of line, so
  /// the call sites' fast paths keep only the tag tests.
  @inline(never)
  func callOverload(_ proto: FunctionProto, _ args: [Value], at location: SourceLocation?) throws -> Value? {
    guard let o = Dispatch.overload(proto.name, in: args) else { return nil }
    return try callValue(.builtin(o), args, [:], at: location)
  }

  /// Evaluates defaults (in the callee's frame, so they may use earlier parameters) for every
  /// parameter not yet bound; missing required parameters are errors.
  ///
  /// Default expressions run before the callee's body (and its depth check), so they count as
  /// one nested level here: `fn f(x: f()) = x` then `f()` is a recursion error, not a native
  /// stack overflow.
  func fillDefaults(_ proto: FunctionProto, _ frame: Frame, from start: Int, bound: [Bool]?, at location: SourceLocation?) throws {
    depth += 1
    defer { depth -= 1 }
    if depth > maxCallDepth || stackIsLow() { throw recursionError(at: location) }
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
  /// Binds defaults into a frame taken with `takeFrame`; on error the frame is recycled.
  func fillDefaults(_ proto: FunctionProto, _ u: Unmanaged<Frame>, from start: Int, bound: [Bool]?, at location: SourceLocation?) throws {
    do {
      try u._withUnsafeGuaranteedRef { try fillDefaults(proto, $0, from: start, bound: bound, at: location) }
    } catch {
      proto.recycle(u)
      throw error
    }
  }

  /// Runs a function body in a frame taken with `proto.takeFrame` (and recycles the frame),
  /// enforcing the depth and stack limits and adding this activation to the call stack of any
  /// error passing through.
  @inline(__always)
  func run(_ proto: FunctionProto, _ u: Unmanaged<Frame>, at location: SourceLocation?) throws -> Value {
    depth += 1
    defer {
      depth -= 1
      proto.recycle(u)
    }
    // The stack is measured every 16 levels: 16 calls use far less than the safety margin.
    if depth > maxCallDepth || (depth & 15 == 0 && stackIsLow()) { throw recursionError(at: location) }
    try Interrupt.check(at: location)
    return try u._withUnsafeGuaranteedRef { frame in
      do {
        return try proto.entry(frame)
      } catch let t as ControlTransfer {
        if case .returnValue = t.flow {} else {
          throw LangError(.syntax, "'break' or 'continue' outside a loop", at: location)
        }
      } catch var e as LangError {
        if e.location == nil { e.location = location }
        // An error raised in stdlib code called from user code points at the user's call; where
        // the stdlib raised it stays in the message.
        if let at = e.location, at.file.isLibrary, let call = location, !call.file.isLibrary {
          if e.libraryLocation == nil { e.libraryLocation = at }
          e.location = call
        }
        if e.stack.count < 100 || e.kind != .recursion { e.stack.append(LangError.Frame(function: proto.name, callSite: location)) }
        throw e
      }
      return frame.ret
    }
  }

  func recursionError(at location: SourceLocation? = nil) -> LangError {
    LangError(.recursion, "recursion too deep (limit \(maxCallDepth) nested calls)", at: location)
  }
}
