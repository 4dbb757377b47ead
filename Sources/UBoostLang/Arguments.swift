// MARK: - Argument binding for builtins

/// The arguments of one builtin call, bound lazily to the function's signature. Typed accessors
/// throw errors naming the function, the parameter and the expected type:
/// `sum(xs:): expected list, got string`.
///
/// ```swift
/// let x = try args.number("x")        // positional or named, or the default
/// let f = try args.callable("f")
/// let y = try args.interpreter.call(f, [.number(x)])
/// ```
public struct Arguments {
  public let function: BuiltinFunction
  public let positional: [Value]
  public let named: [String: Value]
  /// The running interpreter (to call script closures, print, import).
  public let interpreter: Interpreter

  public init(function: BuiltinFunction, positional: [Value], named: [String: Value] = [:],
              interpreter: Interpreter) {
    self.function = function
    self.positional = positional
    self.named = named
    self.interpreter = interpreter
  }

  // MARK: Raw access

  /// The bound value of `name` (positional, named or default), or nil when absent with no default.
  public func optionalValue(_ name: String) -> Value? {
    // Signatures are short: a linear scan over small-string compares beats hashing the name.
    let params = function.params
    var i = 0
    while i < params.count, params[i].name != name { i += 1 }
    guard i < params.count else { return named[name] }
    if let v = function.variadicIndex {
      // The variadic parameter itself is read with `rest`; parameters after it are named-only.
      if i == v { return nil }
      if i > v { return named.isEmpty ? params[i].freshDefault : named[name] ?? params[i].freshDefault }
    }
    if i < positional.count { return positional[i] }
    if !named.isEmpty, let v = named[name] { return v }
    return params[i].freshDefault
  }

  /// The bound value of `name`; throws when it is missing.
  public func value(_ name: String) throws -> Value {
    guard let v = optionalValue(name) else {
      throw LangError(.argument, "\(function.name)(): missing argument '\(name)'")
    }
    return v
  }

  /// Values collected by the variadic parameter.
  public var rest: ArraySlice<Value> {
    guard let v = function.variadicIndex, v < positional.count else { return [] }
    return positional[v...]
  }

  /// Error for a wrongly typed argument.
  public func typeError(_ name: String, expected: String, got v: Value) -> LangError {
    LangError(.type, "\(function.name)(\(name):): expected \(expected), got \(v.typeName)")
  }

  // MARK: Typed access

  public func number(_ name: String) throws -> Double {
    let v = try value(name)
    guard case .number(let d) = v else { throw typeError(name, expected: "number", got: v) }
    return d
  }

  /// An integral number that fits in `Int`.
  public func int(_ name: String) throws -> Int {
    let d = try number(name)
    guard d == d.rounded(), abs(d) < 9e15 else {
      throw LangError(.value, "\(function.name)(\(name):): expected an integer, got \(Value.formatNumber(d))")
    }
    return Int(d)
  }

  public func string(_ name: String) throws -> String {
    let v = try value(name)
    guard case .string(let s) = v else { throw typeError(name, expected: "string", got: v) }
    return s
  }

  public func bool(_ name: String) throws -> Bool {
    let v = try value(name)
    guard case .bool(let b) = v else { throw typeError(name, expected: "bool", got: v) }
    return b
  }

  /// The list box itself (for mutation).
  public func listBox(_ name: String) throws -> ListBox {
    let v = try value(name)
    guard case .list(let l) = v else { throw typeError(name, expected: "list", got: v) }
    return l
  }

  /// Elements of a list, range or iterable host object (strings and records are rejected; use
  /// `chars(s)` or `keys(r)`).
  public func sequence(_ name: String) throws -> [Value] {
    let v = try value(name)
    switch v {
    case .list(let l): return l.items
    case .range, .object:
      if let items = try Interpreter.elements(of: v) { return items }
    case .nil_, .number, .bool, .string, .record, .function, .builtin:
      break
    }
    throw typeError(name, expected: "list", got: v)
  }

  public func record(_ name: String) throws -> RecordBox {
    let v = try value(name)
    guard case .record(let r) = v else { throw typeError(name, expected: "record", got: v) }
    return r
  }

  /// A function or builtin.
  public func callable(_ name: String) throws -> Value {
    let v = try value(name)
    guard v.isCallable else { throw typeError(name, expected: "function", got: v) }
    return v
  }

  /// Calls a function value with positional arguments.
  public func call(_ f: Value, _ args: Value...) throws -> Value {
    try interpreter.call(f, args)
  }
}
