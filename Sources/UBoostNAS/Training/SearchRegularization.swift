import UBoostTensor

// MARK: - Relaxation of the edge alphas

/// How a micro-search edge turns its alphas into op weights.
public enum ArchRelaxation: String, Codable, Sendable, CaseIterable {
  /// Gumbel-softmax over the ops (SNAS / the reference; plain softmax(alpha / tau) without noise).
  case gumbelSoftmax = "gumbel"
  /// Independent sigmoids (Fair-DARTS, Chu et al., ECCV 2020): ops do not compete for one unit of
  /// weight, so a parameter-free op winning early cannot starve the convs ("unfair advantage").
  /// Usually paired with the zero-one loss (`SearchConfig.zeroOneCoef`).
  case sigmoid
}

// MARK: - Where the channel mask sits

/// Where the DMasking channel mask multiplies a searched conv's output.
public enum MaskPlacement: String, Codable, Sendable, CaseIterable {
  /// After batch norm and ReLU (FBNetV2, Wan et al., CVPR 2020): the masked channels are exactly
  /// zero downstream, so cross-entropy sees each width choice (the default).
  case afterActivation = "after_relu"
  /// Before batch norm (the reference implementation): BN re-normalises the masked channels, so
  /// the cross-entropy barely depends on the channel alphas.
  case beforeNorm = "before_bn"
}

// MARK: - Regularisers of the architecture weights

/// Loss terms on the edge alphas that counter DARTS' collapse onto parameter-free ops.
///
/// ```swift
/// let reg = try SearchRegularizers.betaDecay(net.alphas)          // mean_e logsumexp(alpha_e)
/// let total = try ce + reg * 0.5
/// ```
public enum SearchRegularizers {
  /// beta-DARTS' beta-decay loss (Ye et al., CVPR 2022): the mean over edges of
  /// `logsumexp(alpha_e)`. Its gradient is `softmax(alpha_e) / E`, so it shrinks the alphas that
  /// dominate and keeps the architecture weights' softmax from saturating early.
  public static func betaDecay(_ alphas: [Tensor]) throws -> Tensor {
    guard !alphas.isEmpty else { return Tensor(scalar: 0) }
    var terms: [Tensor] = []
    for a in alphas {
      // Shift by the (constant) maximum for a stable logsumexp; the shift has no gradient.
      let m = a.data.max() ?? 0
      terms.append(try (try (try a - m).exp().sum()).log() + m)
    }
    return try Tensor.stack(terms).mean()
  }

  /// Fair-DARTS' zero-one loss: `-mean((sigmoid(alpha) - 0.5)^2)`, pushing every sigmoid weight
  /// towards 0 or 1 so the derived architecture is close to the relaxed one.
  public static func zeroOne(_ alphas: [Tensor]) throws -> Tensor {
    guard !alphas.isEmpty else { return Tensor(scalar: 0) }
    let all = try Tensor.concat(alphas.map { try $0.reshaped([-1]) }, axis: 0)
    return try (try (try all.sigmoid() - 0.5).pow(2).mean()) * -1
  }

  /// The weight of a term that ramps linearly from 0 to `peak` over the alpha-training epochs
  /// (`epoch` counts from 0; the warm-up epochs give 0).
  public static func linearRamp(peak: Float, epoch: Int, warmup: Int, epochs: Int) -> Float {
    guard peak != 0, epoch >= warmup, epochs > warmup else { return 0 }
    return peak * Float(epoch - warmup + 1) / Float(epochs - warmup)
  }

  /// DARTS-'s auxiliary skip weight (Chu et al., ICLR 2021): 1 at the first alpha epoch, decaying
  /// linearly to 0 at the end of the search.
  public static func auxSkipWeight(epoch: Int, warmup: Int, epochs: Int) -> Float {
    guard epochs > 0 else { return 0 }
    if epoch < warmup { return 1 }
    let span = max(epochs - warmup, 1)
    return max(0, 1 - Float(epoch - warmup) / Float(span))
  }
}
