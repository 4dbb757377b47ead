import Foundation
import XCTest
import UBoostTensor
@testable import UBoostNAS

/// Ops defined from conv stages (`op(name, stages)` in uboost) build the same engine units as the
/// built-in ops: a script op with a built-in's stages is that op, bit for bit.
final class ScriptOpTests: XCTestCase {
  func smallSpace(_ ops: [CandidateOp]) -> SearchSpaceConfig {
    var s = SearchSpaceConfig()
    s.ops = ops
    s.input = InputShape(height: 8, width: 8, channels: 1)
    s.stemChannels = 8
    s.microStacks = [1, 1]
    s.channelStacks = [1, 1]
    s.classes = 4
    return s
  }

  /// Same seed, same stages: same weights, logits, latency, utilization and every gradient.
  func testScriptSeparableIsTheBuiltIn() throws {
    let mine = CandidateOp(name: "mysep", stages: [OpStage(kind: .depthwise, kernel: 3), OpStage(kind: .conv, kernel: 1)])
    let a = try Supernet(space: smallSpace([.conv3x3, .sep3x3, .identity]), stage: .micro, seed: 3, cost: HardwareCost.systolic())
    let b = try Supernet(space: smallSpace([.conv3x3, mine, .identity]), stage: .micro, seed: 3, cost: HardwareCost.systolic())
    var rng = RandomSource(seed: 9)
    let x = try Tensor.randn([2, 1, 8, 8], rng: &rng)
    let oa = try a.forward(x, training: true), ob = try b.forward(x, training: true)
    XCTAssertEqual(oa.logits.data, ob.logits.data)
    XCTAssertEqual(oa.latency.data, ob.latency.data)
    XCTAssertEqual(oa.util.data, ob.util.data)
    try (oa.logits.sum() + oa.latency).backward()
    try (ob.logits.sum() + ob.latency).backward()
    XCTAssertEqual(a.weights.count, b.weights.count)
    for (p, q) in zip(a.weights + a.optimizerAlphas, b.weights + b.optimizerAlphas) {
      XCTAssertEqual(p.gradData, q.gradData, p.name ?? "?")
    }
  }

  /// An inverted bottleneck: 1x1 expansion (3x), depthwise 3x3, 1x1 projection, residual; the
  /// costed layers follow its stages, and a genotype file naming it is resolved by the space.
  func testInvertedBottleneckLayersAndResolution() throws {
    let mb = CandidateOp(name: "mbconv3", stages: [OpStage(kind: .conv, kernel: 1, expand: 3), OpStage(kind: .depthwise, kernel: 3),
                                                   OpStage(kind: .conv, kernel: 1)], residual: true)
    try mb.validate()
    XCTAssertEqual(mb.outputStage, 2)
    let space = smallSpace([mb, .identity])
    var ops: [String: CandidateOp] = [:]
    for e in space.edges { ops[e.name] = mb }
    let g = Genotype(cells: [CellGenotype(ops: ops)])
    let layers = try ArchitectureCost.layers(space: space, genotype: g, stacks: space.channelStacks)
    let first = layers.filter { $0.cell == 0 && $0.edge.hasPrefix("xp_t1") }
    XCTAssertEqual(first.map(\.edge), ["xp_t1/pw1", "xp_t1/dw", "xp_t1/pw3"])
    XCTAssertEqual(first.map(\.cout), [3 * first[0].cin, 3 * first[0].cin, first[0].cin])
    // JSON keeps a script op's definition, so a genotype file stands on its own ...
    XCTAssertEqual(try JSONDecoder().decode(Genotype.self, from: try JSONEncoder().encode(g)), g)
    // ... and a file that only names it is resolved by the space.
    let named = try JSONDecoder().decode(CandidateOp.self, from: Data("\"mbconv3\"".utf8))
    XCTAssertFalse(named.isResolved)
    var back = g
    for k in back.cells[0].ops.keys { back.cells[0].ops[k] = named }
    XCTAssertEqual(try space.resolve(back), g)
    XCTAssertThrowsError(try smallSpace([.conv3x3]).resolve(back)) { e in
      XCTAssertTrue("\(e)".contains("'mbconv3' is not in the space"), "\(e)")
    }
    let spaceBack = try JSONDecoder().decode(SearchSpaceConfig.self, from: try JSONEncoder().encode(space))
    XCTAssertEqual(spaceBack.ops, space.ops)
    // A final network with the op trains through its residual path.
    let net = try Supernet(space: space, stage: .final, genotype: back, seed: 1)
    var rng = RandomSource(seed: 2)
    let out = try net.forward(try Tensor.randn([2, 1, 8, 8], rng: &rng), training: true)
    XCTAssertEqual(out.logits.shape, [2, 4])
  }

