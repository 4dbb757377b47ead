import Foundation

// MARK: - Adam

/// Adam with L2 weight decay added to the gradient (PyTorch `Adam`, not `AdamW`), bias-corrected
/// moments and a per-parameter step count. The moments belong to the parameters: a new `lr` (a
/// schedule) or `configure` keeps them.
///
/// ```swift
/// let arch = try Adam(lr: 0.1)
/// try arch.step(alphas)
/// try arch.configure(lr: 0.05, beta1: 0.9, beta2: 0.999, weightDecay: 0)   // moments kept
/// ```
public final class Adam: Optimizer {
  public var lr: Float
  public private(set) var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
  private struct State { var m: [Float]; var v: [Float]; var t: Int }
  private var states = ParameterStates<State>()

  public init(lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0) throws {
    try Adam.check(lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    self.lr = lr
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
  }

  public func reset(_ params: [Tensor]) { for p in params { states.remove(p) } }

  static func check(lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float) throws {
    guard lr >= 0, lr.isFinite else { throw TensorError.invalidArgument(op: "Adam", detail: "lr must be >= 0, got \(lr)") }
    guard beta1 >= 0, beta1 < 1, beta2 >= 0, beta2 < 1 else {
      throw TensorError.invalidArgument(op: "Adam", detail: "betas must be in [0, 1), got \(beta1), \(beta2)")
    }
    guard eps > 0, weightDecay >= 0, weightDecay.isFinite else { throw TensorError.invalidArgument(op: "Adam", detail: "need eps > 0 and weightDecay >= 0") }
  }

  /// Sets the hyper-parameters for the next steps; moments and step counts stay.
  public func configure(lr: Float, beta1: Float, beta2: Float, eps: Float = 1e-8, weightDecay: Float) throws {
    try Adam.check(lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
  }

  public func step(_ params: [Tensor], gradScale: Float) throws {
    try checkGradScale(gradScale, op: "Adam")
    let s = gradScale
    for p in params {
      guard let g = try checkedGrad(p, op: "Adam") else { continue }
      let n = p.count
      var st = states.take(p, count: n)
        ?? State(m: [Float](repeating: 0, count: n), v: [Float](repeating: 0, count: n), t: 0)
      st.t += 1
      let bc1 = 1 - Foundation.pow(Double(beta1), Double(st.t)), bc2 = 1 - Foundation.pow(Double(beta2), Double(st.t))
      let stepSize = Float(Double(lr) / bc1), sqrtBc2 = Float(bc2.squareRoot())
      let (b1, b2, eps, wd) = (beta1, beta2, eps, weightDecay)
      p.data.withUnsafeMutableBufferPointer { pp in
        g.withUnsafeBufferPointer { gp in
          st.m.withUnsafeMutableBufferPointer { mp in
            st.v.withUnsafeMutableBufferPointer { vp in
              guard let pb = pp.baseAddress, let gb = gp.baseAddress, let mb = mp.baseAddress, let vb = vp.baseAddress else { return }
              for i in 0..<n {
                let d = gb[i] * s + wd * pb[i]
                mb[i] = b1 * mb[i] + (1 - b1) * d
                vb[i] = b2 * vb[i] + (1 - b2) * d * d
                pb[i] -= stepSize * mb[i] / (vb[i].squareRoot() / sqrtBc2 + eps)
              }
            }
          }
        }
      }
      states.put(st, for: p)
    }
  }
}
