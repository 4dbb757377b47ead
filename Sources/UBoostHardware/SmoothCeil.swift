import Foundation

// MARK: - Ceiling kinds

/// Which ceiling a cost model uses for tile counts.
///
/// ```swift
/// let m = SystolicModel(ceiling: .corrected(temperature: 32))
/// ```
public enum CeilingKind: Equatable, Sendable, CustomStringConvertible {
  /// `ceil(x)`: exact, zero gradient almost everywhere.
  case exact
  /// The reference code's generalized logistic (B=20, C=0.2, v=0.5, clamp +-2, steps 0..299), in Float.
  case reference
  /// The paper form `sum_i sigmoid(T (x - i))`, a step at every integer `i >= 0` (no bound).
  case sigmoidSum(temperature: Double)
  /// Steps just above the integers (tracks ceil), unbounded, temperature `T`.
  case corrected(temperature: Double)

  public var description: String {
    switch self {
    case .exact: return "exact"
    case .reference: return "reference"
    case let .sigmoidSum(t): return "sigmoid-sum(T=\(fmt(t)))"
    case let .corrected(t): return "corrected(T=\(fmt(t)))"
    }
  }

  /// Value and derivative of this ceiling at `x`.
  public func evaluate(_ x: Double, onWarning: WarningHandler? = nil) -> (value: Double, grad: Double) {
    switch self {
    case .exact: return SmoothCeil.exact(x)
    case .reference: return SmoothCeil.reference(x, onWarning: onWarning)
    case let .sigmoidSum(t): return SmoothCeil.sigmoidSum(x, temperature: t)
    case let .corrected(t): return SmoothCeil.corrected(x, temperature: t)
    }
  }

  /// Throws if the temperature is not a positive finite number.
  public func validate() throws {
    switch self {
    case .exact, .reference: return
    case let .sigmoidSum(t), let .corrected(t):
      if !(t > 0) || !t.isFinite {
        throw HardwareError.invalidParameter(name: "temperature", value: String(t), reason: "must be > 0")
      }
    }
  }
}

// MARK: - Smooth ceilings

/// Smooth staircases replacing `ceil` so gradient-based search sees utilization cliffs.
///
/// Every function returns the value and its derivative d/dx. The smooth forms (`sigmoidSum`,
/// `corrected`) have no fixed step count: the steps far below `x` are counted exactly (their
/// number is `ceil(x - margin)`), only those within `40/T` of `x` are evaluated, so they cover
/// any `x`. Both stay at or above `x` for every `x > 0` (the lower envelope of `ceil`), so a
/// utilization `work / (smooth tiles * capacity)` never exceeds 1. The reference form keeps the
/// reference's 300 steps and saturation (with a warning).
/// ```swift
/// let (v, g) = SmoothCeil.reference(1.125)      // v ~ 1.50, the reference's shifted step
/// let c = SmoothCeil.corrected(1.5, temperature: 32).value   // ~ 2
/// ```
public enum SmoothCeil {
  // Reference constants (src/hardware/hw.py).
  public static let referenceB: Float = 20
  public static let referenceC: Float = 0.2
  public static let referenceV: Float = 0.5
  public static let referenceSteps = 300
  /// Offset of each corrected step above its integer, in units of 1/T, at most (see `correctedShift(temperature:)`).
  public static let correctedShift: Double = 4
  /// Slack kept below the largest shift that stays above `x` (absorbs the neighbouring steps).
  static let correctedShiftMargin: Double = 0.25
  /// Steps farther than this many 1/T from x are summed exactly as 0 or 1.
  static let sigmoidMargin: Double = 40

  /// `ceil(x)` with zero derivative.
  public static func exact(_ x: Double) -> (value: Double, grad: Double) { (x.rounded(.up), 0) }

  /// The reference generalized-logistic staircase, computed in Float like the reference (float32 torch).
  ///
  /// `f(x) = sum_{i=0}^{299} K / (C + exp(-B clamp(x - i, -2, 2)))^(1/v)`, `K = C^(1/v)`.
  /// Inputs above 300 saturate; `onWarning` then receives `.ceilingSaturated`.
  public static func reference(_ x: Double, onWarning: WarningHandler? = nil) -> (value: Double, grad: Double) {
    if x > Double(referenceSteps) { onWarning?(.ceilingSaturated(input: x, bound: Double(referenceSteps))) }
    let xf = Float(x)
    let b = referenceB, c = referenceC
    let k = c * c                          // C^(1/v) with v = 0.5
    let gScale = 2 * k * b                 // (1/v) * K * B
    var value: Float = 0
    var grad: Float = 0
    for i in 0..<referenceSteps {
      let raw = xf - Float(i)
      let d = min(max(raw, -2), 2)
      let e: Float = exp(-b * d)
      let den = c + e
      value += k / (den * den)
      // torch.clamp passes gradient inside the clamp range; the golden data show none at exactly +-2.
      if raw > -2 && raw < 2 { grad += gScale * e / (den * den * den) }
    }
    return (Double(value), Double(grad))
  }

