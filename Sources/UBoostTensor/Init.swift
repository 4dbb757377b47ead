import Foundation

// MARK: - Parameter initialisation

/// He-normal initial values: N(0, 2 / fanIn).
///
/// ```swift
/// var rng = RandomSource(seed: 0)
/// let w = try kaimingNormal([64, 3, 3, 3], fanIn: 27, rng: &rng).trainable()
/// ```
public func kaimingNormal(_ shape: [Int], fanIn: Int, rng: inout RandomSource) throws -> Tensor {
  guard fanIn >= 1 else { throw TensorError.invalidArgument(op: "kaimingNormal", detail: "fanIn must be >= 1, got \(fanIn)") }
  return try Tensor.randn(shape, std: Float((2 / Double(fanIn)).squareRoot()), rng: &rng)
}

/// He-uniform initial values: U(-b, b) with `b = sqrt(2 / (1 + a^2)) * sqrt(3 / fanIn)`.
/// `a: 5.squareRoot()` gives PyTorch's default conv/linear weight init (`b = 1 / sqrt(fanIn)`).
public func kaimingUniform(_ shape: [Int], fanIn: Int, a: Float = 0, rng: inout RandomSource) throws -> Tensor {
  guard fanIn >= 1 else { throw TensorError.invalidArgument(op: "kaimingUniform", detail: "fanIn must be >= 1, got \(fanIn)") }
  let gain = (2 / (1 + Double(a) * Double(a))).squareRoot()
  let b = Float(gain * (3 / Double(fanIn)).squareRoot())
  return try Tensor.rand(shape, lo: -b, hi: b, rng: &rng)
}
