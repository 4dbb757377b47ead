// MARK: - Intrinsics: inline forms of hot core builtins
//
// `append(xs, v)`, `push(xs, v)` and `len(x)` run in every list-building loop; a full builtin
// call (argument array, `Arguments`, signature lookup) costs several times the work itself.

/// Core builtins that compiled call sites may inline (see `Compiler.compileIntrinsic`).
enum Intrinsics {
  static let byName: [String: BuiltinFunction] = {
    var out: [String: BuiltinFunction] = [:]
    for f in CoreLibraries.core.entries where ["append", "push", "len"].contains(f.name) { out[f.name] = f }
    return out
  }()
  static func core(_ name: String) -> BuiltinFunction? { byName[name] }
}

/// Whether a global still holds a given core builtin, re-checked by identity only when the
/// global's version changes (rebinding the name or registering a replacement).
final class CoreBinding {
  private let slot: GlobalSlot
  private let core: BuiltinFunction
  private var seenVersion = -1
  private var isCore = false

  init(_ slot: GlobalSlot, _ core: BuiltinFunction) {
    self.slot = slot
    self.core = core
  }

  var holds: Bool {
    @inline(__always) get {
      if slot.version != seenVersion {
        seenVersion = slot.version
        if case .builtin(let b)? = slot.value, b === core { isCore = true } else { isCore = false }
      }
      return isCore
    }
  }
}

extension LangError {
  /// This error with `location` filled in when it has none.
  func located(_ l: SourceLocation) -> LangError {
    var e = self
    if e.location == nil { e.location = l }
    return e
  }
}

extension Compiler {
  /// Inline forms of `append(xs, v)`, `push(xs, v)` and `len(x)`, used while the global still
  /// holds the core builtin (checked by identity whenever the global's version changes, so
  /// rebinding the name or registering a replacement takes effect at once). They decide
  /// nothing about what a name means: a host object among the arguments (which the dispatch
  /// rule would ask for an overload, see `Dispatch`), a non-list or the call-depth limit
  /// reached goes through the ordinary call, so results and errors are exactly the builtin's.
  func compileIntrinsic(_ g: GlobalSlot, _ args: [ExprBox], _ location: SourceLocation,
                        fallback: @escaping ExprCode) -> ExprCode? {
    let interp = self.interp
    switch (g.name, args.count) {
    case ("append", 2), ("push", 2):
      guard let core = Intrinsics.core(g.name) else { return nil }
      let a0 = args[0].run, a1 = args[1].run
      let still = CoreBinding(g, core)
      return { f in
        guard still.holds else { return try fallback(f) }
        let b = core
        let xs = try a0(f), v = try a1(f)
        if case .list(let l) = xs, interp.depth < interp.maxCallDepth {
          if case .object = v {} else {
            guard l.items.count < Ops.maxElements else { throw Ops.tooBig().located(location) }
            l.items.append(v)
            return xs
          }
        }
        return try interp.callValue(.builtin(b), [xs, v], [:], at: location)
      }
    case ("len", 1):
      guard let core = Intrinsics.core(g.name) else { return nil }
      let a0 = args[0].run
      let still = CoreBinding(g, core)
      return { f in
        guard still.holds else { return try fallback(f) }
        let b = core
        let x = try a0(f)
        if interp.depth < interp.maxCallDepth {
          switch x {
          case .list(let l): return .number(Double(l.items.count))
          case .record(let r): return .number(Double(r.count))
          case .range(let r): return .number(Double(r.count))
          case .nil_, .number, .bool, .string, .function, .builtin, .object: break
          }
        }
        return try interp.callValue(.builtin(b), [x], [:], at: location)
      }
    default:
      return nil
    }
  }

}
