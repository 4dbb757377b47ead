import XCTest
import UBoostTensor
@testable import UBoostNAS

/// Which inputs a node may take is a parameter of the space (`SearchSpaceConfig.inputs`): the
/// edges, alphas, pre-convs, memory estimate and cost layers all follow it.
final class NodeInputsTests: XCTestCase {
  func space(_ inputs: [String: [String]]?) -> SearchSpaceConfig {
    var s = SearchSpaceConfig()
    s.ops = [.conv3x3, .sep3x3, .identity, .zero]
    s.input = InputShape(height: 8, width: 8, channels: 1)
    s.stemChannels = 8
    s.microStacks = [0, 1]
    s.channelStacks = [0, 1]
    s.channels = ChannelChoices(unchecked: 8, 16, 8)
    s.classes = 4
    s.inputs = inputs
    return s
  }

  /// nil keeps the reference's nine edges and both pre-convs.
  func testDefaultIsEveryInput() {
    let s = space(nil)
    XCTAssertEqual(s.edges, CellEdge.all(nodes: 3))
    XCTAssertTrue(s.hasPreConv(0) && s.hasPreConv(-1))
  }

  /// Without xpp: five edges, five alpha rows, no xpp pre-conv in any stage; the final network's
  /// costed latency is the cost model's total over the same layers.
  func testUnreadInputHasNoPreConvAndCostsAgree() throws {
    let s = space(["t1": ["xp"], "t2": ["xp", "t1"], "t3": ["t1", "t2"]])
    XCTAssertEqual(s.edges.map(\.name), ["xp_t1", "xp_t2", "t1_t2", "t1_t3", "t2_t3"])
    XCTAssertFalse(s.hasPreConv(-1))
    let micro = try Supernet(space: s, stage: .micro, seed: 1)
    XCTAssertEqual(micro.edgeList, s.edges)
    XCTAssertEqual(micro.alphaCount, 5 * 4)
    XCTAssertTrue(micro.cells.allSatisfy { $0.preXpp == nil && $0.preXp != nil })
    var ops: [String: CandidateOp] = [:]
    for e in s.edges { ops[e.name] = .conv3x3 }
    let g = Genotype(cells: [CellGenotype(ops: ops, widths: ["xp_pre": 8, "xp_t1": 16, "xp_t2": 8, "t1_t2": 8, "t1_t3": 16, "t2_t3": 8])])
    let channel = try Supernet(space: s, stage: .channel, genotype: g, seed: 1)
    XCTAssertTrue(channel.cells.allSatisfy { $0.preXpp == nil })
    let cost = HardwareCost.systolic()
    let fin = try Supernet(space: s, stage: .final, genotype: g, seed: 1, cost: cost)
    XCTAssertTrue(fin.cells.allSatisfy { $0.preXpp == nil })
    let layers = try ArchitectureCost.layers(space: s, genotype: g, stacks: s.channelStacks)
    XCTAssertFalse(layers.contains { $0.edge == "xpp_pre" })
    XCTAssertEqual(layers.filter { $0.edge == "xp_pre" }.count, 2)
    var rng = RandomSource(seed: 2)
    let out = try fin.forward(try Tensor.randn([2, 1, 8, 8], rng: &rng), training: false)
    let total = try ArchitectureCost.evaluate(space: s, genotype: g, stacks: s.channelStacks, evaluator: cost)
    XCTAssertEqual(Double(out.latency.data[0]), total.latencyMs, accuracy: 1e-4 * total.latencyMs)
    // The memory estimate still bounds the real network.
    func real(_ n: Supernet) -> Double { Double(n.weightCount + n.alphaCount + 2 * n.batchNorms.reduce(0) { $0 + $1.runningMean.count }) }
    XCTAssertGreaterThanOrEqual(Supernet.estimatedValueCount(space: s, stage: .micro), real(micro))
    XCTAssertLessThan(Supernet.estimatedValueCount(space: s, stage: .micro), real(micro) * 1.1)
    // A space file keeps the table.
    XCTAssertEqual(try JSONDecoder().decode(SearchSpaceConfig.self, from: try JSONEncoder().encode(s)), s)
  }

  /// A genotype that uses an edge the space forbids is refused; bad tables are refused.
  func testForbiddenEdgesAndBadTables() throws {
    let s = space(["t1": ["xp"]])
    let g = Genotype(cells: [CellGenotype(ops: ["xpp_t1": .conv3x3, "xp_t2": .conv3x3, "t2_t3": .conv3x3])])
    XCTAssertThrowsError(try s.resolve(g)) { XCTAssertTrue("\($0)".contains("genotype edge xpp_t1 is not in the space"), "\($0)") }
    for (bad, text) in [(["t4": ["xp"]], "'t4' is not a node"), (["t2": ["t3"]], "cannot read 't3'"), (["t1": []], "has no inputs"),
                        (["t01": ["xp"]], "'t01' is not a node")] {
      XCTAssertThrowsError(try space(bad).validate()) { XCTAssertTrue("\($0)".contains(text), "\($0)") }
    }
    var chain = space(["t1": ["xpp"]])
    chain.chain = true
    chain.stemChannels = 16; chain.microWidth = 16
    XCTAssertThrowsError(try chain.validate()) { XCTAssertTrue("\($0)".contains("a chain space has no xpp input"), "\($0)") }
  }
}
