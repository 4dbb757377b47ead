import Foundation
import XCTest
import UBoostTensor
@testable import UBoostNAS

final class DeriveAndArchStateTests: XCTestCase {
  func edgeOps(_ pairs: [(String, CandidateOp)]) -> [String: CandidateOp] {
    var d: [String: CandidateOp] = [:]
    for (k, v) in pairs { d[k] = v }
    return d
  }

  func testPruningRemovesDeadNodeAndTheEdgesItFeeds() throws {
    // t1 receives only zero edges: it is dead, so t1->t2 and t1->t3 go too.
    var c = CellGenotype(ops: edgeOps([("xp_t1", .zero), ("xpp_t1", .zero), ("t1_t2", .conv3x3), ("t1_t3", .sep3x3),
                                       ("xp_t2", .identity), ("t2_t3", .dil3x3), ("xpp_t3", .zero), ("xp_t3", .zero), ("xpp_t2", .zero)]),
                         widths: ["t1_t2": 32, "t2_t3": 16, "xp_pre": 8])
    try c.prune(nodes: 3, cellName: "c")
    XCTAssertEqual(c.ops, edgeOps([("xp_t2", .identity), ("t2_t3", .dil3x3)]))
    XCTAssertEqual(c.widths, ["t2_t3": 16, "xp_pre": 8])
  }

  func testPruningRemovesNodesThatDoNotReachTheOutput() throws {
    // t1 is alive but feeds nothing live: its incoming edges are useless.
    var c = CellGenotype(ops: edgeOps([("xp_t1", .conv3x3), ("xpp_t1", .sep5x5), ("t1_t2", .zero), ("t1_t3", .zero),
                                       ("xp_t3", .conv5x5), ("xpp_t2", .identity), ("t2_t3", .zero)]))
    try c.prune(nodes: 3, cellName: "c")
    XCTAssertEqual(c.ops, edgeOps([("xp_t3", .conv5x5)]))
  }

  func testEmptyCellIsAnError() {
    var c = CellGenotype(ops: edgeOps([("xp_t1", .conv3x3), ("t1_t2", .identity)]))  // nothing reaches t3
    XCTAssertThrowsError(try c.prune(nodes: 3, cellName: "midstage2")) { e in
      XCTAssertEqual(e as? NASError, .emptyCell(cell: "midstage2"))
      XCTAssertTrue("\(e)".contains("midstage2"))
    }
  }

  func testMicroDeriveIsArgmaxAndEmptyCellThrows() throws {
    var space = SearchSpaceConfig()
    space.input = InputShape(height: 8, width: 8, channels: 1)
    space.stemChannels = 2
    let net = try Supernet(space: space, stage: .micro, seed: 1)
    // Everything picks conv3x3 (index 0) except t2_t3 which picks zero.
    for (e, a) in zip(net.edgeList, net.alphas) {
      a.data = [Float](repeating: 0, count: a.count)
      if e.name == "t2_t3" { a.data[7] = 5 } else { a.data[0] = 5 }
    }
    let g = try net.genotype
    XCTAssertEqual(g.cells.count, 1)
    // t2 then feeds nothing, so its three incoming edges are pruned as well.
    XCTAssertEqual(Set(g.cells[0].ops.keys), ["xp_t1", "xpp_t1", "xp_t3", "xpp_t3", "t1_t3"])
    XCTAssertEqual(g.cells[0].ops["xp_t1"], .conv3x3)
    // Now every edge into t3 picks zero: the cell is empty.
    for (e, a) in zip(net.edgeList, net.alphas) where e.to == 3 { a.data = [0, 0, 0, 0, 0, 0, 0, 9] }
    XCTAssertThrowsError(try net.genotype) { e in XCTAssertTrue("\(e)".contains("no live path")) }
  }

  func testFinalNetworkLiftsNarrowEdgesAndRuns() throws {
    var space = SearchSpaceConfig()
    space.input = InputShape(height: 8, width: 8, channels: 1)
    space.stemChannels = 4
    space.channelStacks = [1, 0]
    let cell = CellGenotype(ops: edgeOps([("xp_t1", .conv3x3), ("xpp_t1", .identity), ("t1_t2", .sep3x3), ("xp_t3", .dil3x3),
                                          ("t2_t3", .conv5x5)]),
                            widths: ["xp_pre": 6, "xpp_pre": 4, "xp_t1": 8, "t1_t2": 8, "xp_t3": 12, "t2_t3": 10])
    let net = try Supernet(space: space, stage: .final, genotype: Genotype(cells: [cell]), seed: 1)
    XCTAssertEqual(net.cells[0].nodeWidths, [8, 8, 12])
    let out = try net.forward(try Tensor.zeros([2, 1, 8, 8]), training: true)
    XCTAssertEqual(out.logits.shape, [2, 10])
    // The derived network's genotype is what it was built from.
    XCTAssertEqual(try net.genotype.cells[0].ops, cell.ops)
  }

