// MARK: - SGD

/// Stochastic gradient descent with momentum, L2 weight decay and Nesterov momentum (PyTorch
/// semantics, no dampening): `d = g + wd * p; buf = momentum * buf + d; d = nesterov ? d +
/// momentum * buf : buf; p -= lr * d` (the first step sets `buf = d`).
///
/// The momentum buffers belong to the parameters: changing `lr` (a schedule) or the other
/// hyper-parameters with `configure` keeps them. A buffer whose tensor was freed is never
/// handed to a new tensor that happens to get the same identity.
///
/// ```swift
/// let opt = try SGD(lr: 1e-3, momentum: 0.8, weightDecay: 3e-4)
/// try opt.configure(lr: 5e-4, momentum: 0.8, weightDecay: 3e-4)   // buffers kept
/// ```
public final class SGD: Optimizer {
  public var lr: Float
  public private(set) var momentum: Float
  public private(set) var weightDecay: Float
  public private(set) var nesterov: Bool
  private var buffers = ParameterStates<[Float]>()

  public init(lr: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) throws {
    try SGD.check(lr: lr, momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
    self.lr = lr
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.nesterov = nesterov
  }

  static func check(lr: Float, momentum: Float, weightDecay: Float, nesterov: Bool) throws {
    guard lr >= 0, lr.isFinite else { throw TensorError.invalidArgument(op: "SGD", detail: "lr must be >= 0, got \(lr)") }
    guard momentum >= 0, momentum < 1 else { throw TensorError.invalidArgument(op: "SGD", detail: "momentum must be in [0, 1), got \(momentum)") }
    guard weightDecay >= 0, weightDecay.isFinite else { throw TensorError.invalidArgument(op: "SGD", detail: "weightDecay must be >= 0") }
    guard !nesterov || momentum > 0 else { throw TensorError.invalidArgument(op: "SGD", detail: "Nesterov momentum needs momentum > 0") }
  }

  public func reset(_ params: [Tensor]) { for p in params { buffers.remove(p) } }

  /// Sets the hyper-parameters for the next steps; the momentum buffers stay.
  public func configure(lr: Float, momentum: Float, weightDecay: Float, nesterov: Bool = false) throws {
    try SGD.check(lr: lr, momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
    self.lr = lr; self.momentum = momentum; self.weightDecay = weightDecay; self.nesterov = nesterov
  }

  public func step(_ params: [Tensor], gradScale: Float) throws {
    try checkGradScale(gradScale, op: "SGD")
    let s = gradScale
    for p in params {
      guard let g = try checkedGrad(p, op: "SGD") else { continue }
      let n = p.count
      var buf = buffers.take(p, count: n) ?? []
      let first = buf.isEmpty
      if momentum > 0 && first { buf = [Float](repeating: 0, count: n) }
      let (lr, mu, wd, nest) = (lr, momentum, weightDecay, nesterov)
      p.data.withUnsafeMutableBufferPointer { pp in
        g.withUnsafeBufferPointer { gp in
          buf.withUnsafeMutableBufferPointer { bp in
            guard let pb = pp.baseAddress, let gb = gp.baseAddress else { return }
            // Elementwise, so split over the engine threads (large conv weights are millions).
            if mu == 0 {
              Parallel.forRanges(n, grain: 1 << 15) { r in for i in r { pb[i] -= lr * (gb[i] * s + wd * pb[i]) } }
              return
            }
            guard let bb = bp.baseAddress else { return }
            Parallel.forRanges(n, grain: 1 << 15) { r in
              for i in r {
                let d = gb[i] * s + wd * pb[i]
                let b = first ? d : mu * bb[i] + d
                bb[i] = b
                pb[i] -= lr * (nest ? d + mu * b : b)
              }
            }
          }
        }
      }
      if momentum > 0 { buffers.put(buf, for: p) }
    }
  }
}
