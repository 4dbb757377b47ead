import Foundation
import UBoostTensor

// MARK: - The bilevel search loop

/// Trains a supernet: per epoch, the first `weightVsArch` of the steps update the weights
/// (SGD + grad-norm clip), the rest update the alphas (Adam); then validation, tau annealing
/// (x tauDecay, floor tauMin), the StepLR schedule, stats and a checkpoint.
///
/// ```swift
/// let net = try Supernet(space: space, stage: .micro, seed: 1, cost: HardwareCost.systolic())
/// var cfg = SearchConfig(); cfg.epochs = 2; cfg.trainLimit = 2000
/// let loop = try SearchLoop(net: net, config: cfg, stage: "micro")
/// let stats = try loop.run(train: splits.train, valid: splits.valid)
/// print(try net.genotype)
/// ```
public final class SearchLoop {
  public let net: Supernet
  public let config: SearchConfig
  public let stage: String
  public var loss: SearchLoss
  /// Directory for `<stage>_stats.json`, `<stage>_checkpoint.bin` (nil: nothing written).
  public var outputDir: String?
  /// Prices the derived architecture with the exact ceiling / the simulator for the stats (nil: skipped).
  public var exactCost: LayerCostEvaluator?
  public var simulatorCost: LayerCostEvaluator?
  /// Continue from `<stage>_checkpoint.bin` in `outputDir` when it exists.
  public var resume: Bool = true
  /// Names of the settings in a refused resume's message (the caller's names, e.g. `lr`).
  public var settingNames: [String: String] = [:]
  /// Where the progress bar and log lines go.
  public var progress = ProgressOutput()
  /// Called after every epoch (the language layer hooks in here).
  public var onEpoch: ((EpochStats) -> Void)?

  public private(set) var stats: [EpochStats] = []
  let sgd: SGD
  let adam: Adam

  public init(net: Supernet, config: SearchConfig, stage: String, loss: SearchLoss? = nil, outputDir: String? = nil) throws {
    try config.validate()
    self.net = net; self.config = config; self.stage = stage; self.outputDir = outputDir
    self.loss = loss ?? SearchLosses.hardwareAware(latCoef: config.latCoef, utilCoef: config.utilCoef)
    sgd = try SGD(lr: config.weightLR, momentum: config.weightMomentum, weightDecay: config.weightDecay)
    adam = try Adam(lr: max(config.archLR, 1e-12), weightDecay: config.archWeightDecay)
    net.tau = config.tauInit
    if net.stage == .micro { net.relaxation = config.relaxation }
  }

  var checkpointPath: String? { outputDir.map { ($0 as NSString).appendingPathComponent("\(stage)_checkpoint.bin") } }
  var statsPath: String? { outputDir.map { ($0 as NSString).appendingPathComponent("\(stage)_stats.json") } }

  // MARK: - The session: what a loop does around its steps
  //
  // `run` below is the engine's loop; the language's `search()` (stdlib/search.uboost) is the
  // same loop written in uboost. Both call these methods for everything that is not the step
  // itself, so data order, resume, validation, cost records, progress, stats and checkpoints
  // are one code: begin → per epoch (beginEpoch → per batch (checkedLoss, recordStep) → endEpoch).

  /// The training batches (shuffled per epoch by `config.seed`); nil before `begin`.
  public private(set) var loader: DataLoader?
  var valid: Dataset?
  var metrics = RunningMetrics()
  var lastLat: Float = 0, lastUtil: Float = 0
  var bar: Progress?
  var epochStart = Date()
  var epochTau: Float = 0

  /// Checks the data, prepares `outputDir`, resumes from its checkpoint when there is one
  /// (restoring the weights, alphas, tau and the earlier epochs' stats) and returns the first
  /// epoch to run.
  public func begin(train: Dataset, valid: Dataset?) throws -> Int {
    try checkData(train)
    if let v = valid { try checkData(v) }
    if let d = outputDir { try AtomicFile.prepareDirectory(d) }
    var startEpoch = 0
    if resume, let p = checkpointPath, FileManager.default.fileExists(atPath: p) {
      let ck = try Checkpoint.load(from: p, into: net, stage: stage, settings: Checkpoint.settings(of: config), settingNames: settingNames)
      startEpoch = ck.epoch + 1
      stats = ck.stats
      net.tau = ck.tau
      progress.log("\(stage): resumed from \(p) after epoch \(ck.epoch + 1)")
    }
    let l = try DataLoader(train, batch: config.batch, shuffle: true, seed: config.seed, limit: config.trainLimit)
    guard l.batchCount > 0 else { throw NASError.invalidConfig("\(stage): no training batches") }
    loader = l
    self.valid = valid
    return startEpoch
  }

