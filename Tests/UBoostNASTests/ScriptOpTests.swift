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
}
