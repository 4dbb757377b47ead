import Foundation

// MARK: - State that host layers keep per interpreter

/// Objects a host layer attaches to one interpreter, at most one per type. The language never
/// looks inside: this is how the engine keeps its context (plot sink, warnings, caches) on the
/// interpreter that owns it instead of in process-wide globals, while the language knows
/// nothing of tensors.
///
/// ```swift
/// final class Counter { var calls = 0 }
/// let c = interp.extensions.get(Counter.self) { Counter() }   // made once per interpreter
/// c.calls += 1
/// ```
public final class InterpreterExtensions {
  private var store: [ObjectIdentifier: AnyObject] = [:]
  private let lock = NSLock()

  init() {}

  /// The attached object of type `T`, made by `make` the first time it is asked for.
  public func get<T: AnyObject>(_ type: T.Type, orMake make: () -> T) -> T {
    lock.lock(); defer { lock.unlock() }
    if let o = store[ObjectIdentifier(type)] as? T { return o }
    let o = make()
    store[ObjectIdentifier(type)] = o
    return o
  }

  /// The attached object of type `T`, if any; assigning replaces (or, with nil, removes) it.
  public subscript<T: AnyObject>(_ type: T.Type) -> T? {
    get { lock.lock(); defer { lock.unlock() }; return store[ObjectIdentifier(type)] as? T }
    set { lock.lock(); defer { lock.unlock() }; store[ObjectIdentifier(type)] = newValue }
  }
}
