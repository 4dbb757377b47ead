import Foundation

// MARK: - Softmax kernels

/// Softmax (or log-softmax) along the middle axis of an `[outer, len, inner]` view.
func softmaxForward(_ x: [Float], _ v: AxisView, log: Bool) -> [Float] {
  let (outer, len, inner) = (v.outer, v.len, v.inner)
  var y = [Float](repeating: 0, count: x.count)
  y.withUnsafeMutableBufferPointer { yp in
    x.withUnsafeBufferPointer { xp in
      guard let yb = yp.baseAddress, let xb = xp.baseAddress else { return }
      Parallel.forRanges(outer * inner, grain: 64) { r in
        for t in r {
          let i = t / inner, j = t - (t / inner) * inner
          let base = i * len * inner + j
          var mx = -Float.infinity
          for k in 0..<len { mx = Swift.max(mx, xb[base + k * inner]) }
          if mx == -.infinity { mx = 0 }
          var s: Float = 0
          for k in 0..<len {
            let e = Foundation.exp(xb[base + k * inner] - mx)
            yb[base + k * inner] = e
            s += e
          }
          if log {
            let ls = Foundation.log(s) + mx
            for k in 0..<len { yb[base + k * inner] = xb[base + k * inner] - ls }
          } else {
            let inv = 1 / s
            for k in 0..<len { yb[base + k * inner] *= inv }
          }
        }
      }
    }
  }
  return y
}

/// Backward of softmax (`log == false`: dx = y * (g - <g, y>)) or log-softmax
/// (`log == true`, `y` the log-probabilities: dx = g - exp(y) * sum(g)).
func softmaxBackward(_ g: [Float], _ y: [Float], _ v: AxisView, log: Bool) -> [Float] {
  let (outer, len, inner) = (v.outer, v.len, v.inner)
  var d = [Float](repeating: 0, count: g.count)
  d.withUnsafeMutableBufferPointer { dp in
    g.withUnsafeBufferPointer { gp in
      y.withUnsafeBufferPointer { yp in
        guard let db = dp.baseAddress, let gb = gp.baseAddress, let yb = yp.baseAddress else { return }
        Parallel.forRanges(outer * inner, grain: 64) { r in
          for t in r {
            let i = t / inner, j = t - (t / inner) * inner
            let base = i * len * inner + j
            var s: Float = 0
            if log {
              for k in 0..<len { s += gb[base + k * inner] }
              for k in 0..<len { let q = base + k * inner; db[q] = gb[q] - Foundation.exp(yb[q]) * s }
            } else {
              for k in 0..<len { s += gb[base + k * inner] * yb[base + k * inner] }
              for k in 0..<len { let q = base + k * inner; db[q] = yb[q] * (gb[q] - s) }
            }
          }
        }
      }
    }
  }
  return d
}

// MARK: - softmax / logSoftmax

/// Softmax along `axis` (default the last).
///
/// ```swift
/// let p = try softmax(logits)          // rows sum to 1
/// ```
public func softmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
  let v = try AxisView(x.shape, axis: axis, keepDims: true, op: "softmax")
  let y = softmaxForward(x.data, v, log: false)
  return Tensor.record(op: "softmax", shape: x.shape, data: y, parents: [x]) { [weak x] g in
    guard let x = x, x.requiresGrad else { return }
    x.accumulateGrad(softmaxBackward(g, y, v, log: false))
  }
}

/// Log-softmax along `axis` (default the last), computed stably (max-shifted).
public func logSoftmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
  let v = try AxisView(x.shape, axis: axis, keepDims: true, op: "logSoftmax")
  let y = softmaxForward(x.data, v, log: true)
  return Tensor.record(op: "logSoftmax", shape: x.shape, data: y, parents: [x]) { [weak x] g in
    guard let x = x, x.requiresGrad else { return }
    x.accumulateGrad(softmaxBackward(g, y, v, log: true))
  }
}

// MARK: - Gumbel-softmax

/// Gumbel-softmax over the last axis: `softmax((alpha + G) / tau)` with standard Gumbel noise G
/// drawn from `rng` (no noise when `noise == false`). With `hard` the forward value is the one-hot
/// of the arg-max and the gradient is that of the soft sample (straight-through).
///
/// ```swift
/// var rng = RandomSource(seed: 1)
/// let g = try gumbelSoftmax(alphas, tau: 1.0, rng: &rng)
/// ```
public func gumbelSoftmax(_ alpha: Tensor, tau: Float, rng: inout RandomSource, hard: Bool = false,
                          noise: Bool = true) throws -> Tensor {
  guard tau > 0, tau.isFinite else { throw TensorError.invalidArgument(op: "gumbelSoftmax", detail: "temperature must be > 0, got \(tau)") }
  guard alpha.rank >= 1, alpha.shape[alpha.rank - 1] >= 1 else {
    throw TensorError.invalidShape(op: "gumbelSoftmax", shape: alpha.shape, detail: "needs a non-empty last axis")
  }
  let v = try AxisView(alpha.shape, axis: -1, keepDims: true, op: "gumbelSoftmax")
  var z = alpha.data
  for i in 0..<z.count { z[i] = (z[i] + (noise ? Float(rng.gumbel()) : 0)) / tau }
  let y = softmaxForward(z, v, log: false)
  var out = y
  if hard {
    let len = v.len
    for row in 0..<(y.count / len) {
      var bi = 0
      for k in 1..<len where y[row * len + k] > y[row * len + bi] { bi = k }
      for k in 0..<len { out[row * len + k] = k == bi ? 1 : 0 }
    }
  }
  return Tensor.record(op: "gumbelSoftmax", shape: alpha.shape, data: out, parents: [alpha]) { [weak alpha] g in
    guard let a = alpha, a.requiresGrad else { return }
    var d = softmaxBackward(g, y, v, log: false)
    let inv = 1 / tau
    for i in 0..<d.count { d[i] *= inv }
    a.accumulateGrad(d)
  }
}
