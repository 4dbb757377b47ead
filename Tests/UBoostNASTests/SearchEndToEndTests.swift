import Foundation
import XCTest
import UBoostTensor
@testable import UBoostNAS

/// Tiny end-to-end runs on synthetic data (debug builds are slow: everything is 8x8, 2-4 channels).
final class SearchEndToEndTests: XCTestCase {
  var dir = ""
  override func setUp() {
    dir = NSTemporaryDirectory() + "uboost-e2e-\(UUID().uuidString)"
    Progress.enabled = false
  }
  override func tearDown() {
    try? FileManager.default.removeItem(atPath: dir)
    Progress.enabled = true
  }

  /// Two classes: bright images (label 1) and dark ones (label 0), with noise.
  func synthetic(_ n: Int, seed: UInt64) throws -> Dataset {
    var rng = RandomSource(seed: seed)
    var images: [Float] = [], labels: [Int] = []
    for i in 0..<n {
      let y = i % 2
      labels.append(y)
      for _ in 0..<64 { images.append((y == 1 ? 0.8 : -0.8) + Float(rng.normal()) * 0.5) }
    }
    return try Dataset(name: "synthetic", shape: InputShape(height: 8, width: 8, channels: 1), classes: 2, images: images, labels: labels)
  }

  func tinyConfig() throws -> PipelineConfig {
    var c = PipelineConfig()
    c.space.input = InputShape(height: 8, width: 8, channels: 1)
    c.space.classes = 2
    c.space.stemChannels = 4
    c.space.ops = [.conv3x3, .sep3x3, .identity, .zero]
    c.space.microStacks = [1, 1]
    c.space.channelStacks = [1, 0]
    c.space.channels = try ChannelChoices(start: 2, stop: 6, step: 2)
    c.micro.epochs = 2
    c.micro.batch = 16
    c.micro.weightLR = 0.05
    c.micro.gradClip = 5
    c.channel = c.micro
    c.channel.epochs = 1
    c.final.epochs = 2
    c.final.batch = 16
    c.final.augmentation = Augmentation(cropPadding: 1, horizontalFlip: true)
    c.rows = 8; c.cols = 8
    c.outputDir = dir
    return c
  }

