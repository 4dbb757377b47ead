// MARK: - Host objects

/// An engine value (tensor, hardware model, supernet, ...) exposed to scripts. Everything has a
/// default, so a minimal conformance is `typeName` plus whatever the object supports.
///
/// ```swift
/// final class Counter: HostObject {
///   var n = 0.0
///   var typeName: String { "Counter" }
///   var fieldNames: [String] { ["n"] }
///   func getField(_ name: String) throws -> Value? { name == "n" ? .number(n) : nil }
/// }
/// interpreter.define("c", .object(Counter()))   // script: print(c.n)
/// ```
public protocol HostObject: AnyObject {
  /// Shown by `type(x)` and in messages, e.g. `Tensor[2,3]`.
  var typeName: String { get }
  /// Field and method names (for REPL completion).
  var fieldNames: [String] { get }
  /// `x.name`; nil when there is no such field (methods are tried next).
  func getField(_ name: String) throws -> Value?
  /// `x.name = v`
  func setField(_ name: String, _ value: Value) throws
  /// `x.name(args)`; the returned builtin usually captures `self`.
  func method(_ name: String) -> BuiltinFunction?
  /// `x op other` (selfOnLeft) or `other op x`; nil means unsupported.
  func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value?
  /// `-x`, `!x`; nil means unsupported.
  func unary(_ op: UnaryOp) throws -> Value?
  /// `x[key]`; slices arrive as a `.range` key (`x[a:b]` is `a..<b`), several items
  /// (`x[i, a:b, :]`) as an `IndexKey` object; nil means unsupported.
  func index(_ key: Value) throws -> Value?
  /// `x[key] = v` (the same keys as `index`, `x[a:b] = v` included)
  func setIndex(_ key: Value, _ value: Value) throws
  /// Elements for `for`, `enumerate`, `map`, ...; nil when not iterable.
  func iterate() throws -> [Value]?
  /// `len(x)`; nil when the object has no length.
  func length() -> Int?
  /// Used by `if`/`while`/`&&` conditions; nil when the object is not a condition.
  func truthy() -> Bool?
  /// The object's own version of the function called `name`, or nil. The one overloading
  /// rule (see `Dispatch`): a call `name(args)` whose first host-object positional argument is
  /// this object runs the returned builtin (bound to its own signature) instead of whatever
  /// `name` is bound to, be it a builtin or a uboost function (`sum(t)`, `mean(t)`, `max(0, t)`).
  func overload(_ name: String) -> BuiltinFunction?
  /// Printed form, at most about `width` columns per line.
  func describe(width: Int) -> String
  /// `==`; defaults to identity.
  func isEqual(to other: HostObject) -> Bool
}

extension HostObject {
  public var fieldNames: [String] { [] }
  public func getField(_ name: String) throws -> Value? { nil }
  public func setField(_ name: String, _ value: Value) throws {
    throw LangError(.type, "cannot set field '\(name)' of \(typeName)")
  }
  public func method(_ name: String) -> BuiltinFunction? { nil }
  public func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? { nil }
  public func unary(_ op: UnaryOp) throws -> Value? { nil }
  public func index(_ key: Value) throws -> Value? { nil }
  public func setIndex(_ key: Value, _ value: Value) throws {
    throw LangError(.type, "\(typeName) does not support index assignment")
  }
  public func iterate() throws -> [Value]? { nil }
  public func length() -> Int? { nil }
  public func truthy() -> Bool? { nil }
  public func overload(_ name: String) -> BuiltinFunction? { nil }
  public func describe(width: Int) -> String { "<\(typeName)>" }
  public func isEqual(to other: HostObject) -> Bool { self === other }
}