  func testArchStateRoundTripAndReferenceSchema() throws {
    var space = SearchSpaceConfig()
    space.input = InputShape(height: 8, width: 8, channels: 1)
    space.stemChannels = 2
    space.channelStacks = [1]
    space.channels = try ChannelChoices(start: 4, stop: 12, step: 4)
    let micro = try Supernet(space: space, stage: .micro, seed: 1)
    let dir = NSTemporaryDirectory() + "uboost-arch-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try ArchState(micro).write(to: dir + "/ms_arch_state.json")
    let other = try Supernet(space: space, stage: .micro, seed: 99)
    XCTAssertNotEqual(other.alphas[0].data, micro.alphas[0].data)
    try ArchState.read(from: dir + "/ms_arch_state.json").apply(to: other)
    for (a, b) in zip(other.alphas, micro.alphas) { XCTAssertEqual(a.data, b.data) }
    XCTAssertEqual(try other.genotype, try micro.genotype)

    // Hand-written reference schema for the channel stage.
    let g = Genotype(cells: [CellGenotype(ops: edgeOps([("xp_t3", .conv3x3), ("xpp_t3", .sep3x3)]))])
    let cs = try Supernet(space: space, stage: .channel, genotype: g, seed: 1)
    XCTAssertEqual(Set(cs.channelSearches.map(\.name)), ["midstage1/xp_pre", "midstage1/xpp_pre", "midstage1/xp_t3", "midstage1/xpp_t3"])
    let json = """
    {"midstage1/xp_pre": {"channel_alphas": [0, 3, 1], "out_range": {"start": 4, "stop": 12, "step": 4}},
     "midstage1/xpp_pre": {"channel_alphas": [5, 3, 1], "out_range": {"start": 4, "stop": 12, "step": 4}},
     "midstage1/xp_t3": {"channel_alphas": [0, 0, 1], "out_range": {"start": 4, "stop": 12, "step": 4}},
     "midstage1/xpp_t3": {"channel_alphas": [0, 2, 1], "out_range": {"start": 4, "stop": 12, "step": 4}}}
    """
    try ArchState.parse(Data(json.utf8)).apply(to: cs)
    XCTAssertEqual(cs.chosenWidths, ["midstage1/xp_pre": 8, "midstage1/xpp_pre": 4, "midstage1/xp_t3": 12, "midstage1/xpp_t3": 8])
    let derived = try cs.genotype
    XCTAssertEqual(derived.cells[0].widths, ["xp_pre": 8, "xpp_pre": 4, "xp_t3": 12, "xpp_t3": 8])
    // Round trip of the channel state keeps out_range.
    let back = try ArchState.parse(try ArchState(cs).jsonData())
    XCTAssertEqual(back.blocks["midstage1/xp_t3"]?.outRange, try ChannelChoices(start: 4, stop: 12, step: 4))
    XCTAssertEqual(back, ArchState(cs))
    // Mismatches are errors, not traps.
    let bad = #"{"midstage1/xp_pre": {"channel_alphas": [0, 3], "out_range": {"start": 4, "stop": 12, "step": 4}}}"#
    XCTAssertThrowsError(try ArchState.parse(Data(bad.utf8)).apply(to: cs))
    XCTAssertThrowsError(try ArchState.parse(Data("[1,2]".utf8)))
    XCTAssertThrowsError(try ArchState.parse(Data(#"{"a": {"channel_alphas": [1]}}"#.utf8)))
  }

  /// A trained final network written as a network file loads back with identical logits; a
  /// tampered file is refused naming the tensor.
  func testNetworkFileRoundTripGivesIdenticalLogits() throws {
    var space = SearchSpaceConfig()
    space.input = InputShape(height: 8, width: 8, channels: 1)
    space.classes = 3; space.stemChannels = 4
    space.ops = [.conv3x3, .sep3x3, .dil3x3, .zero]
    space.microStacks = [1, 0]; space.channelStacks = [1, 0]
    let micro = try Supernet(space: space, stage: .micro, seed: 3)
    var g = try micro.genotype
    for c in g.cells.indices { for e in g.cells[c].ops.keys { g.cells[c].widths[e] = 6 } }
    let net = try Supernet(space: space, stage: .final, genotype: g, seed: 4)
    var rng = RandomSource(seed: 9)
    let x = try Tensor.randn([5, 1, 8, 8], rng: &rng)
    // A few training steps move weights and batch-norm statistics away from their initial values.
    let sgd = try SGD(lr: 0.05, momentum: 0.9)
    for _ in 0..<3 {
      let l = try crossEntropy(try net.forward(x, training: true).logits, [0, 1, 2, 0, 1])
      try l.backward()
      try sgd.step(net.weights)
      zeroGrad(net.weights)
    }
    let path = NSTemporaryDirectory() + "uboost-net-\(UUID().uuidString).json"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NetworkFile(net).write(to: path)
    let back = try NetworkFile.read(from: path).build(source: path)
    XCTAssertEqual(back.stage, .final)
    XCTAssertEqual(try back.genotype, try net.genotype)
    XCTAssertEqual(try back.forward(x, training: false).logits.data, try net.forward(x, training: false).logits.data)
    XCTAssertNotEqual(try Supernet(space: space, stage: .final, genotype: g, seed: 4).forward(x, training: false).logits.data,
                      try net.forward(x, training: false).logits.data)
    // Tampering: a tensor of another shape, an unknown version.
    var file = try NetworkFile.read(from: path)
    file.tensors[0].shape = [1]
    XCTAssertThrowsError(try file.build(source: path)) { XCTAssertTrue("\($0)".contains("tensor 'stem.weight' [1]"), "\($0)") }
    file = try NetworkFile.read(from: path)
    file.version = 9
    try file.write(to: path)
    XCTAssertThrowsError(try NetworkFile.read(from: path)) { XCTAssertTrue("\($0)".contains("field 'version' is 9"), "\($0)") }
  }
}
