import XCTest
import UBoostTensor
@testable import UBoostNAS

/// Structure of the reference supernets: weight counts must equal the PyTorch reference's
/// (shared/bench/README.md: micro 32,062,218; channel with the reference ops 51,256,730).
final class SupernetStructureTests: XCTestCase {
  func testMicroSupernetWeightCountMatchesReference() throws {
    let net = try Supernet(space: SearchSpaceConfig(), stage: .micro, seed: 0)
    XCTAssertEqual(net.weightCount, 32_062_218)
    XCTAssertEqual(net.alphaCount, 72)
    XCTAssertEqual(net.optimizerAlphas.count, 9)
  }

  func testChannelSupernetWeightCountMatchesReference() throws {
    let names = ["zero", "conv3x3", "conv3x3", "dil3x3", "sep5x5", "dil3x3", "dil3x3", "dil3x3", "sep3x3"]
    let edges = CellEdge.all(nodes: 3)
    var ops: [String: CandidateOp] = [:]
    for (e, n) in zip(edges, names) { ops[e.name] = try XCTUnwrap(CandidateOp.parse(n)) }
    let net = try Supernet(space: SearchSpaceConfig(), stage: .channel, genotype: Genotype(cells: [CellGenotype(ops: ops)]), seed: 0)
    XCTAssertEqual(net.weightCount, 51_256_730)
    // 2 pre-convs + 8 non-zero edges per cell, 9 cells, 28 widths each.
    XCTAssertEqual(net.alphaCount, 9 * 10 * 28)
  }

  /// The pre-allocation estimate bounds what is really allocated, and not by much (it decides
  /// whether a supernet may be built at all under a memory limit).
  func testEstimatedValueCountBoundsTheRealNetwork() throws {
    func real(_ n: Supernet) -> Double { Double(n.weightCount + n.alphaCount + 2 * n.batchNorms.reduce(0) { $0 + $1.runningMean.count }) }
    let micro = try Supernet(space: SearchSpaceConfig(), stage: .micro, seed: 0)
    let em = Supernet.estimatedValueCount(space: SearchSpaceConfig(), stage: .micro)
    XCTAssertGreaterThanOrEqual(em, real(micro))
    XCTAssertLessThan(em, real(micro) * 1.1)
    let names = ["zero", "conv3x3", "conv3x3", "dil3x3", "sep5x5", "dil3x3", "dil3x3", "dil3x3", "sep3x3"]
    var ops: [String: CandidateOp] = [:]
    for (e, n) in zip(CellEdge.all(nodes: 3), names) { ops[e.name] = try XCTUnwrap(CandidateOp.parse(n)) }
    let g = Genotype(cells: [CellGenotype(ops: ops)])
    let channel = try Supernet(space: SearchSpaceConfig(), stage: .channel, genotype: g, seed: 0)
    let ec = Supernet.estimatedValueCount(space: SearchSpaceConfig(), stage: .channel, genotype: g)
    XCTAssertGreaterThanOrEqual(ec, real(channel))
    XCTAssertLessThan(ec, real(channel) * 1.1)
    var small = SearchSpaceConfig()
    small.stemChannels = 8; small.microStacks = [1, 0]; small.channelStacks = [1, 0]
    let mg = try micro.genotype
    let fin = try Supernet(space: small, stage: .final, genotype: mg, seed: 0)
    XCTAssertGreaterThanOrEqual(Supernet.estimatedValueCount(space: small, stage: .final, genotype: mg), real(fin))
  }

  func testEdgesInReferenceOrder() {
    XCTAssertEqual(CellEdge.all(nodes: 3).map(\.name),
                   ["xp_t1", "xp_t2", "xp_t3", "xpp_t1", "xpp_t2", "xpp_t3", "t1_t2", "t1_t3", "t2_t3"])
    XCTAssertEqual(CellEdge.all(nodes: 2).count, 5)
  }

  func testChannelChoices() throws {
    XCTAssertEqual(ChannelChoices.reference.widths.count, 28)
    XCTAssertEqual(ChannelChoices.reference.widths.first, 64)
    XCTAssertEqual(ChannelChoices.reference.widths.last, 280)
    XCTAssertEqual(try ChannelChoices(start: 10, stop: 30, step: 8).widths, [16, 24])
    XCTAssertThrowsError(try ChannelChoices(start: 8, stop: 32, step: 0))
    XCTAssertThrowsError(try ChannelChoices(start: 40, stop: 32, step: 8))
  }

  func testSmallSupernetForwardShapesAndBadInput() throws {
    var space = SearchSpaceConfig()
    space.input = InputShape(height: 9, width: 9, channels: 1)
    space.stemChannels = 4
    space.classes = 3
    let net = try Supernet(space: space, stage: .micro, seed: 3)
    let x = try Tensor.zeros([2, 1, 9, 9])
    let out = try net.forward(x, training: true)
    XCTAssertEqual(out.logits.shape, [2, 3])
    XCTAssertThrowsError(try net.forward(try Tensor.zeros([2, 3, 9, 9]), training: true)) { e in
      XCTAssertTrue("\(e)".contains("expected [N, 1, 9, 9]"))
    }
  }

  func testInvalidConfigThrows() {
    var space = SearchSpaceConfig()
    space.ops = []
    XCTAssertThrowsError(try Supernet(space: space, stage: .micro)) { e in XCTAssertTrue("\(e)".contains("op list is empty")) }
    space = SearchSpaceConfig()
    space.microStacks = [2]
    XCTAssertThrowsError(try Supernet(space: space, stage: .micro))
    XCTAssertThrowsError(try Supernet(space: SearchSpaceConfig(), stage: .final)) { e in
      XCTAssertTrue("\(e)".contains("needs a genotype"))
    }
  }
}
