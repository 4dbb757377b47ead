import Foundation
import XCTest
import UBoostHardware
import UBoostTensor
@testable import UBoostNAS

/// Whole-supernet runtime / utilization and their alpha gradients in `.reference` aggregation
/// against golden/hw_supernet.json (the reference code with gumbel noise replaced by softmax,
/// tau 1, x = zeros(1,3,32,32), eval mode).
final class GoldenSupernetTests: XCTestCase {
  func golden() throws -> [String: Any] {
    let url = try XCTUnwrap(Bundle.module.url(forResource: "hw_supernet", withExtension: "json", subdirectory: "Fixtures"))
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  /// Runs forward + backward of latency and utilization separately; returns values and grads by block name.
  func measure(_ net: Supernet) throws -> (Double, Double, [String: [Float]], [String: [Float]]) {
    net.gumbelNoise = false
    net.tau = 1
    let x = try Tensor.zeros([1, 3, 32, 32])
    func grads() -> [String: [Float]] {
      var d: [String: [Float]] = [:]
      for (s, set) in net.edgeAlphas.enumerated() {
        for (e, a) in zip(net.edgeList, set) { d["midstage\(s + 1)/\(e.name)"] = a.gradData ?? [] }
      }
      for c in net.channelSearches { d[c.name] = c.alpha.gradData ?? [] }
      return d
    }
    net.zeroGrad()
    let o1 = try net.forward(x, training: false)
    try o1.latency.backward()
    let gl = grads()
    net.zeroGrad()
    let o2 = try net.forward(x, training: false)
    try o2.util.backward()
    let gu = grads()
    return (Double(o1.latency.data[0]), Double(o2.util.data[0]), gl, gu)
  }

  func assertGrads(_ got: [Float], _ want: [Any], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    let w = want.compactMap { ($0 as? NSNumber)?.doubleValue }
    XCTAssertEqual(got.count, w.count, what, file: file, line: line)
    let scale = max(1e-6, w.map(Swift.abs).max() ?? 0)
    for (g, v) in zip(got, w) {
      XCTAssertEqual(Double(g), v, accuracy: 2e-3 * scale + 1e-7, what, file: file, line: line)
    }
  }

  func testMicroSearchSystolicReference() throws {
    let root = try golden()
    let sys = try XCTUnwrap(root["systolic"] as? [String: Any])
    let alphas = try XCTUnwrap(sys["layer_alphas"] as? [String: [Double]])
    let ms = try XCTUnwrap(sys["microsearch"] as? [String: Any])
    let net = try Supernet(space: SearchSpaceConfig(), stage: .micro, seed: 0, cost: HardwareCost.reference(), aggregation: .reference)
    var blocks: [String: ArchState.Entry] = [:]
    for (k, v) in alphas { blocks["midstage1/\(k)"] = ArchState.Entry(layerAlphas: v, channelAlphas: nil, outRange: nil) }
    try ArchState(blocks: blocks).apply(to: net)
    let (lat, util, gl, gu) = try measure(net)
    XCTAssertEqual(lat, try XCTUnwrap(ms["runtime_ms"] as? Double), accuracy: 1e-4 * lat)
    XCTAssertEqual(util, try XCTUnwrap(ms["util"] as? Double), accuracy: 1e-4 * util)
    let dl = try XCTUnwrap(ms["druntime_dalpha"] as? [String: [Any]])
    let du = try XCTUnwrap(ms["dutil_dalpha"] as? [String: [Any]])
    for (k, v) in dl { assertGrads(gl["midstage1/\(k)"] ?? [], v, "druntime/d\(k)") }
    for (k, v) in du { assertGrads(gu["midstage1/\(k)"] ?? [], v, "dutil/d\(k)") }
  }

  func testMicroSearchFlopsAndRooflineReference() throws {
    let root = try golden()
    for (key, model) in [("flops", HardwareCost(FlopsModel())),
                         ("roofline", HardwareCost(RooflineModel(compatibility: .reference)))] {
      let sect = try XCTUnwrap(root[key] as? [String: Any])
      let alphas = try XCTUnwrap(sect["layer_alphas"] as? [String: [Double]])
      let ms = try XCTUnwrap(sect["microsearch"] as? [String: Any])
      let net = try Supernet(space: SearchSpaceConfig(), stage: .micro, seed: 0, cost: model, aggregation: .reference)
      var blocks: [String: ArchState.Entry] = [:]
      for (k, v) in alphas { blocks["midstage1/\(k)"] = ArchState.Entry(layerAlphas: v, channelAlphas: nil, outRange: nil) }
      try ArchState(blocks: blocks).apply(to: net)
      let (lat, util, gl, _) = try measure(net)
      XCTAssertEqual(lat, try XCTUnwrap(ms["runtime_ms"] as? Double), accuracy: 1e-3 * lat, key)
      XCTAssertEqual(util, try XCTUnwrap(ms["util"] as? Double), accuracy: 1e-3 * util, key)
      let dl = try XCTUnwrap(ms["druntime_dalpha"] as? [String: [Any]])
      for (k, v) in dl { assertGrads(gl["midstage1/\(k)"] ?? [], v, "\(key) druntime/d\(k)") }
    }
  }

  func testChannelSearchSystolicReference() throws {
    let root = try golden()
    let sys = try XCTUnwrap(root["systolic"] as? [String: Any])
    let cs = try XCTUnwrap(sys["channelsearch"] as? [String: Any])
    let selected = try XCTUnwrap(cs["selected_ops"] as? [String: String])
    var ops: [String: CandidateOp] = [:]
    for (k, v) in selected { ops[k] = try XCTUnwrap(CandidateOp.parse(v), v) }
    let net = try Supernet(space: SearchSpaceConfig(), stage: .channel, genotype: Genotype(cells: [CellGenotype(ops: ops)]),
                           seed: 0, cost: HardwareCost.reference(), aggregation: .reference)
    // Load the alphas through the reference arch-state schema.
    let alphas = try XCTUnwrap(cs["channel_alphas"] as? [String: [Double]])
    let range = try XCTUnwrap(cs["channel_range"] as? [String: Int])
    var obj: [String: Any] = [:]
    for (k, v) in alphas { obj[k] = ["channel_alphas": v, "out_range": range] }
    let state = try ArchState.parse(try JSONSerialization.data(withJSONObject: obj))
    try state.apply(to: net)
    let (lat, util, gl, gu) = try measure(net)
    XCTAssertEqual(lat, try XCTUnwrap(cs["runtime_ms"] as? Double), accuracy: 1e-4 * lat)
    XCTAssertEqual(util, try XCTUnwrap(cs["util"] as? Double), accuracy: 1e-4 * util)
    let dl = try XCTUnwrap(cs["druntime_dalpha"] as? [String: [Any]])
    let du = try XCTUnwrap(cs["dutil_dalpha"] as? [String: [Any]])
    for (k, v) in dl { assertGrads(gl[k] ?? [], v, "druntime/d\(k)") }
    for (k, v) in du { assertGrads(gu[k] ?? [], v, "dutil/d\(k)") }
    // Soft widths as the reference computed them.
    let soft = try XCTUnwrap(cs["soft_eff_channels"] as? [String: [String: Double]])
    let mine = net.softWidths
    for (cell, d) in soft {
      for (conv, w) in d where conv != "t1_t3" && conv != "out_maxpool" {
        XCTAssertEqual(try XCTUnwrap(mine["\(cell)/\(conv)"], "\(cell)/\(conv)"), w, accuracy: 1e-3)
      }
    }
  }
}
