import XCTest
@testable import UBoostHardware

/// Compares the analytic models with the reference's golden outputs (hw_systolic / hw_flops / hw_roofline).
final class CostModelGoldenTests: XCTestCase {
  // MARK: - Helpers

  struct Row {
    var cin: Double, cout: Double, k: (Int, Int), h: Int, w: Int
    var runtime: Double, util: Double
    var dRtIn: Double?, dRtOut: Double?, dUIn: Double?, dUOut: Double?
    var raw: [String: Any]
  }

  func rows(_ file: String, _ array: String, _ kind: String) throws -> [Row] {
    let g = try Fixture.json(file)
    guard let a = g[array] as? [String: Any], let list = a[kind] as? [[String: Any]] else {
      XCTFail("missing \(array)/\(kind) in \(file)")
      return []
    }
    return list.map { e in
      let ys = (e["y_shape"] as? [Any] ?? []).compactMap(num).map(Int.init)
      let ks = (e["kernel"] as? [Any] ?? []).compactMap(num).map(Int.init)
      return Row(cin: num(e["in_ch"]) ?? 0, cout: num(e["out_ch"]) ?? 0,
                 k: ks.count == 2 ? (ks[0], ks[1]) : (1, 1), h: ys.count == 4 ? ys[2] : 1, w: ys.count == 4 ? ys[3] : 1,
                 runtime: num(e["runtime_ms"]) ?? .nan, util: num(e["util"]) ?? .nan,
                 dRtIn: num(e["druntime_din"]), dRtOut: num(e["druntime_dout"]),
                 dUIn: num(e["dutil_din"]), dUOut: num(e["dutil_dout"]), raw: e)
    }
  }

  func layer(_ r: Row, _ kind: String) -> LayerSpec {
    switch kind {
    case "dw_conv": return LayerSpec(kind: .depthwise, k1: r.k.0, k2: r.k.1, cin: r.cin, cout: r.cin, outH: r.h, outW: r.w)
    case "fc": return .linear(in: r.cin, out: r.cout)
    default: return LayerSpec(kind: .conv, k1: r.k.0, k2: r.k.1, cin: r.cin, cout: r.cout, outH: r.h, outW: r.w)
    }
  }

  func config(_ array: String) -> HardwareConfig {
    switch array {
    case "A32x32": return HardwareConfig(rows: 32, cols: 32)
    case "A256x64": return HardwareConfig(rows: 256, cols: 64)
    default: return HardwareConfig()
    }
  }

  /// Gradients are float32 autograd values; compare relative to the magnitude of the layer's gradients.
  func checkGrad(_ mine: Double, _ ref: Double?, scale: Double, _ msg: String) {
    guard let ref else { return }
    assertClose(mine, ref, rel: 1e-3, abs: 1e-5 * scale, msg)
  }

  // MARK: - Systolic

