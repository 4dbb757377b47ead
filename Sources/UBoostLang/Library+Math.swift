import Foundation

// MARK: - Math library

extension CoreLibraries {
  /// A one-argument numeric function; lists are mapped element-wise, host objects may take over
  /// (e.g. `sqrt(tensor)`) through `HostObject.builtin`.
  static func unary(_ name: String, _ doc: String, _ f: @escaping (Double) -> Double) -> BuiltinFunction {
    B(name, "x", doc) { a in try mapNumbers(try a.value("x"), a, f, depth: 0) }
  }

  static func mapNumbers(_ v: Value, _ a: Arguments, _ f: (Double) -> Double, depth: Int) throws -> Value {
    switch v {
    case .number(let d): return .number(f(d))
    case .list(let l) where depth < Value.maxDepth:
      return .list(try l.items.map { try mapNumbers($0, a, f, depth: depth + 1) })
    case .range(let r): return .list(try r.materialize().map { .number(f($0.asNumber ?? 0)) })
    default: throw a.typeError("x", expected: "number", got: v)
    }
  }

  public static let math = BuiltinLibrary(name: "math", doc: "Numeric functions. One-argument functions also map over lists. Division by zero follows IEEE 754 (inf/nan).", entries: [
    unary("abs", "Absolute value.") { Swift.abs($0) },
    unary("sqrt", "Square root (nan for negative x).") { Foundation.sqrt($0) },
    unary("cbrt", "Cube root.") { x in
      // One Newton step makes perfect cubes exact (glibc's cbrt(27) is 3.0000000000000004).
      let y = Foundation.cbrt(x)
      guard y.isFinite, y != 0 else { return y }
      return y - (y * y * y - x) / (3 * y * y)
    },
    unary("exp", "e raised to x.") { Foundation.exp($0) },
    unary("log2", "Base-2 logarithm.") { Foundation.log2($0) },
    unary("log10", "Base-10 logarithm.") { Foundation.log10($0) },
    unary("floor", "Largest integer <= x.") { $0.rounded(.down) },
    unary("ceil", "Smallest integer >= x.") { $0.rounded(.up) },
    unary("trunc", "x rounded toward zero.") { $0.rounded(.towardZero) },
    unary("sign", "-1, 0 or 1 by the sign of x.") { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 },
    unary("sin", "Sine (radians).") { Foundation.sin($0) },
    unary("cos", "Cosine (radians).") { Foundation.cos($0) },
    unary("tan", "Tangent (radians).") { Foundation.tan($0) },
    unary("asin", "Arc sine.") { Foundation.asin($0) },
    unary("acos", "Arc cosine.") { Foundation.acos($0) },
    unary("atan", "Arc tangent.") { Foundation.atan($0) },
    unary("sinh", "Hyperbolic sine.") { Foundation.sinh($0) },
    unary("cosh", "Hyperbolic cosine.") { Foundation.cosh($0) },
    unary("tanh", "Hyperbolic tangent.") { Foundation.tanh($0) },
    unary("sigmoid", "Logistic function 1 / (1 + exp(-x)).") { 1 / (1 + Foundation.exp(-$0)) },
    unary("relu", "max(x, 0).") { Swift.max($0, 0) },
    B("log", "x, base = nil", "Natural logarithm, or logarithm in `base`.") { a in
      let b = try a.value("base")
      if case .number(let base) = b { return try mapNumbers(try a.value("x"), a, { Foundation.log($0) / Foundation.log(base) }, depth: 0) }
      return try mapNumbers(try a.value("x"), a, { Foundation.log($0) }, depth: 0)
    },
    B("round", "x, digits: int = 0", "x rounded half away from zero, to `digits` decimals.") { a in
      let d = try a.int("digits")
      guard abs(d) <= 300 else { throw LangError(.value, "round(): digits must be within -300...300") }
      let scale = Foundation.pow(10.0, Double(d))
      return try mapNumbers(try a.value("x"), a, { d == 0 ? $0.rounded() : ($0 * scale).rounded() / scale }, depth: 0)
    },
    B("pow", "x: number, y: number", "x raised to y.") { a in .number(Foundation.pow(try a.number("x"), try a.number("y"))) },
    B("atan2", "y: number, x: number", "Angle of the point (x, y).") { a in .number(Foundation.atan2(try a.number("y"), try a.number("x"))) },
    B("hypot", "x: number, y: number", "sqrt(x*x + y*y) without overflow.") { a in .number(Foundation.hypot(try a.number("x"), try a.number("y"))) },
    B("mod", "x: number, y: number", "Floored modulo (same as x % y).") { a in .number(Ops.floorMod(try a.number("x"), try a.number("y"))) },
    B("clamp", "x: number, lo: number = 0, hi: number = 1", "x limited to [lo, hi].") { a in
      let lo = try a.number("lo"), hi = try a.number("hi")
      guard lo <= hi else { throw LangError(.value, "clamp(): lo (\(Value.formatNumber(lo))) is greater than hi (\(Value.formatNumber(hi)))") }
      return .number(Swift.min(Swift.max(try a.number("x"), lo), hi))
    },
    B("is_nan", "x: number", "Whether x is nan.") { a in .bool(try a.number("x").isNaN) },
    B("is_inf", "x: number", "Whether x is +inf or -inf.") { a in .bool(try a.number("x").isInfinite) },
    B("is_finite", "x: number", "Whether x is neither inf nor nan.") { a in .bool(try a.number("x").isFinite) },
    B("is_int", "x", "Whether x is a number with no fractional part.") { a in
      guard case .number(let d) = try a.value("x") else { return .bool(false) }
      return .bool(d.isFinite && d == d.rounded())
    },
    B("random", "", "A pseudo-random number in [0, 1) (deterministic sequence; see seed).") { a in
      .number(a.interpreter.random.next())
    },
    B("seed", "n: int", "Restarts the random sequence from seed n.") { a in
      a.interpreter.random = SplitMix(seed: UInt64(truncatingIfNeeded: try a.int("n")))
      return .nil_
    },
  ], constants: [
    BuiltinConstant("pi", .number(Double.pi), "The ratio of a circle's circumference to its diameter."),
    BuiltinConstant("e", .number(M_E), "Euler's number."),
    BuiltinConstant("inf", .number(.infinity), "Positive infinity."),
    BuiltinConstant("nan", .number(.nan), "Not a number."),
  ])
}

/// A small deterministic generator (SplitMix64) for `random()`.
public struct SplitMix {
  var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> Double {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) / Double(1 << 53)
  }
}
