// MARK: - NiceScale

/// An axis range extended to "nice" tick values with 1-2-5 steps.
///
/// ```swift
/// let s = NiceScale(min: 0.3, max: 9.1, targetTicks: 5)
/// s.ticks      // [0, 2, 4, 6, 8, 10]  (raw step 2.2 rounds to 2)
/// s.label(4)   // "4"
/// ```
public struct NiceScale: Equatable, Sendable {
  /// Lower end of the axis (the first tick).
  public let lower: Double
  /// Upper end of the axis (the last tick).
  public let upper: Double
  /// Distance between ticks: 1, 2 or 5 times a power of ten.
  public let step: Double
  /// The first tick (`lower`, unless the range is fixed: then the first multiple of `step` in it).
  public let firstTick: Double

  /// Builds a scale covering `[min, max]` with about `targetTicks` ticks.
  ///
  /// Degenerate ranges are widened: a constant value `v` becomes roughly `v ± 10%` (or
  /// `[-1, 1]` for zero); non-finite bounds give `[0, 1]`.
  public init(min lo: Double, max hi: Double, targetTicks: Int = 5) {
    var a = lo, b = hi
    if !a.isFinite || !b.isFinite { a = 0; b = 1 }
    if a > b { swap(&a, &b) }
    if a == b {
      let pad = a == 0 ? 1 : abs(a) * 0.1
      a -= pad; b += pad
    }
    // Keep the range and its nice rounding representable (data beyond is clipped when drawn).
    let limit = 4e307
    a = Swift.max(-limit, Swift.min(limit, a)); b = Swift.max(-limit, Swift.min(limit, b))
    if a == b { a = b - limit * 0.1 }
    let intervals = Double(Swift.max(1, targetTicks - 1))
    let step = NiceScale.niceStep((b - a) / intervals)
    var lowerTick = (a / step).rounded(.down) * step
    var upperTick = (b / step).rounded(.up) * step
    // Guard against floating noise making the range collapse.
    if upperTick <= lowerTick { lowerTick = a; upperTick = a + step }
    self.lower = lowerTick
    self.upper = upperTick
    self.step = step
    self.firstTick = lowerTick
  }

  /// A scale spanning exactly `[min, max]` (axis limits), with 1-2-5 ticks inside it.
  ///
  /// ```swift
  /// NiceScale(fixedMin: -5, max: 5, targetTicks: 5).ticks   // [-4, -2, 0, 2, 4]
  /// ```
  public init(fixedMin lo: Double, max hi: Double, targetTicks: Int = 5) {
    let nice = NiceScale(min: lo, max: hi, targetTicks: targetTicks)
    guard lo.isFinite, hi.isFinite, lo < hi else { self = nice; return }
    self.lower = lo
    self.upper = hi
    self.step = nice.step
    self.firstTick = (lo / nice.step).rounded(.up) * nice.step
  }

  /// The 1-2-5 value nearest to `raw` (geometrically: thresholds 1.5, 3 and 7).
  static func niceStep(_ raw: Double) -> Double {
    guard raw.isFinite, raw > 0 else { return 1 }
    let exponent = Int(NumberFormat.log10Approx(raw).rounded(.down))
    let base = NumberFormat.pow10(exponent)
    let fraction = raw / base
    let nice: Double
    if fraction < 1.5 { nice = 1 } else if fraction < 3 { nice = 2 }
    else if fraction < 7 { nice = 5 } else { nice = 10 }
    return nice * base
  }

  /// Tick values from `lower` to `upper` inclusive.
  public var ticks: [Double] {
    let intervals = ((upper - firstTick) / step * (1 + 1e-12)).rounded(firstTick == lower ? .toNearestOrAwayFromZero : .down)
    guard intervals.isFinite, intervals >= 0, intervals < 10_000 else { return [lower, upper] }
    let count = Int(intervals) + 1
    return (0..<count).map { i in
      let v = firstTick + Double(i) * step
      return abs(v) < step * 1e-9 ? 0 : v
    }
  }

  /// Maps `value` to the unit interval (0 at `lower`, 1 at `upper`).
  public func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }

  /// Tick label text with just enough decimals for the step ("0.25" needs 2).
  public func label(_ value: Double) -> String {
    let magnitude = Swift.max(abs(lower), abs(upper))
    if magnitude >= 1e6 || step < 1e-4 {
      return NumberFormat.scientific(value, significant: significantDigits(magnitude))
    }
    let decimals = Swift.max(0, -Int(NumberFormat.log10Approx(step).rounded(.down)))
    return NumberFormat.fixed(value, decimals: decimals)
  }

  private func significantDigits(_ magnitude: Double) -> Int {
    guard magnitude > 0 else { return 1 }
    let digits = Int(NumberFormat.log10Approx(magnitude).rounded(.down))
      - Int(NumberFormat.log10Approx(step).rounded(.down)) + 1
    return Swift.max(1, Swift.min(digits, 6))
  }
}