  /// Starts epoch `epoch` (0-based): its shuffle (`loader` then yields its batches), its
  /// progress bar, its metrics.
  public func beginEpoch(_ epoch: Int) throws {
    guard var l = loader else { throw NASError.invalidConfig("\(stage): beginEpoch before begin") }
    l.epoch = epoch
    loader = l
    epochStart = Date()
    epochTau = net.tau
    metrics = RunningMetrics()
    lastLat = 0; lastUtil = 0
    bar = Progress(title: "\(stage) \(epoch + 1)/\(config.epochs)", total: l.batchCount, output: progress)
  }

  /// The example indices of the current epoch's batches, in order (what `loader` yields).
  public func epochBatches() -> [[Int]] {
    guard let l = loader else { return [] }
    let order = l.order()
    return stride(from: 0, to: order.count, by: l.batchSize).map { Array(order[$0..<Swift.min($0 + l.batchSize, order.count)]) }
  }

  /// The loss of one step as a number; a loss that is not finite stops the search.
  public func checkedLoss(_ l: Tensor, epoch: Int, step: Int) throws -> Float {
    let lv = try l.item()
    guard lv.isFinite else { throw NASError.nanLoss(stage: stage, epoch: epoch + 1, step: step + 1) }
    return lv
  }

  /// Adds a finished step (0-based `step`) to the epoch's metrics and progress bar.
  public func recordStep(_ step: Int, logits: Tensor, latency: Float, util: Float, loss: Float, labels: [Int]) throws {
    let top1 = try topkAccuracy(logits, labels, k: 1)
    let top5 = try topkAccuracy(logits, labels, k: min(5, net.space.classes))
    metrics.add(count: labels.count, loss: loss, top1: top1, top5: top5)
    lastLat = latency; lastUtil = util
    bar?.update(step: step + 1, loss: Float(metrics.meanLoss), acc: Float(metrics.meanTop1), latency: lastLat, util: lastUtil)
  }

  /// Ends epoch `epoch`: validation, the derived genotype and its exact / simulated cost, then
  /// tau becomes `nextTau` (the annealing, method.md §5), the stats file and the checkpoint are
  /// written and `onEpoch` is called. Returns the epoch's stats.
  @discardableResult
  public func endEpoch(_ epoch: Int, nextTau: Float) throws -> EpochStats {
    var st = EpochStats(stage: stage, epoch: epoch + 1, tau: Double(epochTau), trainLoss: metrics.meanLoss,
                        trainTop1: metrics.meanTop1, trainTop5: metrics.meanTop5,
                        latencySmoothMs: Double(lastLat), utilSmooth: Double(lastUtil), seconds: 0)
    if let v = valid {
      let e = try Evaluation.run(net, v, batch: max(config.batch, 128), limit: config.validLimit, loss: loss)
      st.validLoss = e.loss; st.validTop1 = e.top1; st.validTop5 = e.top5
    }
    if let g = try? net.genotype {
      st.genotype = g.description
      let stacks = net.stage == .micro ? net.space.microStacks : net.space.channelStacks
      if let ex = exactCost, let r = try? ArchitectureCost.evaluate(space: net.space, genotype: g, stacks: stacks, evaluator: ex, mode: net.aggregation) {
        st.latencyExactMs = r.latencyMs; st.utilExact = r.util
      }
      if let sim = simulatorCost, let r = try? ArchitectureCost.evaluate(space: net.space, genotype: g, stacks: stacks, evaluator: sim, mode: net.aggregation) {
        st.latencySimMs = r.latencyMs; st.utilSim = r.util
      }
    }
    st.alphas = AlphaMatrix(net).rows
    net.tau = nextTau
    st.seconds = Date().timeIntervalSince(epochStart)
    bar?.finish(summary: String(format: "train %.1f%%%@, %.1fs", st.trainTop1 * 100,
                                     st.validTop1.map { String(format: ", valid %.1f%%", $0 * 100) } ?? "", st.seconds))
    bar = nil
    stats.append(st)
    onEpoch?(st)
    if let p = statsPath { try StatsFile.write(stats, to: p) }
    if let p = checkpointPath { try Checkpoint(stage: stage, epoch: epoch, tau: net.tau, stats: stats, settings: Checkpoint.settings(of: config)).save(net, to: p) }
    return st
  }

  // MARK: - The engine's loop

