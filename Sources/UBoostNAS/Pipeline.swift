import Foundation
import UBoostHardware
import UBoostTensor

// MARK: - Pipeline settings

/// Where the pipeline's data comes from.
public enum DataSource: Codable, Equatable, Sendable {
  case fashionMNIST(directory: String)
  case cifar10(directory: String)
}

/// A complete U-Boost NAS run: micro search -> channel search -> derive -> final training -> test.
public struct PipelineConfig: Codable, Equatable, Sendable {
  public var space = SearchSpaceConfig()
  public var micro = SearchConfig()
  public var channel = SearchConfig()
  public var final = TrainConfig()
  /// Accelerator the search optimizes for (and the exact / simulator reports use).
  public var rows = 128, cols = 128, hardwareBatch = 64
  /// Smooth ceiling of the search's systolic model: "reference" or "corrected" (temperature 32).
  public var ceiling: String = "corrected"
  public var aggregation: AggregationMode = .standard
  public var data: DataSource = .fashionMNIST(directory: FashionMNIST.defaultDirectory)
  /// Artifacts go here (arch states, stats, checkpoints, report). nil: nothing written.
  public var outputDir: String? = nil
  /// Start from saved arch states and skip those search stages.
  public var microArchState: String? = nil
  public var channelArchState: String? = nil
  public var seed: UInt64 = 1
  /// Test examples to evaluate (nil: all).
  public var testLimit: Int? = nil

  public init() {}

  var hardware: HardwareConfig { HardwareConfig(rows: rows, cols: cols, batch: hardwareBatch) }

  /// The smooth cost model of the search.
  public func searchCost() throws -> HardwareCost {
    try hardware.validate()
    switch ceiling {
    case "reference": return HardwareCost(SystolicModel(config: hardware, ceiling: .reference, compatibility: .reference))
    case "corrected": return HardwareCost.systolic(config: hardware)
    default: throw NASError.invalidConfig("ceiling must be \"reference\" or \"corrected\", got \"\(ceiling)\"")
    }
  }

  /// The quickstart: Fashion-MNIST (28x28x1), a 16-channel stem, five 3x3 candidate ops, a
  /// one-epoch micro search on 1,920 images (3 cells), a one-epoch channel search over widths 16/32/48 on 3 cells
  /// ([1,0,1]), then final training of the derived network on all 54k training images
  /// (2 epochs, one-cycle, clip 5, no augmentation). Search stages use a larger learning rate and clip than the
  /// reference (their budget is tiny). Budget: <= 15 minutes on 2 cores in a release build
  /// (measured in docs/nas.md).
  public static var quickstart: PipelineConfig {
    var c = PipelineConfig()
    c.space.input = .fashionMNIST
    c.space.stemChannels = 16
    // 3x3-only candidates: the 5x5 ops cost the most CPU time and rarely win on 28x28 inputs.
    c.space.ops = [.conv3x3, .sep3x3, .dil3x3, .identity, .zero]
    c.space.microStacks = [1, 1, 1]
    c.space.channelStacks = [1, 0, 1]
    c.space.channels = ChannelChoices(unchecked: 16, 48, 16)
    c.micro.epochs = 1
    c.micro.trainLimit = 1920
    c.micro.validLimit = 1000
    c.micro.batch = 64
    c.micro.weightLR = 0.02
    c.micro.gradClip = 5
    c.channel = c.micro
    c.final.epochs = 2
    c.final.batch = 128
    c.final.lr = 0.1
    // Two epochs are too short for augmentation to pay off, and the reference's clip of 0.5
    // slows the first epoch down a lot (valid 82% vs 87% after epoch 1).
    c.final.gradClip = 5
    c.final.augmentation = nil
    return c
  }
}

// MARK: - Report

/// What a pipeline run found and measured.
public struct PipelineReport: Codable, Equatable {
  public var genotype: Genotype
  public var microStats: [EpochStats]
  public var channelStats: [EpochStats]
  public var finalStats: [EpochStats]
  public var testLoss: Double
  public var testTop1: Double
  public var testTop5: Double
  /// The derived network on the configured array with the exact ceiling / the simulator.
  public var latencyExactMs: Double
  public var utilExact: Double
  public var latencySimMs: Double?
  public var utilSim: Double?
  public var weightCount: Int
  public var seconds: Double
  public var stageSeconds: [String: Double]

  /// A short human-readable summary.
  public var summary: String {
    var s = String(format: "test top-1 %.2f%%  top-5 %.2f%%  (%.0f s, %d weights)\n", testTop1 * 100, testTop5 * 100, seconds, weightCount)
    s += String(format: "derived network: exact latency %.4f ms, exact utilization %.4f", latencyExactMs, utilExact)
    if let l = latencySimMs, let u = utilSim { s += String(format: "; simulator %.4f ms, %.4f", l, u) }
    return s + "\n" + genotype.description
  }
}

// MARK: - Running