  func testInvalidOpsAreErrors() {
    func message(_ op: CandidateOp) -> String {
      do { try op.validate(); return "" } catch { return "\(error)" }
    }
    XCTAssertTrue(message(CandidateOp(name: "x", stages: [])).contains("at least one stage"))
    XCTAssertTrue(message(CandidateOp(name: "x", stages: [OpStage(kind: .conv, kernel: 4)])).contains("odd"))
    XCTAssertTrue(message(CandidateOp(name: "x", stages: [OpStage(kind: .conv, kernel: 1, expand: 2)])).contains("must not have expand"))
    XCTAssertTrue(message(CandidateOp(name: "x y", stages: [OpStage(kind: .conv, kernel: 3)])).contains("name"))
    XCTAssertEqual(message(CandidateOp(name: "dwonly", stages: [OpStage(kind: .depthwise, kernel: 5, dilation: 2)])), "")
  }

  // MARK: Pool stages

  static let maxPool = CandidateOp(name: "max_pool_3x3", stages: [OpStage(kind: .maxPool, kernel: 3)])
  static let avgPool = CandidateOp(name: "avg_pool_3x3", stages: [OpStage(kind: .avgPool, kernel: 3)])
  /// Average pooling, then a 3x3 conv: its conv is not the op's first stage, so it must not run
  /// with the other ops' 3x3 convs on the unpooled input.
  static let poolConv = CandidateOp(name: "pool_conv", stages: [OpStage(kind: .avgPool, kernel: 3), OpStage(kind: .conv, kernel: 3)])

  /// Pool-only ops keep their width and carry neither weights nor cost; a supernet with them
  /// trains, costs only its convs, derives, and its derived network survives a network file.
  func testPoolOpsSearchDeriveAndRoundTrip() throws {
    let ops: [CandidateOp] = [ScriptOpTests.maxPool, ScriptOpTests.avgPool, .sep3x3, ScriptOpTests.poolConv, .conv3x3, .identity, .zero]
    for op in ops where !op.isBuiltin { try op.validate() }
    XCTAssertFalse(ScriptOpTests.maxPool.hasWeights)
    XCTAssertFalse(ScriptOpTests.maxPool.hasOutputConv)
    XCTAssertTrue(ScriptOpTests.poolConv.hasWeights)
    XCTAssertEqual(ScriptOpTests.poolConv.outputStage, 1)
    XCTAssertEqual(OpInstance.stageNames(ScriptOpTests.poolConv), ["avgpool", "conv"])
    let space = smallSpace(ops)

    // The micro supernet: forward and backward reach every weight and alpha.
    let net = try Supernet(space: space, stage: .micro, seed: 3, cost: HardwareCost.systolic())
    var rng = RandomSource(seed: 9)
    let x = try Tensor.randn([2, 1, 8, 8], rng: &rng)
    let out = try net.forward(x, training: true)
    XCTAssertEqual(out.logits.shape, [2, 4])
    let latency = try out.latency.item()
    XCTAssertTrue(latency.isFinite && latency > 0)
    try (try crossEntropy(out.logits, [0, 1]) + out.latency).backward()
    for a in net.optimizerAlphas { XCTAssertNotNil(a.gradData, a.name ?? "?") }
    // A pool-only op has no cost of its own in a mixed edge (as identity).
    let mix = try XCTUnwrap(out.costs.compactMap(\.mix).first)
    let lat = mix.latency.data
    XCTAssertEqual(lat[0], 0); XCTAssertEqual(lat[1], 0); XCTAssertEqual(lat[5], 0)
    XCTAssertGreaterThan(lat[2], 0); XCTAssertGreaterThan(lat[3], 0)
    // The memory estimate counts no values for pool stages: pool ops change nothing.
    XCTAssertEqual(Supernet.estimatedValueCount(space: smallSpace([.sep3x3, ScriptOpTests.maxPool, .identity]), stage: .micro)
                   - Supernet.estimatedValueCount(space: smallSpace([.sep3x3, .identity, .zero]), stage: .micro), 0)

    // A derived network with every kind of op.
    _ = try net.genotype
    var cell = CellGenotype(ops: [:])
    let pick: [CandidateOp] = [ScriptOpTests.maxPool, ScriptOpTests.poolConv, ScriptOpTests.avgPool, .sep3x3]
    for (i, e) in space.edges.enumerated() { cell.ops[e.name] = pick[i % pick.count] }
    for e in space.edges where cell.ops[e.name]?.hasOutputConv == true { cell.widths[e.name] = 6 }
    let g = Genotype(cells: [cell])
    let layers = try ArchitectureCost.layers(space: space, genotype: g, stacks: space.channelStacks)
    for e in space.edges {
      let mine = layers.filter { $0.cell == 0 && ($0.edge == e.name || $0.edge.hasPrefix(e.name + "/") && !$0.edge.hasSuffix("/lift")) }
      switch cell.ops[e.name]?.name {
      case "max_pool_3x3", "avg_pool_3x3": XCTAssertEqual(mine.count, 0, e.name)   // free: no layer
      case "pool_conv": XCTAssertEqual(mine.map(\.edge), [e.name + "/conv"])        // the conv only
      default: XCTAssertEqual(mine.count, 2, e.name)
      }
    }
    let final = try Supernet(space: space, stage: .final, genotype: g, seed: 4)
    let sgd = try SGD(lr: 0.05, momentum: 0.9)
    for _ in 0..<2 {
      let l = try crossEntropy(try final.forward(x, training: true).logits, [0, 1])
      try l.backward()
      try sgd.step(final.weights)
      zeroGrad(final.weights)
    }
    let path = NSTemporaryDirectory() + "uboost-pool-net-\(UUID().uuidString).json"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NetworkFile(final).write(to: path)
    let back = try NetworkFile.read(from: path).build(source: path)
    XCTAssertEqual(try back.genotype, try final.genotype)
    XCTAssertEqual(try back.forward(x, training: false).logits.data, try final.forward(x, training: false).logits.data)

    // A channel-stage network from it searches only the convs' widths.
    let channel = try Supernet(space: space, stage: .channel, genotype: g, seed: 5, cost: HardwareCost.systolic())
    XCTAssertEqual(try channel.forward(x, training: true).logits.shape, [2, 4])
  }

