// MARK: - Safe conversion

/// Rounds to the nearest integer, mapping NaN to 0 and clamping to +-1e9, so data-derived
/// positions can never trap when converted to `Int`.
func clampedInt(_ value: Double) -> Int {
  guard !value.isNaN else { return 0 }
  return Int(max(-1e9, min(1e9, value.rounded())))
}

// MARK: - Number formatting
//
// Locale-independent number formatting used for tick labels, bar values, heat map cells and SVG
// coordinates. Implemented by hand (no Foundation) so the output is identical on every platform.

enum NumberFormat {
  /// Fixed-point text with `decimals` digits after the point ("-1.50"). Non-finite values give
  /// "nan", "inf" or "-inf"; magnitudes too large for fixed point fall back to scientific form.
  static func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return nonFinite(value) }
    let d = max(0, min(decimals, 12))
    var scale = 1.0
    for _ in 0..<d { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e15 else { return scientific(value, significant: 3) }
    let total = UInt64(scaled)
    let unit = UInt64(scale)
    let intPart = total / unit
    var text = String(intPart)
    if d > 0 {
      var frac = String(total % unit)
      while frac.count < d { frac = "0" + frac }
      text += "." + frac
    }
    return (value < 0 && total != 0 ? "-" : "") + text
  }

  /// Scientific text with `significant` digits and trailing zeros removed ("2.5e-5", "1e6").
  static func scientific(_ value: Double, significant: Int) -> String {
    guard value.isFinite else { return nonFinite(value) }
    if value == 0 { return "0" }
    var exponent = Int((log10Approx(abs(value))).rounded(.down))
    var mantissa = value / pow10(exponent)
    // Rounding can carry the mantissa to 10 (9.999 -> 10.0).
    let digits = max(0, significant - 1)
    if abs(roundTo(mantissa, digits: digits)) >= 10 { exponent += 1; mantissa = value / pow10(exponent) }
    return trimZeros(fixed(mantissa, decimals: digits)) + "e" + String(exponent)
  }

  /// Compact text with about `significant` significant digits, like C's `%g` ("0.125", "1.2e6").
  static func general(_ value: Double, significant: Int = 3) -> String {
    guard value.isFinite else { return nonFinite(value) }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e6 || magnitude < 1e-4 { return scientific(value, significant: significant) }
    let exponent = Int(log10Approx(magnitude).rounded(.down))
    let decimals = max(0, significant - 1 - exponent)
    return trimZeros(fixed(value, decimals: decimals))
  }

  /// SVG coordinate text: at most two decimals, no trailing zeros, never "-0".
  static func coord(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    return trimZeros(fixed(value, decimals: 2))
  }

  // MARK: Helpers

  static func trimZeros(_ text: String) -> String {
    guard text.contains(".") else { return text }
    var t = Substring(text)
    while t.hasSuffix("0") { t = t.dropLast() }
    if t.hasSuffix(".") { t = t.dropLast() }
    return t == "-0" ? "0" : String(t)
  }

  static func nonFinite(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    return value < 0 ? "-inf" : "inf"
  }

  static func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    if exponent >= 0 {
      for _ in 0..<min(exponent, 400) { result *= 10 }
    } else {
      for _ in 0..<min(-exponent, 400) { result /= 10 }
    }
    return result
  }

  /// log10 without Foundation; exact enough for choosing digit counts (corrected by comparison).
  static func log10Approx(_ x: Double) -> Double {
    guard x > 0, x.isFinite else { return 0 }
    // Integer part by repeated comparison against powers of ten, then correct.
    var e = Int((Double(x.exponent) * 0.30102999566398119).rounded(.down))
    while pow10(e) > x { e -= 1 }
    while pow10(e + 1) <= x { e += 1 }
    return Double(e) + (x / pow10(e) - 1) / 9   // fractional part only needs to be in [0, 1)
  }

  static func roundTo(_ value: Double, digits: Int) -> Double {
    let scale = pow10(digits)
    return (value * scale).rounded() / scale
  }
}
