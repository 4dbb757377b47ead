// MARK: - Builtin functions

/// The declared type of a builtin parameter; used for argument checks and documentation.
public enum ParamType: String {
  case any, number, int, string, bool, list, record, function, range, sequence, object
}

/// One parameter of a builtin signature.
public struct BuiltinParam {
  public var name: String
  public var type: ParamType
  /// Default when omitted; nil means required (unless `variadic`).
  public var defaultValue: Value?
  /// `...name` collects all remaining positional arguments.
  public var variadic: Bool

  /// The default for one call: `[]` and `{}` are new containers each time, so a body that
  /// mutates its default never changes what the next call gets.
  @inline(__always) var freshDefault: Value? {
    switch defaultValue {
    case .list(let l)?: return .list(ListBox(l.items))
    case .record(let r)?: return .record(RecordBox(Array(zip(r.keys, r.values))))
    case .nil_?, .number?, .bool?, .string?, .range?, .function?, .builtin?, .object?, nil: return defaultValue
    }
  }
}

extension ParamType {
  /// Whether `v` is a value of this declared type (`nil` passes where the default is nil).
  /// `int` is a number that is integral and fits in `Int`; `list` and `sequence` also take
  /// ranges and iterable host objects (the builtins read them with `Arguments.sequence`).
  func admits(_ v: Value) -> Bool {
    switch self {
    case .any: return true
    case .number: if case .number = v { return true }
    case .int: if case .number(let d) = v { return d == d.rounded() && abs(d) < 9e15 }
    case .string: if case .string = v { return true }
    case .bool: if case .bool = v { return true }
    case .record: if case .record = v { return true }
    case .function: return v.isCallable
    case .range: if case .range = v { return true }
    case .object: if case .object = v { return true }
    case .list, .sequence:
      switch v {
      case .list, .range, .object: return true  // whether an object iterates, the body finds out
      case .nil_, .number, .bool, .string, .record, .function, .builtin: return false
      }
    }
    return false
  }

  /// How the check names the type in its message (for `int`, a value that is no number at all;
  /// a fractional number gets "expected an integer").
  var expectation: String {
    switch self {
    case .int: return "number"
    case .sequence: return "list"
    case .any, .number, .string, .bool, .list, .record, .function, .range, .object: return rawValue
    }
  }
}

/// A function implemented in Swift. Declared with a compact signature string:
///
/// ```swift
/// let clamp = BuiltinFunction("clamp", "x: number, lo: number = 0, hi: number = 1",
///                             "Limits x to [lo, hi].") { a in
///   .number(min(max(try a.number("x"), try a.number("lo")), try a.number("hi")))
/// }
/// ```
/// Signature grammar: `param, param, ...` with `param := ['...'] name [':' type] ['=' literal]`;
/// literals are numbers, `inf`, strings, `true`, `false`, `nil`, `[]`, `{}`. A class (not a
/// struct) so `Value` stays small.
public final class BuiltinFunction {
  public let name: String
  public let params: [BuiltinParam]
  public let doc: String
  public let signatureText: String
  /// Non-nil when `signatureText` could not be parsed (checked by the test suite).
  public let signatureError: String?
  let paramIndex: [String: Int]
  let variadicIndex: Int?
  /// Indices of the parameters with a declared type, checked before every call.
  let typedParams: [Int]
  let body: (Arguments) throws -> Value

  public init(_ name: String, _ signature: String, _ doc: String,
              _ body: @escaping (Arguments) throws -> Value) {
    self.name = name
    self.doc = doc
    self.signatureText = signature
    self.body = body
    var problem: String?
    var params: [BuiltinParam]
    do { params = try BuiltinFunction.parseSignature(signature) } catch {
      params = [BuiltinParam(name: "args", type: .any, defaultValue: nil, variadic: true)]
      problem = "cannot parse signature '\(signature)' of \(name)"
    }
    self.signatureError = problem
    self.params = params
    var index: [String: Int] = [:]
    for (i, p) in params.enumerated() { index[p.name] = i }
    self.paramIndex = index
    self.variadicIndex = params.firstIndex { $0.variadic }
    self.typedParams = params.indices.filter { params[$0].type != .any }
  }

  /// `name(a: number, b = 1)`
  public var signature: String { "\(name)(\(signatureText))" }

  // MARK: Calling

