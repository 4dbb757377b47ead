import Foundation

// MARK: - Forward-mode dual numbers over (cin, cout)

/// A value with its derivatives w.r.t. the two soft channel counts, used to build analytic
/// derivatives of composite smooth formulas without hand-deriving each one.
struct Dual2 {
  var v: Double
  var d0: Double
  var d1: Double

  init(_ v: Double, _ d0: Double = 0, _ d1: Double = 0) { self.v = v; self.d0 = d0; self.d1 = d1 }

  static func + (a: Dual2, b: Dual2) -> Dual2 { Dual2(a.v + b.v, a.d0 + b.d0, a.d1 + b.d1) }
  static func - (a: Dual2, b: Dual2) -> Dual2 { Dual2(a.v - b.v, a.d0 - b.d0, a.d1 - b.d1) }
  static func * (a: Dual2, b: Dual2) -> Dual2 { Dual2(a.v * b.v, a.d0 * b.v + a.v * b.d0, a.d1 * b.v + a.v * b.d1) }
  static func / (a: Dual2, b: Dual2) -> Dual2 {
    Dual2(a.v / b.v, (a.d0 * b.v - a.v * b.d0) / (b.v * b.v), (a.d1 * b.v - a.v * b.d1) / (b.v * b.v))
  }
  static func + (a: Dual2, b: Double) -> Dual2 { Dual2(a.v + b, a.d0, a.d1) }
  static func - (a: Dual2, b: Double) -> Dual2 { Dual2(a.v - b, a.d0, a.d1) }
  static func * (a: Dual2, b: Double) -> Dual2 { Dual2(a.v * b, a.d0 * b, a.d1 * b) }
  static func / (a: Dual2, b: Double) -> Dual2 { Dual2(a.v / b, a.d0 / b, a.d1 / b) }

  /// Applies a scalar function with value `f` and derivative `df` at `v`.
  func chain(_ f: Double, _ df: Double) -> Dual2 { Dual2(f, df * d0, df * d1) }

  /// Smooth maximum `b + s * softplus((a - b)/s)`; exact max as `s -> 0`.
  static func smax(_ a: Dual2, _ b: Dual2, softness s: Double) -> Dual2 {
    let z = (a.v - b.v) / s
    let sp = z > 30 ? z : log1p(exp(z))
    let (w, _) = SmoothCeil.sigmoid(z)
    return Dual2(b.v + s * sp, w * a.d0 + (1 - w) * b.d0, w * a.d1 + (1 - w) * b.d1)
  }

  /// Smooth minimum, `-smax(-a, -b)`.
  static func smin(_ a: Dual2, _ b: Dual2, softness s: Double) -> Dual2 {
    let m = smax(Dual2(-a.v, -a.d0, -a.d1), Dual2(-b.v, -b.d0, -b.d1), softness: s)
    return Dual2(-m.v, -m.d0, -m.d1)
  }
}
