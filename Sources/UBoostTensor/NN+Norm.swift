// MARK: - Batch normalization (2-D)

/// Functional batch norm over NCHW `x` (statistics per channel over N, H, W).
///
/// Training: normalizes with the batch mean and biased variance, and updates the running
/// statistics in place: `running = (1 - momentum) * running + momentum * batch` (the running
/// variance uses the unbiased batch variance, as PyTorch). Evaluation: normalizes with the running
/// statistics. `weight`/`bias` (`[C]`, optional) are the affine scale and shift.
///
/// `relu: true` applies ReLU in the same pass (`batchNorm2d(...).relu()` with the same values and
/// gradients, bit for bit): the normalized tensor before the ReLU is never stored, which saves a
/// read and a write of the activation forward, the ReLU's gradient pass backward, and one
/// activation-sized array per conv unit of a supernet's tape.
///
/// ```swift
/// var rm = [Float](repeating: 0, count: 8), rv = [Float](repeating: 1, count: 8)
/// let y = try batchNorm2d(x, weight: gamma, bias: beta, runningMean: &rm, runningVar: &rv, training: true)
/// let z = try batchNorm2d(x, weight: gamma, bias: beta, runningMean: &rm, runningVar: &rv, training: true, relu: true)
/// ```
public func batchNorm2d(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: inout [Float], runningVar: inout [Float],
                        training: Bool, momentum: Float = 0.1, eps: Float = 1e-5, relu: Bool = false) throws -> Tensor {
  let op = relu ? "batchNorm2d+relu" : "batchNorm2d"
  guard x.rank == 4 else { throw TensorError.invalidShape(op: op, shape: x.shape, detail: "input must be [N, C, H, W]") }
  let (n, c) = (x.shape[0], x.shape[1]), hw = x.shape[2] * x.shape[3]
  for (t, name) in [(weight, "weight"), (bias, "bias")] {
    if let t = t, t.shape != [c] {
      throw TensorError.shapeMismatch(op: op, shapes: [x.shape, t.shape], detail: "\(name) must be [C] = [\(c)]")
    }
  }
  guard runningMean.count == c, runningVar.count == c else {
    throw TensorError.shapeMismatch(op: op, shapes: [x.shape, [runningMean.count], [runningVar.count]], detail: "running statistics must have C entries")
  }
  guard eps > 0, momentum >= 0, momentum <= 1 else {
    throw TensorError.invalidArgument(op: op, detail: "need eps > 0 and momentum in [0, 1]")
  }
  let m = n * hw
  if training && m <= 1 {
    throw TensorError.invalidShape(op: op, shape: x.shape, detail: "training batch norm needs more than one value per channel")
  }
  let xd = x.data
  var mean = [Float](repeating: 0, count: c), invStd = [Float](repeating: 0, count: c)
  if training {
    // Per-channel mean and variance in double (two passes), parallel over channels.
    var varB = [Float](repeating: 0, count: c)
    mean.withUnsafeMutableBufferPointer { mp in
      varB.withUnsafeMutableBufferPointer { vp in
        xd.withUnsafeBufferPointer { xp in
          guard let mb = mp.baseAddress, let vb = vp.baseAddress, let xb = xp.baseAddress else { return }
          Parallel.forRanges(c, grain: 1) { r in
            for ch in r {
              var s: Double = 0
              for img in 0..<n {
                let row = xb + (img * c + ch) * hw
                s += Double(VecOps.sum(row, hw))
              }
              let mu = Float(s / Double(m))
              var q: Double = 0
              for img in 0..<n {
                let row = xb + (img * c + ch) * hw
                q += Double(VecOps.sumSquaredDeviation(row, hw, mu))
              }
              mb[ch] = mu
              vb[ch] = Float(q / Double(m))
            }
          }
        }
      }
    }
    for ch in 0..<c {
      invStd[ch] = 1 / (varB[ch] + eps).squareRoot()
      runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mean[ch]
      runningVar[ch] = (1 - momentum) * runningVar[ch] + momentum * varB[ch] * Float(m) / Float(m - 1)
    }
  } else {
    for ch in 0..<c {
      mean[ch] = runningMean[ch]
      invStd[ch] = 1 / (Swift.max(runningVar[ch], 0) + eps).squareRoot()
    }
  }
  let gamma = weight?.data, beta = bias?.data
  // y = xhat * gamma + beta = x * scale + shift per channel (then max(y, 0) with relu).
  var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
  for ch in 0..<c {
    let gm = gamma?[ch] ?? 1
    scale[ch] = gm * invStd[ch]
    shift[ch] = (beta?[ch] ?? 0) - mean[ch] * scale[ch]
  }
  var out = uninitializedFloats(xd.count)  // every element written below
  out.withUnsafeMutableBufferPointer { op in
    xd.withUnsafeBufferPointer { xp in
      guard let o = op.baseAddress, let xb = xp.baseAddress else { return }
      Parallel.forRanges(n * c, grain: 8) { r in
        for t in r {
          let ch = t % c, sc = scale[ch], sh = shift[ch]
          let src = xb + t * hw, dst = o + t * hw
          if relu {
            for j in 0..<hw { let v = src[j] * sc + sh; dst[j] = v > 0 ? v : 0 }
          } else {
            for j in 0..<hw { dst[j] = src[j] * sc + sh }
          }
        }
      }
    }
  }
  var parents = [x]
  if let w = weight { parents.append(w) }
  if let b = bias { parents.append(b) }
  // With relu the gradient reaching the normalization is g where the output is positive, 0
  // elsewhere (the unfused ReLU's `x > 0 ? g : 0`: out > 0 exactly where the normalized x > 0).
  let kept = relu ? out : []
  return Tensor.record(op: op, shape: x.shape, data: out, parents: parents) { [weak x, weak weight, weak bias] g in
    // Per channel: sum(g) and sum(g * xhat).
    var sg = [Float](repeating: 0, count: c), sgx = [Float](repeating: 0, count: c)
    sg.withUnsafeMutableBufferPointer { sp in
      sgx.withUnsafeMutableBufferPointer { sxp in
        g.withUnsafeBufferPointer { gp in
          xd.withUnsafeBufferPointer { xp in
            kept.withUnsafeBufferPointer { kp in
              guard let sb = sp.baseAddress, let sxb = sxp.baseAddress, let gb = gp.baseAddress, let xb = xp.baseAddress else { return }
              let ob = relu ? kp.baseAddress : nil  // an empty array may still have a base address
              Parallel.forRanges(c, grain: 1) { r in
                for ch in r {
                  var a: Double = 0, b: Double = 0
                  let mu = mean[ch], inv = invStd[ch]
                  for img in 0..<n {
                    let at = (img * c + ch) * hw
                    let grow = gb + at, xrow = xb + at
                    let (pa, pd) = ob.map { VecOps.maskedSumAndDot(grow, where: $0 + at, xrow, hw) }
                      ?? (VecOps.sum(grow, hw), VecOps.dot(grow, xrow, hw))
                    a += Double(pa)
                    b += Double((pd - mu * pa) * inv)
                  }
                  sb[ch] = Float(a); sxb[ch] = Float(b)
                }
              }
            }
          }
        }
      }
    }
    if let w = weight, w.requiresGrad { w.accumulateGrad(sgx) }
    if let b = bias, b.requiresGrad { b.accumulateGrad(sg) }
    guard let x = x, x.requiresGrad else { return }
    var dx = uninitializedFloats(xd.count)  // every element written below
    dx.withUnsafeMutableBufferPointer { dp in
      g.withUnsafeBufferPointer { gp in
        xd.withUnsafeBufferPointer { xp in
          kept.withUnsafeBufferPointer { kp in
            guard let db = dp.baseAddress, let gb = gp.baseAddress, let xb = xp.baseAddress else { return }
            let ob = relu ? kp.baseAddress : nil  // an empty array may still have a base address
            let fm = Float(m)
            Parallel.forRanges(n * c, grain: 8) { r in
              for t in r {
                let ch = t % c
                let gm = gamma?[ch] ?? 1, inv = invStd[ch], mu = mean[ch]
                let src = gb + t * hw, xrow = xb + t * hw, dst = db + t * hw
                if training {
                  // dx = gamma * inv / m * (m * g - sum(g) - xhat * sum(g * xhat))
                  let k = gm * inv / fm, a = sg[ch], b = sgx[ch]
                  if let orow = ob.map({ $0 + t * hw }) {
                    for j in 0..<hw {
                      let xh = (xrow[j] - mu) * inv, gj: Float = orow[j] > 0 ? src[j] : 0
                      dst[j] = k * (fm * gj - a - xh * b)
                    }
                  } else {
                    for j in 0..<hw {
                      let xh = (xrow[j] - mu) * inv
                      dst[j] = k * (fm * src[j] - a - xh * b)
                    }
                  }
                } else {
                  let k = gm * inv
                  if let orow = ob.map({ $0 + t * hw }) {
                    for j in 0..<hw { dst[j] = k * (orow[j] > 0 ? src[j] : 0) }
                  } else {
                    for j in 0..<hw { dst[j] = k * src[j] }
                  }
                }
              }
            }
          }
        }
      }
    }
    x.accumulateGrad(dx)
  }
}

