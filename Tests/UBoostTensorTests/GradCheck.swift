import XCTest
@testable import UBoostTensor

// MARK: - Finite-difference gradient check

/// Checks the tape gradient of `f` against central differences.
///
/// The scalar checked is `L = sum(f(inputs) * R)` with fixed random weights `R` (so every output
/// element gets a distinct seed). The numerical derivative is `(L(x + h) - L(x - h)) / 2h` with the
/// loss accumulated in Double; Float32 forward passes limit its accuracy, hence the stated
/// tolerance: `|analytic - numeric| <= atol + rtol * |numeric|` (defaults h = 1e-2, atol = 1e-3, rtol = 5e-3).
func gradCheck(_ inputs: [Tensor], h: Float = 1e-2, atol: Float = 1e-3, rtol: Float = 5e-3,
               file: StaticString = #filePath, line: UInt = #line,
               _ f: ([Tensor]) throws -> Tensor) throws {
  for t in inputs { t.trainable(); t.zeroGrad() }
  let out = try f(inputs)
  var rng = RandomSource(seed: 99)
  let weights = (0..<out.count).map { _ in Float(rng.uniform(-1, 1)) }
  let r = try Tensor(shape: out.shape, data: weights)
  let loss = try (out * r).sum()
  try loss.backward()
  let analytic = inputs.map { $0.gradData ?? [Float](repeating: 0, count: $0.count) }
  func lossValue() throws -> Double {
    try withNoGrad {
      let o = try f(inputs)
      var s: Double = 0
      for i in 0..<o.count { s += Double(o.data[i]) * Double(weights[i]) }
      return s
    }
  }
  for (ti, t) in inputs.enumerated() {
    for i in 0..<t.count {
      let saved = t.data[i]
      t.data[i] = saved + h
      let lp = try lossValue()
      t.data[i] = saved - h
      let lm = try lossValue()
      t.data[i] = saved
      let numeric = Float((lp - lm) / (2 * Double(h)))
      let a = analytic[ti][i]
      if Swift.abs(a - numeric) > atol + rtol * Swift.abs(numeric) {
        XCTFail("input \(ti) element \(i): analytic \(a) vs numeric \(numeric)", file: file, line: line)
        return
      }
    }
  }
}

/// Random tensor whose entries keep at least `gap` away from zero (so ReLU-like kinks are not
/// crossed by the finite-difference step).
func randomTensor(_ shape: [Int], seed: UInt64, gap: Float = 0) throws -> Tensor {
  var rng = RandomSource(seed: seed)
  let n = shape.reduce(1, *)
  var d = [Float](repeating: 0, count: n)
  for i in 0..<n {
    var v = Float(rng.uniform(-1, 1))
    if gap > 0 && Swift.abs(v) < gap { v = v < 0 ? v - gap : v + gap }
    d[i] = v
  }
  return try Tensor(shape: shape, data: d)
}

/// Asserts two arrays agree within `tol` elementwise (relative to max(1, |expected|)).
func assertClose(_ a: [Float], _ b: [Double], tol: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertEqual(a.count, b.count, "sizes differ", file: file, line: line)
  for i in 0..<min(a.count, b.count) where Swift.abs(Double(a[i]) - b[i]) > tol * Swift.max(1, Swift.abs(b[i])) {
    XCTFail("element \(i): got \(a[i]) expected \(b[i])", file: file, line: line)
    return
  }
}