  /// Runs the remaining epochs and returns all epochs' stats.
  @discardableResult
  public func run(train: Dataset, valid: Dataset?) throws -> [EpochStats] {
    let startEpoch = try begin(train: train, valid: valid)
    let weights = net.weights
    let alphas = net.optimizerAlphas
    let edgeAlphas = net.edgeAlphaTensors
    // The auxiliary skip is scaffolding of the search: the searched network keeps none of it.
    defer { net.auxSkip = 0 }
    for epoch in startEpoch..<max(startEpoch, config.epochs) {
      try beginEpoch(epoch)
      guard let epochLoader = loader else { break }
      sgd.lr = config.weightLR * Foundation.pow(config.lrGamma, Float(epoch / config.lrStepEpochs))
      let steps = epochLoader.batchCount
      // Warm-up epochs train only the weights.
      let warm = epoch < config.warmupEpochs
      let weightSteps = warm ? steps : Int((Double(steps) * config.weightVsArch).rounded(.up))
      let betaWeight = SearchRegularizers.linearRamp(peak: config.betaDecay, epoch: epoch, warmup: config.warmupEpochs, epochs: config.epochs)
      let zeroOneWeight: Float = config.relaxation == .sigmoid ? config.zeroOneCoef : 0
      net.auxSkip = config.auxSkip && net.stage == .micro
        ? SearchRegularizers.auxSkipWeight(epoch: epoch, warmup: config.warmupEpochs, epochs: config.epochs) : 0
      for (step, batch) in epochLoader.enumerated() {
        try EngineInterrupt.check()
        let archStep = step >= weightSteps && config.archLR > 0 && !alphas.isEmpty
        // Only the tensors this step updates need gradients.
        for w in weights { w.trainable(!archStep) }
        for a in alphas { a.trainable(archStep) }
        defer { for w in weights { w.trainable(true) }; for a in alphas { a.trainable(true) } }
        let out = try net.forward(batch.x, training: true)
        let l = try loss(out, batch.y)
        let lv = try checkedLoss(l, epoch: epoch, step: step)
        var objective = l
        if archStep && !edgeAlphas.isEmpty {
          // Regularisers of the architecture weights act on the alpha steps only.
          if betaWeight > 0 { objective = try objective + (try SearchRegularizers.betaDecay(edgeAlphas) * betaWeight) }
          if zeroOneWeight > 0 { objective = try objective + (try SearchRegularizers.zeroOne(edgeAlphas) * zeroOneWeight) }
        }
        if objective.requiresGrad { try objective.backward() }
        if archStep {
          try adam.step(alphas)
          zeroGrad(alphas)
        } else {
          try sgd.step(weights, clippingTo: config.gradClip)  // gradClip <= 0: unclipped
          zeroGrad(weights)
        }
        try recordStep(step, logits: out.logits, latency: out.latency.data.first ?? 0, util: out.util.data.first ?? 0,
                       loss: lv, labels: batch.y)
      }
      // Anneal after the epoch (method.md §5).
      try endEpoch(epoch, nextTau: max(net.tau * config.tauDecay, config.tauMin))
    }
    return stats
  }

  func checkData(_ d: Dataset) throws {
    let s = net.space.input
    guard d.shape == s else {
      throw NASError.badInput("data set \(d.name) has images \(d.shape), the network expects \(s)")
    }
    guard d.classes <= net.space.classes else {
      throw NASError.badInput("data set \(d.name) has \(d.classes) classes, the network \(net.space.classes)")
    }
  }
}

// MARK: - Evaluation

/// Loss and top-1 / top-5 accuracy of a network on a data set (eval mode, no gradients).
public enum Evaluation {
  public struct Result: Equatable { public var loss: Double; public var top1: Double; public var top5: Double; public var count: Int }

  /// ```swift
  /// let r = try Evaluation.run(net, splits.test)
  /// print(r.top1)
  /// ```
  public static func run(_ net: Supernet, _ data: Dataset, batch: Int = 256, limit: Int? = nil, loss: SearchLoss? = nil) throws -> Result {
    let loader = try DataLoader(data, batch: batch, limit: limit)
    var m = RunningMetrics()
    let lossFn = loss ?? SearchLosses.crossEntropyOnly
    try withNoGrad {
      for b in loader {
        try EngineInterrupt.check()
        let out = try net.forward(b.x, training: false)
        let l = try lossFn(out, b.y).item()
        m.add(count: b.y.count, loss: l, top1: try topkAccuracy(out.logits, b.y, k: 1),
              top5: try topkAccuracy(out.logits, b.y, k: min(5, net.space.classes)))
      }
    }
    return Result(loss: m.meanLoss, top1: m.meanTop1, top5: m.meanTop5, count: m.n)
  }
}
