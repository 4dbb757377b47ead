import Foundation

// MARK: - Seeded random numbers

/// A seeded generator (xoshiro256**, seeded through SplitMix64) that gives the same stream on
/// every machine: only integer arithmetic produces the bits; floats come from the top 24/53 bits.
///
/// ```swift
/// var rng = RandomSource(seed: 7)
/// let x = rng.normal()      // the same value everywhere
/// ```
public struct RandomSource {
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
  private var spareNormal: Double?

  public init(seed: UInt64) {
    var z = seed
    func splitmix() -> UInt64 {
      z &+= 0x9E37_79B9_7F4A_7C15
      var x = z
      x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
      x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
      return x ^ (x >> 31)
    }
    s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func uniformDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }
  /// Uniform in [lo, hi).
  public mutating func uniform(_ lo: Double = 0, _ hi: Double = 1) -> Double { lo + (hi - lo) * uniformDouble() }
  /// Standard normal (Box-Muller, both values used).
  public mutating func normal() -> Double {
    if let s = spareNormal { spareNormal = nil; return s }
    var u1 = uniformDouble()
    while u1 <= 0 { u1 = uniformDouble() }
    let u2 = uniformDouble()
    let r = (-2 * log(u1)).squareRoot()
    spareNormal = r * sin(2 * Double.pi * u2)
    return r * cos(2 * Double.pi * u2)
  }
  /// Standard Gumbel: -log(-log(u)), u in (0, 1).
  public mutating func gumbel() -> Double {
    var u = uniformDouble()
    while u <= 0 { u = uniformDouble() }
    return -log(-log(u))
  }
  /// Uniform integer in 0..<n (n > 0; returns 0 for n <= 0).
  public mutating func int(below n: Int) -> Int {
    guard n > 0 else { return 0 }
    return Int(next() % UInt64(n))
  }
  /// In-place Fisher-Yates shuffle.
  public mutating func shuffle<T>(_ a: inout [T]) {
    guard a.count > 1 else { return }
    for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(below: i + 1)) }
  }
}

extension Tensor {
  /// Tensor of N(mean, std^2) samples.
  public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout RandomSource) throws -> Tensor {
    let n = try Shape.count(shape, op: "randn")
    var d = [Float](repeating: 0, count: n)
    for i in 0..<n { d[i] = mean + std * Float(rng.normal()) }
    return Tensor(uncheckedShape: shape, data: d)
  }
  /// Tensor of U[lo, hi) samples.
  public static func rand(_ shape: [Int], lo: Float = 0, hi: Float = 1, rng: inout RandomSource) throws -> Tensor {
    let n = try Shape.count(shape, op: "rand")
    var d = [Float](repeating: 0, count: n)
    for i in 0..<n { d[i] = lo + (hi - lo) * Float(rng.uniformDouble()) }
    return Tensor(uncheckedShape: shape, data: d)
  }
  /// Tensor of standard Gumbel samples.
  public static func gumbel(_ shape: [Int], rng: inout RandomSource) throws -> Tensor {
    let n = try Shape.count(shape, op: "gumbel")
    var d = [Float](repeating: 0, count: n)
    for i in 0..<n { d[i] = Float(rng.gumbel()) }
    return Tensor(uncheckedShape: shape, data: d)
  }
}
