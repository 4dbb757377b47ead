import UBoostLang

// MARK: - Engine builtins over stdlib functions of the same name
//
// The language stdlib defines list helpers such as `mean(xs)` and `softmax(xs, t:)`; the engine
// defines tensor versions with the same names. The engine version is registered (so `:help`
// shows it) and forwards calls without tensor arguments to the stdlib function it replaced.

enum Shadowing {
  static func wrap(_ library: BuiltinLibrary, in interpreter: Interpreter) -> BuiltinLibrary {
    var lib = library
    lib.entries = library.entries.map { f in
      guard case .function(let closure)? = interpreter.lookup(f.name) else { return f }
      let shadow = Value.function(closure)
      let own = Set(f.params.map(\.name))
      let extra = closure.parameterNames.dropFirst().filter { !own.contains($0) }
      let signature = ([f.signatureText] + extra.map { "\($0) = nil" }).filter { !$0.isEmpty }.joined(separator: ", ")
      return BuiltinFunction(f.name, signature, f.doc + " Without tensor arguments: the stdlib's \(closure.signature).") { a in
        if a.positional.contains(where: isTensor) || a.named.values.contains(where: isTensor) {
          var named = a.named
          for k in extra { named[k] = nil }
          return try f.invoke(Arguments(function: f, positional: a.positional, named: named, interpreter: a.interpreter))
        }
        var named = a.named
        for (k, v) in named where v.isNil && extra.contains(k) { named[k] = nil }
        return try a.interpreter.call(shadow, a.positional, named: named)
      }
    }
    return lib
  }

  static func isTensor(_ v: Value) -> Bool {
    if case .object(let o) = v, o is TensorObject { return true }
    return false
  }
}
