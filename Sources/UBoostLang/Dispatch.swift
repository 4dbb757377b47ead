// MARK: - The one overloading rule
//
// A name means one thing: the global (or local) it is bound to. The only exception is the
// receiver: in a call `f(a, b, ...)` the first positional argument that is a host object is
// asked `overload(f's name)`; when it has its own version, that version runs with the call's
// arguments (bound to its own signature), whether `f` is a builtin or a uboost function.
// Otherwise `f` runs. So `sum(t)`, `mean(t)`, `exp(t)` and `max(0, t)` reach the tensor
// versions, `sum([1, 2])` and `mean(xs)` the language's, and nothing wraps or replaces the
// language's definitions. `x.f(args)` is the receiver's method, else `f(x, args)`, which
// follows the same rule. Inlined builtins (`Intrinsics`) only run their inline form when no
// host object is among the arguments, so they never bypass the rule.

/// Finds the receiver's overload for a call (see the rule above).
///
/// ```swift
/// if let o = Dispatch.overload("sum", in: [.object(t)]) { ... }   // the tensor's sum
/// ```
enum Dispatch {
  /// The first host object among `args` decides; nil when there is none or it has no overload.
  @inline(__always)
  static func overload(_ name: String, in args: [Value]) -> BuiltinFunction? {
    for v in args { if case .object(let o) = v { return o.overload(name) } }
    return nil
  }
}

extension Value {
  /// Whether this is a host object (the cheap test call sites make before asking for an overload).
  @inline(__always) var isHostObject: Bool {
    if case .object = self { return true }
    return false
  }
}