  func testTinyPipelineWritesArtifactsAndLearns() throws {
    let splits = DataSplits(train: try synthetic(96, seed: 1), valid: try synthetic(32, seed: 2), test: try synthetic(64, seed: 3))
    let cfg = try tinyConfig()
    let report = try Pipeline.run(cfg, data: splits)
    XCTAssertEqual(report.microStats.count, 2)
    XCTAssertEqual(report.channelStats.count, 1)
    XCTAssertEqual(report.finalStats.count, 2)
    XCTAssertGreaterThan(report.testTop1, 0.8, "an easy two-class problem")
    XCTAssertGreaterThan(report.latencyExactMs, 0)
    XCTAssertGreaterThan(report.utilExact, 0)
    XCTAssertLessThanOrEqual(report.utilExact, 1)
    XCTAssertEqual(report.microStats[0].tau, 1)
    XCTAssertEqual(report.microStats[1].tau, 0.95, accuracy: 1e-6)
    XCTAssertNotNil(report.microStats[0].latencyExactMs)
    XCTAssertNotNil(report.microStats[0].utilSim)
    for f in ["ms_arch_state.json", "cs_arch_state.json", "micro_stats.json", "channel_stats.json", "final_stats.json",
              "genotype.json", "report.json", "micro_checkpoint.bin"] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f)
    }
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
    XCTAssertEqual(leftovers, [], "atomic writes leave no temp files")
    XCTAssertEqual(try StatsFile.read(from: dir + "/micro_stats.json"), report.microStats)

    // A second run from the saved arch states skips both searches and derives the same genotype.
    var again = cfg
    again.microArchState = dir + "/ms_arch_state.json"
    again.channelArchState = dir + "/cs_arch_state.json"
    again.outputDir = nil
    again.final.epochs = 0
    let r2 = try Pipeline.run(again, data: splits)
    XCTAssertEqual(r2.microStats, [])
    XCTAssertEqual(r2.channelStats, [])
    XCTAssertEqual(r2.genotype, report.genotype)
  }

  func testCheckpointResumeContinuesAfterLastEpoch() throws {
    var space = try tinyConfig().space
    space.microStacks = [1]
    let train = try synthetic(32, seed: 4)
    var cfg = SearchConfig()
    cfg.epochs = 1; cfg.batch = 16
    let net = try Supernet(space: space, stage: .micro, seed: 1)
    let first = try SearchLoop(net: net, config: cfg, stage: "micro", outputDir: dir).run(train: train, valid: nil)
    XCTAssertEqual(first.count, 1)
    // A fresh network with other weights resumes from the checkpoint and runs only epoch 2.
    cfg.epochs = 2
    let net2 = try Supernet(space: space, stage: .micro, seed: 77)
    let loop2 = try SearchLoop(net: net2, config: cfg, stage: "micro", outputDir: dir)
    var seen: [Int] = []
    loop2.onEpoch = { seen.append($0.epoch) }
    let all = try loop2.run(train: train, valid: nil)
    XCTAssertEqual(seen, [2])
    XCTAssertEqual(all.count, 2)
    XCTAssertEqual(all[0], first[0])
    XCTAssertEqual(net2.tau, 0.95 * 0.95, accuracy: 1e-6)
    // Loading into a network of another structure is an error.
    var other = space
    other.stemChannels = 5
    XCTAssertThrowsError(try Checkpoint.load(from: dir + "/micro_checkpoint.bin", into: try Supernet(space: other, stage: .micro))) { e in
      XCTAssertTrue("\(e)".contains("another structure"), "\(e)")
    }
    // Loading restores the saved values exactly.
    let net3 = try Supernet(space: space, stage: .micro, seed: 5)
    _ = try Checkpoint.load(from: dir + "/micro_checkpoint.bin", into: net3)
    XCTAssertEqual(net3.weights[0].data, net2.weights[0].data)
    XCTAssertEqual(net3.alphas[2].data, net2.alphas[2].data)
  }

  func testNaNLossStopsWithTheStep() throws {
    var space = try tinyConfig().space
    space.microStacks = [1]
    let net = try Supernet(space: space, stage: .micro, seed: 1)
    var cfg = SearchConfig(); cfg.epochs = 1; cfg.batch = 8
    var calls = 0
    let loop = try SearchLoop(net: net, config: cfg, stage: "micro", loss: { out, y in
      calls += 1
      let ce = try crossEntropy(out.logits, y)
      return calls == 3 ? try ce * Float.nan : ce
    })
    XCTAssertThrowsError(try loop.run(train: try synthetic(32, seed: 1), valid: nil)) { e in
      XCTAssertEqual(e as? NASError, .nanLoss(stage: "micro", epoch: 1, step: 3))
    }
  }

  func testInterruptStopsTheLoop() throws {
    var space = try tinyConfig().space
    space.microStacks = [1]
    let net = try Supernet(space: space, stage: .micro, seed: 1)
    var cfg = SearchConfig(); cfg.epochs = 1; cfg.batch = 8
    let loop = try SearchLoop(net: net, config: cfg, stage: "micro")
    EngineInterrupt.request()
    XCTAssertThrowsError(try loop.run(train: try synthetic(32, seed: 1), valid: nil)) { e in
      XCTAssertEqual(e as? TensorError, .interrupted)
    }
  }

  func testSearchMovesAlphasAndCountsSharedAlphasOnce() throws {
    var space = try tinyConfig().space
    space.microStacks = [1, 1]
    let net = try Supernet(space: space, stage: .micro, seed: 1, cost: TestCost(), aggregation: .standard)
    XCTAssertEqual(net.optimizerAlphas.count, 9)
    let ref = try Supernet(space: space, stage: .micro, seed: 1, cost: TestCost(), aggregation: .reference)
    XCTAssertEqual(ref.optimizerAlphas.count, 18, "the reference lists shared alphas once per cell")
    let before = net.alphas.map(\.data)
    var cfg = SearchConfig(); cfg.epochs = 1; cfg.batch = 8; cfg.weightVsArch = 0.5
    try SearchLoop(net: net, config: cfg, stage: "micro").run(train: try synthetic(32, seed: 1), valid: nil)
    XCTAssertNotEqual(net.alphas.map(\.data), before)
  }
}
