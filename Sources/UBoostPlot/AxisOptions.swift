#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - AxisOptions

/// Logarithmic axes and fixed axis ranges of line and scatter plots.
///
/// A log axis plots `log10(v)` and labels its ticks with `v` (1, 10, 100, or 3.16 between
/// decades); values `<= 0` cannot be placed on it and are skipped like NaN. Limits fix the
/// axis range (in data units); data outside is clipped.
///
/// ```swift
/// var p = LinePlot(series: [try Series(x: [1, 10, 100], y: [1, 2, 3])])
/// p.axes = try AxisOptions(xLog: true, yLimits: (0, 5))
/// ```
public struct AxisOptions: Equatable, Sendable {
  public var xLog: Bool
  public var yLog: Bool
  public private(set) var xLimits: [Double]?
  public private(set) var yLimits: [Double]?

  /// Throws `PlotError.invalidAxis` for limits that are not two increasing values within +-1e300, or
  /// not positive on a log axis.
  public init(xLog: Bool = false, yLog: Bool = false, xLimits: (Double, Double)? = nil, yLimits: (Double, Double)? = nil) throws {
    self.xLog = xLog
    self.yLog = yLog
    self.xLimits = try AxisOptions.check(xLimits, log: xLog, axis: "x")
    self.yLimits = try AxisOptions.check(yLimits, log: yLog, axis: "y")
  }

  /// Linear axes fitted to the data.
  public static var linear: AxisOptions { AxisOptions(xLog: false, yLog: false, xLimits: nil, yLimits: nil, unchecked: ()) }

  init(xLog: Bool, yLog: Bool, xLimits: [Double]?, yLimits: [Double]?, unchecked: Void) {
    self.xLog = xLog; self.yLog = yLog; self.xLimits = xLimits; self.yLimits = yLimits
  }

  static func check(_ l: (Double, Double)?, log: Bool, axis: String) throws -> [Double]? {
    guard let (lo, hi) = l else { return nil }
    guard lo.isFinite, hi.isFinite, lo < hi, (hi - lo).isFinite, abs(lo) <= 1e300, abs(hi) <= 1e300 else {
      throw PlotError.invalidAxis("\(axis) limits must be two finite numbers with low < high (within +-1e300), got \(lo), \(hi)")
    }
    if log && lo <= 0 { throw PlotError.invalidAxis("\(axis) limits of a log axis must be positive, got \(lo), \(hi)") }
    return [lo, hi]
  }

  /// No log axis and no limits.
  public var isDefault: Bool { !xLog && !yLog && xLimits == nil && yLimits == nil }

  /// A data value in axis space (log10 on a log axis; nil: cannot be drawn).
  static func place(_ v: Double, log: Bool) -> Double { log ? (v > 0 ? log10(v) : .nan) : v }

  func tx(_ v: Double) -> Double { AxisOptions.place(v, log: xLog) }
  func ty(_ v: Double) -> Double { AxisOptions.place(v, log: yLog) }

  /// The axis-space range for `bounds` (the data's, in axis space): the limits when set.
  func xRange(_ bounds: (Double, Double)?) -> (Double, Double)? { xLimits.map { (tx($0[0]), tx($0[1])) } ?? bounds }
  func yRange(_ bounds: (Double, Double)?) -> (Double, Double)? { yLimits.map { (ty($0[0]), ty($0[1])) } ?? bounds }

  /// Whether an axis-space point lies inside the limits (always true without limits).
  func inside(_ x: Double, _ y: Double) -> Bool {
    if let l = xLimits, !(x >= tx(l[0]) && x <= tx(l[1])) { return false }
    if let l = yLimits, !(y >= ty(l[0]) && y <= ty(l[1])) { return false }
    return true
  }
}

extension NiceScale {
  /// Tick label of a log axis: the data value `10^tick` ("1", "1000", "3.16", "1e-05").
  static func logLabel(_ tick: Double) -> String {
    let v = pow(10, tick)
    if tick == tick.rounded(), abs(tick) > 4 { return "1e" + String(Int(tick)) }
    return NumberFormat.general(v, significant: 3)
  }
}