  /// Checks arity, argument names and the declared parameter types (from the table, once,
  /// before the body), then runs. (Which function a call reaches, this one or a host object's
  /// overload, the interpreter decided before: see `Dispatch`.)
  public func invoke(_ args: Arguments) throws -> Value {
    if variadicIndex == nil, args.positional.count > params.count {
      throw LangError(.argument, "\(name)() takes at most \(params.count) argument\(params.count == 1 ? "" : "s"), got \(args.positional.count)")
    }
    if !args.named.isEmpty {
      for key in args.named.keys {
        guard let i = paramIndex[key], !params[i].variadic else {
          let names = params.map { $0.name }.joined(separator: ", ")
          throw LangError(.argument, "\(name)() has no parameter '\(key)' (parameters: \(names))")
        }
        if i < args.positional.count, i < (variadicIndex ?? Int.max) {
          throw LangError(.argument, "\(name)(): argument '\(key)' given both by position and by name")
        }
      }
    }
    for i in typedParams { try check(params[i], at: i, args) }
    return try body(args)
  }

  /// The declared-type check of one parameter: what was passed (a default is the table's own
  /// and is not checked), each element for a variadic one. A nil passes where the default is nil.
  private func check(_ p: BuiltinParam, at i: Int, _ args: Arguments) throws {
    if p.variadic {
      for v in args.rest where !p.type.admits(v) { throw mismatch(p, v) }
      return
    }
    let given: Value?
    if let v = variadicIndex, i > v {
      given = args.named.isEmpty ? nil : args.named[p.name]
    } else if i < args.positional.count {
      given = args.positional[i]
    } else {
      given = args.named.isEmpty ? nil : args.named[p.name]
    }
    guard let v = given, !p.type.admits(v) else { return }
    if v.isNil, let d = p.defaultValue, d.isNil { return }
    throw mismatch(p, v)
  }

  private func mismatch(_ p: BuiltinParam, _ v: Value) -> LangError {
    if p.type == .int, case .number(let d) = v {
      return LangError(.value, "\(name)(\(p.name):): expected an integer, got \(Value.formatNumber(d))")
    }
    return LangError(.type, "\(name)(\(p.name):): expected \(p.type.expectation), got \(v.typeName)")
  }

  // MARK: Signature parsing

  struct SignatureError: Error {}

  static func parseSignature(_ text: String) throws -> [BuiltinParam] {
    var parts: [String] = []
    var depth = 0
    var cur = ""
    var inString = false
    for c in text {
      if c == "\"" { inString.toggle() }
      if !inString {
        if c == "[" || c == "{" || c == "(" { depth += 1 }
        if c == "]" || c == "}" || c == ")" { depth -= 1 }
        if c == ",", depth == 0 { parts.append(cur); cur = ""; continue }
      }
      cur.append(c)
    }
    if !cur.trimmingSpaces.isEmpty { parts.append(cur) }
    return try parts.map { raw in
      var s = raw.trimmingSpaces
      var variadic = false
      if s.hasPrefix("...") { variadic = true; s.removeFirst(3) }
      var def: Value?
      if let eq = s.firstIndex(of: "=") {
        def = try literal(String(s[s.index(after: eq)...]).trimmingSpaces)
        s = String(s[..<eq]).trimmingSpaces
      }
      var type = ParamType.any
      if let colon = s.firstIndex(of: ":") {
        guard let t = ParamType(rawValue: String(s[s.index(after: colon)...]).trimmingSpaces) else { throw SignatureError() }
        type = t
        s = String(s[..<colon]).trimmingSpaces
      }
      guard !s.isEmpty, Value.isPlainName(s) else { throw SignatureError() }
      return BuiltinParam(name: s, type: type, defaultValue: def, variadic: variadic)
    }
  }

  static func literal(_ s: String) throws -> Value {
    switch s {
    case "nil": return .nil_
    case "true": return .bool(true)
    case "false": return .bool(false)
    case "inf": return .number(.infinity)
    case "-inf": return .number(-.infinity)
    case "[]": return .list([])
    case "{}": return .record([])
    default:
      if let d = Double(s) { return .number(d) }
      if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") {
        var out = ""
        var escaped = false
        for c in s.dropFirst().dropLast() {
          if escaped {
            switch c {
            case "n": out += "\n"
            case "t": out += "\t"
            default: out.append(c)
            }
            escaped = false
          } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return .string(out)
      }
      throw SignatureError()
    }
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f == " " { s.removeFirst() }
    while let l = s.last, l == " " { s.removeLast() }
    return String(s)
  }
}
