import UBoostTensor

// MARK: - Loss

/// The search objective: `(output, labels) -> scalar loss`. The language layer supplies its own;
/// the default is `cross_entropy + latCoef * latency_ms - utilCoef * utilization` (method.md §6).
public typealias SearchLoss = (SupernetOutput, [Int]) throws -> Tensor

public enum SearchLosses {
  /// CE + latCoef * latency - utilCoef * util.
  ///
  /// ```swift
  /// let loss = SearchLosses.hardwareAware(latCoef: 1, utilCoef: 0)   // latency only
  /// ```
  public static func hardwareAware(latCoef: Float, utilCoef: Float) -> SearchLoss {
    { out, y in
      var l = try crossEntropy(out.logits, y)
      if latCoef != 0 { l = try l + (try out.latency * latCoef) }
      if utilCoef != 0 { l = try l - (try out.util * utilCoef) }
      return l
    }
  }

  /// Plain cross-entropy (final training).
  public static let crossEntropyOnly: SearchLoss = { out, y in try crossEntropy(out.logits, y) }
}

// MARK: - Search settings

/// Settings of one search stage (micro or channel). Defaults are the reference's (method.md §6).
public struct SearchConfig: Codable, Equatable, Sendable {
  public var epochs: Int = 10
  public var batch: Int = 64
  /// Fraction of each epoch's steps that train weights; the rest train alphas.
  public var weightVsArch: Double = 0.8
  public var weightLR: Float = 1e-3
  public var weightMomentum: Float = 0.8
  public var weightDecay: Float = 3e-4
  public var gradClip: Float = 0.5
  public var lrStepEpochs: Int = 30
  public var lrGamma: Float = 0.5
  public var archLR: Float = 0.1
  public var archWeightDecay: Float = 0
  public var tauInit: Float = 1
  public var tauDecay: Float = 0.95
  public var tauMin: Float = 0.001
  public var latCoef: Float = 1
  public var utilCoef: Float = 1
  /// Use at most this many training / validation examples per epoch.
  public var trainLimit: Int? = nil
  public var validLimit: Int? = nil
  public var seed: UInt64 = 0

  // MARK: Countermeasures against collapse (micro search)

  /// The first `warmupEpochs` epochs train only the weights (alphas stay put), so the convs are
  /// trained before they compete with parameter-free ops.
  public var warmupEpochs: Int = 0
  /// beta-DARTS' beta-decay (Ye et al., CVPR 2022): `lambda * mean_e logsumexp(alpha_e)` is added
  /// to the loss of the alpha steps, lambda ramping linearly from 0 to this value (0: off).
  public var betaDecay: Float = 0
  /// DARTS-'s auxiliary skip (Chu et al., ICLR 2021): every mixed edge adds `beta * x`, beta
  /// decaying linearly from 1 to 0 over the alpha epochs, so the skip op no longer needs to win
  /// to pass gradients (false: off).
  public var auxSkip: Bool = false
  /// Softmax (gumbel) or Fair-DARTS' independent sigmoids over each edge's ops.
  public var relaxation: ArchRelaxation = .gumbelSoftmax
  /// Fair-DARTS' zero-one loss weight (applied with `.sigmoid` relaxation; the paper uses 10).
  public var zeroOneCoef: Float = 10

  public init() {}

  public func validate() throws {
    func check(_ ok: Bool, _ m: String) throws { if !ok { throw NASError.invalidConfig(m) } }
    try check(epochs >= 0 && epochs <= 100_000, "epochs must be in 0...100000, got \(epochs)")
    try check(batch >= 1 && batch <= 65536, "batch must be in 1...65536, got \(batch)")
    try check(warmupEpochs >= 0 && warmupEpochs <= epochs, "warm-up epochs must be in 0...epochs (\(epochs)), got \(warmupEpochs)")
    try check(betaDecay.isFinite && betaDecay >= 0, "beta decay must be finite and >= 0, got \(betaDecay)")
    try check(zeroOneCoef.isFinite && zeroOneCoef >= 0, "zero-one loss weight must be finite and >= 0, got \(zeroOneCoef)")
    try check(weightVsArch >= 0 && weightVsArch <= 1, "weightVsArch must be in 0...1, got \(weightVsArch)")
    try check(weightLR > 0 && weightLR.isFinite && archLR >= 0 && archLR.isFinite, "learning rates must be positive")
    try check(tauInit > 0 && tauDecay > 0 && tauDecay <= 1 && tauMin > 0, "tau settings must be positive (decay <= 1)")
    try check(lrStepEpochs >= 1, "lrStepEpochs must be >= 1")
    try check(latCoef.isFinite && utilCoef.isFinite, "cost coefficients must be finite")
  }
}

/// Settings of the final training (method.md §6: SGD Nesterov 0.9, lr 0.1, wd 5e-4, one-cycle, clip 0.5).
public struct TrainConfig: Codable, Equatable, Sendable {
  public var epochs: Int = 10
  public var batch: Int = 64
  public var lr: Float = 0.1
  public var momentum: Float = 0.9
  public var weightDecay: Float = 5e-4
  public var nesterov: Bool = true
  public var gradClip: Float = 0.5
  public var oneCycle: Bool = true
  public var augmentation: Augmentation? = Augmentation()
  public var trainLimit: Int? = nil
  public var seed: UInt64 = 0

  public init() {}

  public func validate() throws {
    func check(_ ok: Bool, _ m: String) throws { if !ok { throw NASError.invalidConfig(m) } }
    try check(epochs >= 0 && epochs <= 100_000, "epochs must be in 0...100000, got \(epochs)")
    try check(batch >= 1 && batch <= 65536, "batch must be in 1...65536, got \(batch)")
    try check(lr > 0 && lr.isFinite, "lr must be positive")
  }
}
