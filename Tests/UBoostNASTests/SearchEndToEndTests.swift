import Foundation
import XCTest
import UBoostTensor
@testable import UBoostNAS

/// Tiny end-to-end runs on synthetic data (debug builds are slow: everything is 8x8, 2-4 channels).
final class SearchEndToEndTests: XCTestCase {
  var dir = ""
  override func setUp() {
    dir = NSTemporaryDirectory() + "uboost-e2e-\(UUID().uuidString)"
  }
  override func tearDown() {
    try? FileManager.default.removeItem(atPath: dir)
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
    let report = try Pipeline.run(cfg, data: splits, progress: ProgressOutput(enabled: false))
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
    let r2 = try Pipeline.run(again, data: splits, progress: ProgressOutput(enabled: false))
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

  /// Rewrites a checkpoint's header (and optionally its version) in place.
  func patchCheckpoint(_ path: String, version: UInt32? = nil, _ edit: (inout [String: Any]) -> Void) throws {
    var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var hlen = 0
    for i in 0..<8 { hlen |= Int(b[8 + i]) << (8 * i) }
    var header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(b[16..<(16 + hlen)])) as? [String: Any])
    edit(&header)
    let nh = [UInt8](try JSONSerialization.data(withJSONObject: header))
    if let v = version { for i in 0..<4 { b[4 + i] = UInt8((v >> (8 * UInt32(i))) & 0xff) } }
    for i in 0..<8 { b[8 + i] = UInt8((nh.count >> (8 * i)) & 0xff) }
    b.replaceSubrange(16..<(16 + hlen), with: nh)
    try Data(b).write(to: URL(fileURLWithPath: path))
  }

  func testCorruptOrForeignCheckpointsAreRefusedNamingTheField() throws {
    var space = try tinyConfig().space
    space.microStacks = [1]
    let train = try synthetic(16, seed: 4)
    var cfg = SearchConfig()
    cfg.epochs = 1; cfg.batch = 16
    try SearchLoop(net: try Supernet(space: space, stage: .micro, seed: 1), config: cfg, stage: "micro", outputDir: dir).run(train: train, valid: nil)
    let path = dir + "/micro_checkpoint.bin"
    let good = try Data(contentsOf: URL(fileURLWithPath: path))
    func expectRefusal(_ field: String, file: StaticString = #filePath, line: UInt = #line, config: SearchConfig? = nil,
                       stage: String = "micro", _ patch: () throws -> Void) throws {
      try good.write(to: URL(fileURLWithPath: path))
      try patch()
      var c = config ?? cfg
      c.epochs = 3
      let loop = try SearchLoop(net: try Supernet(space: space, stage: .micro, seed: 2), config: c, stage: stage, outputDir: dir)
      if stage != "micro" { try FileManager.default.copyItem(atPath: path, toPath: dir + "/\(stage)_checkpoint.bin") }
      XCTAssertThrowsError(try loop.run(train: train, valid: nil), file: file, line: line) { e in
        XCTAssertTrue("\(e)".contains(path.replacingOccurrences(of: "micro_", with: "\(stage)_")) && "\(e)".contains(field), "\(e)", file: file, line: line)
      }
      if stage != "micro" { try FileManager.default.removeItem(atPath: dir + "/\(stage)_checkpoint.bin") }
    }
    // Int.max used to overflow `epoch + 1` in the loop.
    try expectRefusal("field 'epoch' is 9223372036854775807") { try patchCheckpoint(path) { $0["epoch"] = Int.max } }
    try expectRefusal("field 'epoch' is -5") { try patchCheckpoint(path) { $0["epoch"] = -5 } }
    try expectRefusal("field 'stats'") { try patchCheckpoint(path) { $0["epoch"] = 4 } }
    try expectRefusal("field 'version' is 7") { try patchCheckpoint(path, version: 7) { _ in } }
    try expectRefusal("field 'stage' is \"micro\", expected \"channel\"", stage: "channel") {}
    // Other settings: refused with the list of differences and how to start fresh.
    var other = cfg
    other.weightLR = 0.01; other.seed = 9
    try expectRefusal("seed 0 in the checkpoint vs 9 now; weightLR 0.001 in the checkpoint vs 0.01 now", config: other) {}
    try expectRefusal("delete the file or use another directory", config: other) {}
    // The final trainer checks the same way (it used to overflow on a huge epoch too).
    let final = try Supernet(space: space, stage: .final, genotype: try Supernet(space: space, stage: .micro).genotype, seed: 1)
    var tc = TrainConfig(); tc.epochs = 1; tc.batch = 16; tc.augmentation = nil
    try FinalTrainer(net: final, config: tc, outputDir: dir).run(train: train, valid: nil)
    let fpath = dir + "/final_checkpoint.bin"
    try patchCheckpoint(fpath) { $0["epoch"] = Int.max }
    tc.epochs = 2
    XCTAssertThrowsError(try FinalTrainer(net: final, config: tc, outputDir: dir).run(train: train, valid: nil)) { e in
      XCTAssertTrue("\(e)".contains(fpath) && "\(e)".contains("field 'epoch'"), "\(e)")
    }
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
