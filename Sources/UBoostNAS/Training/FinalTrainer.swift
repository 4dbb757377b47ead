import Foundation
import UBoostTensor

// MARK: - Final training of a derived network

/// Trains a final network (plain cross-entropy, SGD Nesterov, one-cycle, grad-norm clip,
/// random crop + flip), with per-epoch stats, checkpoints and resume like `SearchLoop`.
///
/// ```swift
/// let net = try Supernet(space: space, stage: .final, genotype: genotype, seed: 1)
/// var cfg = TrainConfig(); cfg.epochs = 3
/// let stats = try FinalTrainer(net: net, config: cfg).run(train: splits.train, valid: splits.valid)
/// ```
public final class FinalTrainer {
  public let net: Supernet
  public let config: TrainConfig
  public var outputDir: String?
  public var resume: Bool = true
  /// Names of the settings in a refused resume's message (the caller's names, e.g. `lr`).
  public var settingNames: [String: String] = [:]
  /// Where the progress bar and log lines go.
  public var progress = ProgressOutput()
  public var onEpoch: ((EpochStats) -> Void)?
  public private(set) var stats: [EpochStats] = []
  let sgd: SGD

  public init(net: Supernet, config: TrainConfig, outputDir: String? = nil) throws {
    try config.validate()
    self.net = net; self.config = config; self.outputDir = outputDir
    sgd = try SGD(lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay, nesterov: config.nesterov)
  }

  @discardableResult
  public func run(train: Dataset, valid: Dataset?) throws -> [EpochStats] {
    guard train.shape == net.space.input else {
      throw NASError.badInput("data set \(train.name) has images \(train.shape), the network expects \(net.space.input)")
    }
    if let d = outputDir { try AtomicFile.prepareDirectory(d) }
    let ckPath = outputDir.map { ($0 as NSString).appendingPathComponent("final_checkpoint.bin") }
    var start = 0
    if resume, let p = ckPath, FileManager.default.fileExists(atPath: p) {
      let ck = try Checkpoint.load(from: p, into: net, stage: "final", settings: Checkpoint.settings(of: config), settingNames: settingNames)
      start = ck.epoch + 1; stats = ck.stats
      progress.log("final: resumed from \(p) after epoch \(ck.epoch + 1)")
    }
    var loader = try DataLoader(train, batch: config.batch, shuffle: true, seed: config.seed, limit: config.trainLimit,
                                augmentation: config.augmentation)
    let steps = loader.batchCount
    guard steps > 0 else { throw NASError.invalidConfig("final: no training batches") }
    let schedule = try OneCycle(maxLR: config.lr, totalSteps: max(2, steps * config.epochs))
    let weights = net.weights
    for epoch in start..<max(start, config.epochs) {
      let t0 = Date()
      loader.epoch = epoch
      var m = RunningMetrics()
      let bar = Progress(title: "final \(epoch + 1)/\(config.epochs)", total: steps, output: progress)
      for (step, b) in loader.enumerated() {
        try EngineInterrupt.check()
        sgd.lr = config.oneCycle ? schedule.lr(at: epoch * steps + step) : config.lr
        let out = try net.forward(b.x, training: true)
        let l = try crossEntropy(out.logits, b.y)
        let lv = try l.item()
        guard lv.isFinite else { throw NASError.nanLoss(stage: "final", epoch: epoch + 1, step: step + 1) }
        try l.backward()
        try sgd.step(weights, clippingTo: config.gradClip)  // gradClip <= 0: unclipped
        zeroGrad(weights)
        m.add(count: b.y.count, loss: lv, top1: try topkAccuracy(out.logits, b.y, k: 1),
              top5: try topkAccuracy(out.logits, b.y, k: min(5, net.space.classes)))
        bar.update(step: step + 1, loss: Float(m.meanLoss), acc: Float(m.meanTop1))
      }
      var st = EpochStats(stage: "final", epoch: epoch + 1, tau: Double(net.tau), trainLoss: m.meanLoss, trainTop1: m.meanTop1,
                          trainTop5: m.meanTop5, seconds: 0)
      if let v = valid {
        let e = try Evaluation.run(net, v)
        st.validLoss = e.loss; st.validTop1 = e.top1; st.validTop5 = e.top5
      }
      st.seconds = Date().timeIntervalSince(t0)
      bar.finish(summary: String(format: "train %.2f%%%@, %.1fs", st.trainTop1 * 100,
                                      st.validTop1.map { String(format: ", valid %.2f%%", $0 * 100) } ?? "", st.seconds))
      stats.append(st)
      onEpoch?(st)
      if let d = outputDir { try StatsFile.write(stats, to: (d as NSString).appendingPathComponent("final_stats.json")) }
      if let p = ckPath { try Checkpoint(stage: "final", epoch: epoch, tau: net.tau, stats: stats, settings: Checkpoint.settings(of: config)).save(net, to: p) }
    }
    return stats
  }
}
