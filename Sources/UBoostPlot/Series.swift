// MARK: - Series

/// A named sequence of (x, y) points for line plots.
///
/// Non-finite values are allowed: a point whose x or y is NaN or infinite is skipped and breaks
/// the drawn line into separate pieces.
///
/// ```swift
/// let s = try Series(name: "ceil", x: [0, 1, 1, 2], y: [1, 1, 2, 2])
/// let f = try Series.sample({ $0 * $0 }, from: 0, to: 2, points: 50, name: "x^2")
/// ```
public struct Series: Equatable, Sendable {
  /// Legend name; empty names show as "series N".
  public var name: String
  /// X values.
  public private(set) var x: [Double]
  /// Y values, same count as `x`.
  public private(set) var y: [Double]

  /// Creates a series; throws `PlotError.lengthMismatch` when `x` and `y` differ in length.
  public init(name: String = "", x: [Double], y: [Double]) throws {
    guard x.count == y.count else {
      throw PlotError.lengthMismatch(series: name, xCount: x.count, yCount: y.count)
    }
    self.name = name
    self.x = x
    self.y = y
  }

  /// Creates a series with x = 0, 1, 2, ...
  public init(name: String = "", y: [Double]) {
    self.name = name
    self.x = y.indices.map(Double.init)
    self.y = y
  }

  /// Samples `f` at `points` evenly spaced x values from `from` to `to` inclusive.
  ///
  /// Throws `PlotError.invalidSampling` for non-finite bounds or fewer than 2 (or more than
  /// 1,000,000) points, and rethrows any error thrown by `f`.
  public static func sample(_ f: (Double) throws -> Double, from: Double, to: Double,
                            points: Int = 200, name: String = "") throws -> Series {
    let (xs, ys) = try UBoostPlot.sample(f, from: from, to: to, points: points)
    return try Series(name: name, x: xs, y: ys)
  }

  /// The series with `fx` applied to every x and `fy` to every y (axis transforms).
  func mapped(_ fx: (Double) -> Double, _ fy: (Double) -> Double) -> Series {
    var s = self
    s.x = x.map(fx)
    s.y = y.map(fy)
    return s
  }

  /// Runs of consecutive finite points; a non-finite point ends one run and starts the next.
  var segments: [[(Double, Double)]] {
    var pieces: [[(Double, Double)]] = []
    var current: [(Double, Double)] = []
    for (a, b) in zip(x, y) {
      if a.isFinite && b.isFinite {
        current.append((a, b))
      } else if !current.isEmpty {
        pieces.append(current); current = []
      }
    }
    if !current.isEmpty { pieces.append(current) }
    return pieces
  }
}

// MARK: - Sampling

/// Samples `f` at `points` evenly spaced values from `from` to `to` inclusive.
///
/// ```swift
/// let (x, y) = try sample({ ($0).rounded(.up) }, from: 0, to: 4, points: 200)
/// ```
public func sample(_ f: (Double) throws -> Double, from: Double, to: Double,
                   points: Int = 200) throws -> (x: [Double], y: [Double]) {
  guard from.isFinite, to.isFinite else {
    throw PlotError.invalidSampling("range bounds must be finite, got \(from) to \(to)")
  }
  guard points >= 2, points <= 1_000_000 else {
    throw PlotError.invalidSampling("points must be in 2...1000000, got \(points)")
  }
  var xs: [Double] = []
  var ys: [Double] = []
  xs.reserveCapacity(points); ys.reserveCapacity(points)
  let step = (to - from) / Double(points - 1)
  for i in 0..<points {
    let x = i == points - 1 ? to : from + Double(i) * step
    xs.append(x)
    ys.append(try f(x))
  }
  return (xs, ys)
}

// MARK: - Bounds

/// Minimum and maximum of the finite values, or nil when there are none.
func finiteBounds<S: Sequence>(_ values: S) -> (Double, Double)? where S.Element == Double {
  var lo = Double.infinity, hi = -Double.infinity
  for v in values where v.isFinite {
    if v < lo { lo = v }
    if v > hi { hi = v }
  }
  return lo <= hi ? (lo, hi) : nil
}

func merge(_ a: (Double, Double)?, _ b: (Double, Double)?) -> (Double, Double)? {
  guard let a else { return b }
  guard let b else { return a }
  return (min(a.0, b.0), max(a.1, b.1))
}