/// The end-to-end pipeline.
///
/// ```swift
/// var cfg = PipelineConfig.quickstart
/// cfg.outputDir = "runs/qs"
/// let report = try Pipeline.run(cfg)
/// print(report.summary)
/// ```
public enum Pipeline {
  /// Loads the configured data set.
  public static func loadData(_ source: DataSource) throws -> DataSplits {
    switch source {
    case let .fashionMNIST(dir): return try FashionMNIST.load(directory: dir)
    case let .cifar10(dir): return try CIFAR10.load(directory: dir)
    }
  }

  /// Runs every stage (skipping searches whose arch state is given) and returns the report.
  /// `loss` replaces the default search objective; `data` replaces loading `config.data`;
  /// `progress` is where every stage reports.
  public static func run(_ config: PipelineConfig, data: DataSplits? = nil, loss: SearchLoss? = nil,
                         progress: ProgressOutput = ProgressOutput()) throws -> PipelineReport {
    let t0 = Date()
    try config.space.validate()
    if let d = config.outputDir { try AtomicFile.prepareDirectory(d) }
    let splits = try data ?? loadData(config.data)
    let cost = try config.searchCost()
    let exact = HardwareCost(SystolicModel(config: config.hardware, ceiling: .exact, compatibility: .corrected))
    let sim = SimulatorCost(SystolicSimulator(config: config.hardware))
    let dir = config.outputDir
    func path(_ f: String) -> String? { dir.map { ($0 as NSString).appendingPathComponent(f) } }
    var times: [String: Double] = [:]

    // A search stage: load its arch state when one is given, else run the search loop and save
    // the alphas it found.
    func searchStage(_ net: Supernet, _ name: String, _ cfg: SearchConfig, given: String?, saveAs file: String) throws -> [EpochStats] {
      if let p = given {
        try ArchState.read(from: p).apply(to: net)
        progress.log("\(name) search skipped: alphas from \(p)")
        return []
      }
      let loop = try SearchLoop(net: net, config: cfg, stage: name, loss: loss, outputDir: dir)
      loop.progress = progress
      loop.exactCost = exact; loop.simulatorCost = sim
      let stats = try loop.run(train: splits.train, valid: splits.valid)
      if let p = path(file) { try ArchState(net).write(to: p) }
      return stats
    }

    // Stage 1: micro-architecture search.
    var tStage = Date()
    let micro = try Supernet(space: config.space, stage: .micro, seed: config.seed, cost: cost, aggregation: config.aggregation)
    let microStats = try searchStage(micro, "micro", config.micro, given: config.microArchState, saveAs: "ms_arch_state.json")
    let microGenotype = try micro.genotype
    progress.log("micro genotype:\n\(microGenotype)")
    times["micro"] = Date().timeIntervalSince(tStage)

    // Stage 2: channel search.
    tStage = Date()
    let channel = try Supernet(space: config.space, stage: .channel, genotype: microGenotype, seed: config.seed &+ 1,
                               cost: cost, aggregation: config.aggregation)
    let channelStats = try searchStage(channel, "channel", config.channel, given: config.channelArchState, saveAs: "cs_arch_state.json")
    let genotype = try channel.genotype
    progress.log("derived genotype:\n\(genotype)")
    if let p = path("genotype.json") {
      let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
      try AtomicFile.write(try enc.encode(genotype), to: p)
    }
    times["channel"] = Date().timeIntervalSince(tStage)

    // Stage 3: final training and test.
    tStage = Date()
    let finalNet = try Supernet(space: config.space, stage: .final, genotype: genotype, seed: config.seed &+ 2)
    let trainer = try FinalTrainer(net: finalNet, config: config.final, outputDir: dir)
    trainer.progress = progress
    let finalStats = try trainer.run(train: splits.train, valid: splits.valid)
    times["final"] = Date().timeIntervalSince(tStage)
    let test = try Evaluation.run(finalNet, splits.test, limit: config.testLimit)
    let ex = try ArchitectureCost.evaluate(space: config.space, genotype: genotype, stacks: config.space.channelStacks, evaluator: exact)
    let sm = try? ArchitectureCost.evaluate(space: config.space, genotype: genotype, stacks: config.space.channelStacks, evaluator: sim)
    let report = PipelineReport(genotype: genotype, microStats: microStats, channelStats: channelStats, finalStats: finalStats,
                                testLoss: test.loss, testTop1: test.top1, testTop5: test.top5,
                                latencyExactMs: ex.latencyMs, utilExact: ex.util, latencySimMs: sm?.latencyMs, utilSim: sm?.util,
                                weightCount: finalNet.weightCount, seconds: Date().timeIntervalSince(t0), stageSeconds: times)
    if let p = path("report.json") {
      let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
      try AtomicFile.write(try enc.encode(report), to: p)
    }
    return report
  }
}

/// The quickstart job (`scripts/run`): search, channel search, final training and test on
/// Fashion-MNIST with `PipelineConfig.quickstart` (or the given configuration).
///
/// ```swift
/// let report = try runQuickstart()
/// print(report.summary)
/// ```
public func runQuickstart(_ config: PipelineConfig = .quickstart) throws -> PipelineReport {
  try Pipeline.run(config)
}
