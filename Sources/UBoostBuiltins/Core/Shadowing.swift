import Foundation
import UBoostLang

// MARK: - Engine builtins over names the language already defines
//
// The language defines `sum`, `max`, `min` (core builtins) and list helpers such as `mean(xs)`
// and `softmax(xs, t:)` (stdlib functions); the engine defines tensor versions with the same
// names. The engine version is registered (so `:help` shows it) as a wrapper that runs the
// tensor implementation when a tensor is among the arguments and forwards every other call to
// the definition it replaced. The replaced definition is captured at install time and kept in
// the interpreter's engine context (`EngineContext.shadows`), so installing twice into one
// interpreter still forwards to the language's version, never to itself, and the record goes
// away with the interpreter.

/// The replaced definitions behind one interpreter's wrappers. Each wrapper is kept alive with
/// its entry so its identifier is never reused by another function while the entry exists.
final class ShadowTable {
  private var shadows: [ObjectIdentifier: (wrapper: BuiltinFunction, shadow: Value)] = [:]
  private let lock = NSLock()

  /// What `wrapper` forwards to, if it is one of this interpreter's wrappers.
  func shadow(of wrapper: BuiltinFunction) -> Value? {
    lock.lock(); defer { lock.unlock() }
    guard let s = shadows[ObjectIdentifier(wrapper)], s.wrapper === wrapper else { return nil }
    return s.shadow
  }

  func record(_ wrapper: BuiltinFunction, forwardsTo shadow: Value) {
    lock.lock(); shadows[ObjectIdentifier(wrapper)] = (wrapper, shadow); lock.unlock()
  }

  /// How many wrappers this interpreter made (for tests).
  var count: Int { lock.lock(); defer { lock.unlock() }; return shadows.count }
}

enum Shadowing {
  /// What `name` means in the language before the engine: a stdlib closure or a core builtin.
  static func shadowed(_ name: String, by own: BuiltinFunction, in interpreter: Interpreter) -> Value? {
    switch interpreter.lookup(name) {
    case .function(let c)?: return .function(c)
    case .builtin(let b)?:
      if b === own { return nil }
      return interpreter.engine.shadows.shadow(of: b) ?? .builtin(b)
    default: return nil
    }
  }

  static func wrap(_ library: BuiltinLibrary, in interpreter: Interpreter) -> BuiltinLibrary {
    var lib = library
    lib.entries = library.entries.map { f in
      guard let shadow = shadowed(f.name, by: f, in: interpreter) else { return f }
      let theirs: [String]
      let described: String
      switch shadow {
      case .function(let c): theirs = c.parameterNames; described = "the stdlib's \(c.signature)"
      case .builtin(let b): theirs = b.params.map(\.name); described = "the core \(b.signature)"
      default: return f
      }
      let own = Set(f.params.map(\.name))
      let extra = theirs.dropFirst().filter { !own.contains($0) }
      let signature = ([f.signatureText] + extra.map { "\($0) = nil" }).filter { !$0.isEmpty }.joined(separator: ", ")
      let wrapper = BuiltinFunction(f.name, signature, f.doc + " Without tensor arguments: \(described).") { a in
        if a.positional.contains(where: isTensor) || a.named.values.contains(where: isTensor) {
          var named = a.named
          for k in extra { named[k] = nil }
          return try f.invoke(Arguments(function: f, positional: a.positional, named: named, interpreter: a.interpreter))
        }
        var named = a.named
        for (k, v) in named where v.isNil && extra.contains(k) { named[k] = nil }
        return try a.interpreter.call(shadow, a.positional, named: named)
      }
      interpreter.engine.shadows.record(wrapper, forwardsTo: shadow)
      return wrapper
    }
    return lib
  }

  static func isTensor(_ v: Value) -> Bool {
    if case .object(let o) = v, o is TensorObject { return true }
    return false
  }
}
