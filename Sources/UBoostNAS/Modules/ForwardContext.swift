import UBoostTensor

// MARK: - Aggregation of hardware costs

/// How layer costs add up to a network's latency and utilization.
public enum AggregationMode: String, Codable, Sendable {
  /// The reference implementation: an edge averages latency over its costed ops only (zero and
  /// identity never lower latency), network utilization is the SUM over cells, dilated convs are
  /// priced as plain convs, shared micro alphas are stepped once per cell.
  case reference
  /// Default: edge latency = sum g_k t_k (zero / identity cost nothing), utilization = mean over
  /// cells, shared alphas stepped once.
  case standard
}

// MARK: - Per-forward state

/// What one forward pass needs besides the input: mode, temperature, noise, cost model.
final class ForwardContext {
  var training: Bool
  var tau: Float
  var rng: RandomSource
  /// Gumbel noise on (search) or off (deterministic softmax(alpha / tau): golden tests, eval).
  var noise: Bool
  var cost: LayerCostEvaluator?
  var mode: AggregationMode
  /// How edge alphas become op weights (channel alphas always use gumbel-softmax).
  var relaxation: ArchRelaxation = .gumbelSoftmax
  /// DARTS-'s auxiliary skip weight added to every mixed edge (0: none).
  var auxSkip: Float = 0
  /// Where a searched conv's channel mask sits.
  var maskPlacement: MaskPlacement = .afterActivation

  init(training: Bool, tau: Float, rng: RandomSource, noise: Bool, cost: LayerCostEvaluator?, mode: AggregationMode) {
    self.training = training; self.tau = tau; self.rng = rng; self.noise = noise; self.cost = cost; self.mode = mode
  }

  /// Op weights of a micro-search edge: gumbel-softmax, or Fair-DARTS' independent sigmoids.
  func relaxEdge(_ alpha: Tensor) throws -> Tensor {
    switch relaxation {
    case .gumbelSoftmax: return try relax(alpha)
    case .sigmoid: return alpha.sigmoid()
    }
  }

  /// Relaxed one-hot weights of `alpha` (gumbel-softmax, or plain softmax(alpha/tau) without noise).
  func relax(_ alpha: Tensor) throws -> Tensor {
    try gumbelSoftmax(alpha, tau: tau, rng: &rng, hard: false, noise: noise)
  }
}

// MARK: - Initialization

enum Init {
  /// He-normal weights (std sqrt(2 / fanIn)).
  static func heNormal(_ shape: [Int], fanIn: Int, rng: inout RandomSource) throws -> Tensor {
    try Tensor.randn(shape, mean: 0, std: Float((2.0 / Double(max(fanIn, 1))).squareRoot()), rng: &rng)
  }
  /// U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (linear layers, biases).
  static func uniformFan(_ shape: [Int], fanIn: Int, rng: inout RandomSource) throws -> Tensor {
    let b = Float(1 / Double(max(fanIn, 1)).squareRoot())
    return try Tensor.rand(shape, lo: -b, hi: b, rng: &rng)
  }
}