  /// Paper form `sum_i 1 / (1 + exp(-T (x - w_i)))` over explicit step positions `steps`.
  public static func sigmoidSum(_ x: Double, temperature: Double, steps: [Double]) -> (value: Double, grad: Double) {
    var v = 0.0, g = 0.0
    for w in steps {
      let (s, ds) = sigmoid(temperature * (x - w))
      v += s
      g += temperature * ds
    }
    return (v, g)
  }

  /// Paper form with a step at every integer `i >= 0` (`count`: only `0..<count`, which
  /// saturates at `count` like the reference's 300 steps).
  public static func sigmoidSum(_ x: Double, temperature: Double, count: Int? = nil) -> (value: Double, grad: Double) {
    stepSum(x, temperature: temperature, shift: 0, count: count)
  }

  /// Corrected form: step `i >= 1` sits at `i + a/T` (just above the integer), so `f(k) ~ k` and
  /// `f(k + 2a/T) ~ k + 1`; no upper bound. Only steps within `40/T` of `x` are evaluated.
  /// `a = correctedShift(temperature:)` is 4 for `T >= 30` and smaller below, so that `f(x) >= x`.
  ///
  /// The first step is exact (`f(x) = 1` on `(0, 1]`): a layer of any positive size occupies one tile,
  /// so small layers (e.g. a 3x3 depthwise, `x = 9/128`) are not under-charged.
  public static func corrected(_ x: Double, temperature: Double) -> (value: Double, grad: Double) {
    guard x > 0 else { return (x.isNaN ? .nan : 0, 0) }
    let rest = stepSum(x - 1, temperature: temperature, shift: correctedShift(temperature: temperature) / temperature, count: nil)
    return (1 + rest.value, rest.grad)
  }

  /// The corrected step's offset above its integer, in units of 1/T: the largest `a <= 4` for
  /// which one step `sigmoid(u - a)` stays above the line `u / T` on `0 <= u <= T` (so the
  /// staircase never dips below `x`), less a slack of 0.25. The line touches the sigmoid where its
  /// slope is `1/T`, at `s = (1 - sqrt(1 - 4/T)) / 2`, which gives `a* = T s - logit(s)`; below
  /// `T = 4` no shift is safe and the form is `1 + sigmoidSum(x - 1)`.
  ///
  /// ```swift
  /// SmoothCeil.correctedShift(temperature: 32)   // 4 (a* = 4.43)
  /// SmoothCeil.correctedShift(temperature: 8)    // 2.68
  /// ```
  public static func correctedShift(temperature t: Double) -> Double {
    guard t >= 4 else { return 0 }
    let s = (1 - (1 - 4 / t).squareRoot()) / 2
    let best = t * s - log(s / (1 - s))
    return min(correctedShift, max(0, best - correctedShiftMargin))
  }

  /// Samples `(x, value, grad, ceil)` of a ceiling on `[from, to]` for inspection and plotting.
  ///
  /// ```swift
  /// let pts = SmoothCeil.samples(.reference, from: 0, to: 4, step: 0.01)
  /// ```
  public static func samples(_ kind: CeilingKind, from: Double, to: Double, step: Double)
    -> [(x: Double, value: Double, grad: Double, ceil: Double)] {
    guard step > 0, from <= to, from.isFinite, to.isFinite, (to - from) / step <= 1e7 else { return [] }
    var out: [(x: Double, value: Double, grad: Double, ceil: Double)] = []
    let n = Int(((to - from) / step).rounded(.down))
    out.reserveCapacity(n + 1)
    for i in 0...n {
      let x = from + Double(i) * step
      let (v, g) = kind.evaluate(x)
      out.append((x, v, g, x.rounded(.up)))
    }
    return out
  }

  // MARK: - Implementation

  /// Sum of unit sigmoid steps at `i + shift`, `i = 0..<count` (unbounded if `count == nil`).
  /// Steps below `x - margin` count 1 each, steps above `x + margin` count 0.
  static func stepSum(_ x: Double, temperature t: Double, shift: Double, count: Int?) -> (value: Double, grad: Double) {
    guard x.isFinite, t > 0, t.isFinite else { return (x.isNaN ? .nan : max(0, x.rounded(.up)), 0) }
    let margin = sigmoidMargin / t
    let upper = count.map { Double($0) } ?? .infinity
    // Steps i with i + shift < x - margin: i < x - margin - shift.
    let lowCount = min(upper, max(0, (x - margin - shift).rounded(.up)))
    var value = lowCount
    var grad = 0.0
    // Beyond 2^52 consecutive steps cannot be told apart in Double: the staircase is exact there.
    if lowCount > 4e15 { return (lowCount, 0) }
    var i = lowCount
    while i < upper && i + shift <= x + margin {
      let (s, ds) = sigmoid(t * (x - i - shift))
      value += s
      grad += t * ds
      i += 1
    }
    return (value, grad)
  }

  /// Logistic function and its derivative, stable for large |z|.
  @inline(__always)
  static func sigmoid(_ z: Double) -> (Double, Double) {
    let s: Double
    if z >= 0 { s = 1 / (1 + exp(-z)) } else { let e = exp(z); s = e / (1 + e) }
    return (s, s * (1 - s))
  }
}
