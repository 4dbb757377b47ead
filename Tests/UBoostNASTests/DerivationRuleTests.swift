import XCTest
@testable import UBoostNAS
@testable import UBoostTensor

/// Derivation rules: the default argmax rule is exactly `net.genotype`; top_k is DARTS' rule.
final class DerivationRuleTests: XCTestCase {
  func space(shared: Bool = true) -> SearchSpaceConfig {
    var s = SearchSpaceConfig()
    s.input = InputShape(height: 6, width: 6, channels: 1)
    s.stemChannels = 4
    s.classes = 3
    s.ops = [.conv3x3, .sep3x3, .identity, .zero]
    s.microStacks = [1, 0]
    s.sharedAlphas = shared
    return s
  }

  /// Over many random alpha draws, with and without the identity cap and shared alphas, the
  /// argmax rule with the supernet's cap gives the genotype `net.genotype` gives.
  func testDefaultRuleIsTodaysGenotype() throws {
    var compared = 0
    for seed in 0..<40 {
      for shared in [true, false] {
        let net = try Supernet(space: space(shared: shared), stage: .micro, seed: UInt64(seed))
        for cap in [nil, 0, 1, 2] as [Int?] {
          net.maxIdentityEdges = cap
          guard let g = try? net.genotype else {
            XCTAssertThrowsError(try net.genotype(rule: .argmax(exclude: [], maxIdentity: cap)))
            continue
          }
          XCTAssertEqual(try net.genotype(rule: .argmax(exclude: [], maxIdentity: cap)), g, "seed \(seed) cap \(String(describing: cap))")
          compared += 1
        }
      }
    }
    XCTAssertGreaterThan(compared, 100)
  }

  func testTopKKeepsKInputsPerNode() throws {
    let net = try Supernet(space: space(), stage: .micro, seed: 7)
    // Make every op of every edge equal except a chosen strength per edge, so the ranking is known.
    for (i, a) in net.alphas.enumerated() {
      try a.assign([.range(0..<4)], values: [Float(i), 0, 0, 50])   // zero is the argmax everywhere
    }
    let g = try net.genotype(rule: .topK(2, exclude: ["zero"]))
    // Node t3 has 4 inputs (edge indexes xp_t3 2, xpp_t3 5, t1_t3 7, t2_t3 8);
    // the two with the largest conv3x3 weight are t1_t3 and t2_t3.
    let cell = g.cells[0]
    XCTAssertEqual(cell.ops["t1_t3"], .conv3x3)
    XCTAssertEqual(cell.ops["t2_t3"], .conv3x3)
    XCTAssertNil(cell.ops["xp_t3"])
    XCTAssertFalse(cell.ops.values.contains(where: \.isZero))
    // With zero allowed it is argmax-like: zero wins every edge and the cell dies.
    XCTAssertThrowsError(try net.genotype(rule: .topK(2, exclude: [])))
    XCTAssertThrowsError(try net.genotype(rule: .topK(2, exclude: ["zeros"])))   // a typo
    XCTAssertThrowsError(try net.genotype(rule: .argmax(exclude: Set(CandidateOp.allCases.map(\.name)), maxIdentity: nil)))
  }
}
