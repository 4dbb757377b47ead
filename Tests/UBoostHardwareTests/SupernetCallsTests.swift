import XCTest
@testable import UBoostHardware

/// Every per-layer systolic cost call the reference supernet makes (hw_supernet.json), including the
/// soft (fractional) channel counts of channel search, priced by `SystolicModel` in reference mode.
final class SupernetCallsTests: XCTestCase {
  func testSystolicHwCallsMatchGolden() throws {
    let g = try Fixture.json("hw_supernet")
    let sys = g["systolic"] as? [String: Any] ?? [:]
    let model = SystolicModel(compatibility: .reference)
    var checked = 0
    for stage in ["microsearch", "channelsearch"] {
      let calls = (sys[stage] as? [String: Any])?["hw_calls"] as? [[String: Any]] ?? []
      XCTAssertFalse(calls.isEmpty, stage)
      for c in calls {
        guard let cin = num(c["in_ch"]), let cout = num(c["out_ch"]), let rt = num(c["runtime"]),
              let util = num(c["util"]) else { continue }
        let shape = (c["out_shape"] as? [Any] ?? []).compactMap(num).map(Int.init)
        let k = (c["kernel"] as? [Any] ?? []).compactMap(num).map(Int.init)
        let groups = Int(num(c["groups"]) ?? 1)
        let dil = Int((c["dilation"] as? [Any] ?? []).compactMap(num).first ?? 1)
        let h = shape.count == 4 ? shape[2] : 1, w = shape.count == 4 ? shape[3] : 1
        // Grouped convs are depthwise in the reference (out_ch is replaced by in_ch).
        var kind: LayerKind = groups > 1 ? .depthwise : (dil > 1 ? .dilated : .conv)
        switch c["cell"] as? String ?? "" {
        case "Identity": kind = .identity
        case "ZeroLayer": kind = .zero
        case "MaxPool2d": kind = .pool
        default: break
        }
        let l = LayerSpec(kind: kind, k1: k.first ?? 1, k2: k.last ?? 1, cin: cin, cout: groups > 1 ? cin : cout,
                          outH: h, outW: w, dilation: dil)
        let cost = try model.cost(l)
        assertClose(cost.latencyMs, rt, rel: 1e-5, abs: 0, "\(stage) \(c)")
        assertClose(cost.util, util, rel: 1e-5, abs: 0, "\(stage) \(c)")
        checked += 1
      }
    }
    XCTAssertEqual(checked, 306 + 237)
  }
}