  func testSystolicReferenceMatchesGolden() throws {
    var checked = 0
    for array in ["A128x128", "A32x32", "A256x64"] {
      let model = SystolicModel(config: config(array), ceiling: .reference, compatibility: .reference)
      let exact = SystolicModel(config: config(array), ceiling: .exact, compatibility: .reference)
      for kind in ["conv", "dw_conv", "fc"] {
        for r in try rows("hw_systolic", array, kind) {
          let l = layer(r, kind)
          let c = try model.cost(l)
          let msg = "\(array) \(kind) \(r.cin)->\(r.cout) k\(r.k) \(r.h)"
          assertClose(c.latencyMs, r.runtime, rel: 1e-5, abs: 0, msg)
          assertClose(c.util, r.util, rel: 1e-5, abs: 0, msg)
          let sR = max(abs(r.dRtIn ?? 0), abs(r.dRtOut ?? 0)), sU = max(abs(r.dUIn ?? 0), abs(r.dUOut ?? 0))
          checkGrad(c.dLatency.dCin, r.dRtIn, scale: sR, "dRt/din " + msg)
          if kind != "dw_conv" {
            checkGrad(c.dLatency.dCout, r.dRtOut, scale: sR, "dRt/dout " + msg)
            checkGrad(c.dUtil.dCout, r.dUOut, scale: sU, "dU/dout " + msg)
          }
          // Depthwise util does not depend on cin: the golden holds float32 rounding noise (~1e-11).
          checkGrad(c.dUtil.dCin, r.dUIn, scale: kind == "dw_conv" ? 1e-3 : sU, "dU/din " + msg)
          if let ex = num(r.raw["runtime_ms_exact_ceil"]), let ue = num(r.raw["util_exact_ceil"]) {
            let e = try exact.cost(l)
            assertClose(e.latencyMs, ex, rel: 1e-9, abs: 0, "exact " + msg)
            assertClose(e.util, ue, rel: 1e-9, abs: 0, "exact util " + msg)
          }
          checked += 1
        }
      }
    }
    XCTAssertEqual(checked, 432 + 24 + 6 + 2 * (180 + 24 + 6))
  }

  // MARK: - Flops and roofline

  func testFlopsMatchesGolden() throws {
    var checked = 0
    for array in ["A128x128", "A32x32"] {
      let model = FlopsModel(config: config(array))
      for kind in ["conv", "dw_conv", "fc"] {
        for r in try rows("hw_flops", array, kind) {
          let c = try model.cost(layer(r, kind))
          assertClose(c.latencyMs, r.runtime, rel: 1e-6, abs: 0, "\(kind) \(r.cin)")
          XCTAssertEqual(c.util, 1)
          checkGrad(c.dLatency.dCin, r.dRtIn, scale: abs(r.dRtIn ?? 0), "flops din")
          if kind != "dw_conv" { checkGrad(c.dLatency.dCout, r.dRtOut, scale: abs(r.dRtOut ?? 0), "flops dout") }
          checked += 1
        }
      }
    }
    XCTAssertEqual(checked, 180 + 24 + 6 + 54 + 24 + 6)
  }

  func testRooflineReferenceMatchesGolden() throws {
    var checked = 0
    for array in ["A128x128", "A32x32"] {
      let model = RooflineModel(config: config(array), compatibility: .reference)
      for kind in ["conv", "dw_conv", "fc"] {
        for r in try rows("hw_roofline", array, kind) {
          let c = try model.cost(layer(r, kind))
          let msg = "\(array) \(kind) \(r.cin)->\(r.cout) k\(r.k) \(r.h)"
          assertClose(c.latencyMs, r.runtime, rel: 1e-5, abs: 0, msg)
          assertClose(c.util, r.util, rel: 1e-5, abs: 0, msg)
          let sR = max(abs(r.dRtIn ?? 0), abs(r.dRtOut ?? 0))
          checkGrad(c.dLatency.dCin, r.dRtIn, scale: sR, "din " + msg)
          if kind != "dw_conv" { checkGrad(c.dLatency.dCout, r.dRtOut, scale: sR, "dout " + msg) }
          checked += 1
        }
      }
    }
    XCTAssertEqual(checked, 180 + 24 + 6 + 54 + 24 + 6)
  }

  func testRooflineCorrectedUsesOutputMap() throws {
    // 1x1 conv, 64 -> 32 channels on 8x8, batch 64: traffic 2*(64*32 + 64*64*64 + 64*64*32) bytes.
    let m = RooflineModel(compatibility: .corrected, sharpness: 1e6)
    let c = try m.cost(.conv(k: 1, cin: 64, cout: 32, out: 8))
    let weights: Double = 64 * 32, inputs: Double = 64 * 64 * 64, outputs: Double = 64 * 64 * 32
    let bytes = 2 * (weights + inputs + outputs)
    XCTAssertEqual(c.latencyMs, bytes / 80e9 * 1e3, accuracy: 1e-9)
  }
}