/// A batch-norm layer that owns its affine parameters and running statistics.
///
/// ```swift
/// let bn = BatchNorm2d(channels: 16)
/// let y = try bn(x, training: true)
/// ```
public final class BatchNorm2d {
  public let channels: Int
  public var momentum: Float
  public var eps: Float
  /// Whether `weight` and `bias` are used and trained.
  public let affine: Bool
  /// Scale (ones) and shift (zeros); trainable when `affine`, unused otherwise.
  public let weight: Tensor
  public let bias: Tensor
  public var runningMean: [Float]
  public var runningVar: [Float]

  public init(channels: Int, momentum: Float = 0.1, eps: Float = 1e-5, affine: Bool = true) {
    let c = Swift.max(channels, 0)
    self.channels = c
    self.momentum = momentum
    self.eps = eps
    self.affine = affine
    weight = Tensor(uncheckedShape: [c], data: [Float](repeating: 1, count: c)).trainable(affine)
    bias = Tensor(uncheckedShape: [c], data: [Float](repeating: 0, count: c)).trainable(affine)
    runningMean = [Float](repeating: 0, count: c)
    runningVar = [Float](repeating: 1, count: c)
  }

  /// Trainable parameters (empty when not affine).
  public var parameters: [Tensor] { affine ? [weight, bias] : [] }

  /// Normalizes `x`; `relu: true` applies ReLU in the same pass (see `batchNorm2d`).
  public func callAsFunction(_ x: Tensor, training: Bool, relu: Bool = false) throws -> Tensor {
    try batchNorm2d(x, weight: affine ? weight : nil, bias: affine ? bias : nil, runningMean: &runningMean, runningVar: &runningVar,
                    training: training, momentum: momentum, eps: eps, relu: relu)
  }
}