  /// Edges leaving one node run their ops' first 3x3 convs together; an op that starts with a
  /// pool stage has no first conv, so its conv (which reads the pooled input) is not among them.
  func testAnOpStartingWithAPoolSharesNoConv() throws {
    var rng = RandomSource(seed: 1)
    func edge(_ to: Int) throws -> EdgeModule {
      let ops = try [CandidateOp.conv3x3, ScriptOpTests.poolConv].map {
        try OpInstance(op: $0, name: "xp_t\(to)", cin: 4, cout: 4, channelChoices: nil, rng: &rng)
      }
      XCTAssertNil(ops[1].firstUnit)
      XCTAssertEqual(ops[1].units.count, 1)
      return EdgeModule(edge: CellEdge(from: 0, to: to), ops: ops)
    }
    let edges = [try edge(1), try edge(2)]
    var shared = SharedEdgeInputs()
    let g = try Tensor(shape: [2], data: [0.5, 0.5])
    try shared.prepare(source: 0, x: try Tensor.randn([1, 4, 5, 5], rng: &rng), edges: edges, g: [g, g])
    XCTAssertEqual(shared.pre[0].map { Array($0.keys) }, [0])
    XCTAssertEqual(shared.pre[1].map { Array($0.keys) }, [0])
  }

  /// A pool stage in a genotype file is a stage like any other; files without pool stages still decode.
  func testPoolStagesCodableAndValidation() throws {
    let g = Genotype(cells: [CellGenotype(ops: ["xp_t1": ScriptOpTests.poolConv, "xpp_t1": ScriptOpTests.maxPool])])
    XCTAssertEqual(try JSONDecoder().decode(Genotype.self, from: try JSONEncoder().encode(g)), g)
    let old = #"{"name": "c3", "stages": [{"kind": "conv", "kernel": 3, "dilation": 1}, {"kind": "depthwise", "kernel": 5, "dilation": 2}]}"#
    let op = try JSONDecoder().decode(CandidateOp.self, from: Data(old.utf8))
    XCTAssertEqual(op.stages, [OpStage(kind: .conv, kernel: 3), OpStage(kind: .depthwise, kernel: 5, dilation: 2)])
    func message(_ stages: [OpStage]) -> String {
      do { try CandidateOp(name: "p", stages: stages).validate(); return "" } catch { return "\(error)" }
    }
    XCTAssertTrue(message([OpStage(kind: .maxPool, kernel: 2)]).contains("odd"))
    XCTAssertTrue(message([OpStage(kind: .avgPool, kernel: 17)]).contains("1...15"))
    XCTAssertTrue(message([OpStage(kind: .avgPool, kernel: 3, dilation: 2)]).contains("no dilation"))
    XCTAssertTrue(message([OpStage(kind: .maxPool, kernel: 3, expand: 2)]).contains("no expand"))
    XCTAssertEqual(message([OpStage(kind: .maxPool, kernel: 3), OpStage(kind: .avgPool, kernel: 5), OpStage(kind: .depthwise, kernel: 3)]), "")
  }
}
