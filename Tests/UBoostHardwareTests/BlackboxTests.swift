import XCTest
@testable import UBoostHardware

final class BlackboxTests: XCTestCase {
  func table() throws -> LookupTable { try LookupTable(path: try Fixture.url("csim_lookup_128x128").path) }

  // MARK: - Reference (nearest key) against blackbox.json

  func testReferenceQueriesMatchGolden() throws {
    let g = try Fixture.json("blackbox")
    let model = BlackboxModel(table: try table(), compatibility: .reference)
    var checked = 0
    for q in g["queries"] as? [[String: Any]] ?? [] {
      let layer = q["layer"] as? String ?? ""
      let k = (q["kernel"] as? [Any] ?? []).compactMap(num).map(Int.init)
      let kernel = "\(k.first ?? 0)x\(k.last ?? 0)"
      guard let size = num(q["input_size"]), let i = num(q["in_ch"]), let o = num(q["out_ch"]) else { continue }
      if let err = q["error"] as? [String: Any] {
        // A float input size ("8.0") is an error in the reference: our API takes Int sizes, so it
        // cannot be expressed; everything else must throw an error naming the key.
        if (err["message"] as? String ?? "").contains("input_size \(Int(size)).0") { continue }
        XCTAssertThrowsError(try model.lookup(layer: layer, inputSize: Int(size), kernel: kernel, inCh: i, outCh: o)) { e in
          let msg = err["message"] as? String ?? ""
          if msg.contains("kernel_size") { XCTAssertTrue("\(e)".contains("kernel_size \(kernel)"), "\(e)") }
          if msg.contains("input_size") { XCTAssertTrue("\(e)".contains("input_size \(Int(size))"), "\(e)") }
          if msg.isEmpty { XCTAssertTrue("\(e)".contains(layer), "\(e)") }
        }
        checked += 1
        continue
      }
      let r = try model.lookup(layer: layer, inputSize: Int(size), kernel: kernel, inCh: i, outCh: o)
      XCTAssertEqual(r.runtimeMs, num(q["runtime_csim"]) ?? .nan, accuracy: 1e-15, "\(q)")
      XCTAssertEqual(r.util, num(q["util_csim"]) ?? .nan, accuracy: 1e-15, "\(q)")
      XCTAssertEqual(r.path.rawValue, q["path"] as? String, "\(q)")
      checked += 1
    }
    XCTAssertEqual(checked, 37)
    // Through the cost-model interface (HardwareModel.conv_runtime / dw_conv_runtime / fc_runtime).
    for v in g["via_hardware_model"] as? [[String: Any]] ?? [] {
      guard let i = num(v["in_ch"]), let o = num(v["out_ch"]) else { continue }
      let call = v["call"] as? String ?? ""
      let k = (v["kernel"] as? [Any] ?? []).compactMap(num).map(Int.init)
      let h = Int(num(v["H"]) ?? 1)
      let l: LayerSpec
      switch call {
      case "dw": l = .depthwise(k: k.first ?? 1, channels: i, out: h)
      case "fc": l = .linear(in: i, out: o)
      default: l = LayerSpec(kind: .conv, k1: k.first ?? 1, k2: k.last ?? 1, cin: i, cout: o, outH: h, outW: h)
      }
      let c = try model.cost(l)
      XCTAssertEqual(c.latencyMs, num(v["runtime_csim"]) ?? .nan, accuracy: 1e-15, "\(v)")
      XCTAssertEqual(c.util, num(v["util_csim"]) ?? .nan, accuracy: 1e-12, "\(v)")
    }
  }

  func testClosestHelperMatchesGolden() throws {
    let g = try Fixture.json("blackbox")
    let cases = (g["helpers"] as? [String: Any])?["closest"] as? [[String: Any]] ?? []
    XCTAssertEqual(cases.count, 5)
    for c in cases {
      let rng = (c["rng"] as? [Any] ?? []).compactMap(num).map(Int.init)
      XCTAssertEqual(BlackboxModel.closest(num(c["x"]) ?? 0, in: rng).map(Double.init), num(c["out"]), "\(c)")
    }
  }

  // MARK: - Corrected (interpolating)

  func testInterpolatesBetweenKeys() throws {
    let t = try table()
    let m = BlackboxModel(table: t, config: HardwareConfig(batch: 1))
    // Exactly on keys: the stored runtime, util recomputed from MACs.
    let onKey = try m.cost(.conv(k: 3, cin: 64, cout: 64, out: 8))
    XCTAssertEqual(onKey.latencyMs, 0.000679, accuracy: 1e-12)
    XCTAssertEqual(onKey.util, 64.0 * 9 * 64 * 64 / (679 * 16384), accuracy: 1e-9)
    // Halfway between in_ch 64 and 80 and out_ch 96 and 112: bilinear mean of the four corners.
    let s = try t.slice(layer: "Conv2d", inputSize: 8, kernel: "3x3")
    func rt(_ i: Int, _ o: Int) -> Double { s[i]?[o]?.runtimeMs ?? .nan }
    let mid = try m.cost(.conv(k: 3, cin: 72, cout: 104, out: 8))
    XCTAssertEqual(mid.latencyMs, (rt(64, 96) + rt(64, 112) + rt(80, 96) + rt(80, 112)) / 4, accuracy: 1e-12)
    // Gradients by finite differences.
    let h = 1e-4
    for (ci, co) in [(70.0, 100.0), (130.5, 250.2), (20.0, 17.0)] {
      let c = try m.cost(.conv(k: 3, cin: ci, cout: co, out: 8))
      let fi = (try m.cost(.conv(k: 3, cin: ci + h, cout: co, out: 8)).latencyMs
        - (try m.cost(.conv(k: 3, cin: ci - h, cout: co, out: 8)).latencyMs)) / (2 * h)
      let fo = (try m.cost(.conv(k: 3, cin: ci, cout: co + h, out: 8)).latencyMs
        - (try m.cost(.conv(k: 3, cin: ci, cout: co - h, out: 8)).latencyMs)) / (2 * h)
      XCTAssertEqual(c.dLatency.dCin, fi, accuracy: 1e-6 * max(abs(fi), 1e-6))
      XCTAssertEqual(c.dLatency.dCout, fo, accuracy: 1e-6 * max(abs(fo), 1e-6))
    }
  }

  func testErrorsNameTheKey() throws {
    let m = BlackboxModel(table: try table())
    func expect(_ l: LayerSpec, _ fragment: String) {
      XCTAssertThrowsError(try m.cost(l)) { XCTAssertTrue("\($0)".contains(fragment), "\($0) lacks \(fragment)") }
    }
    expect(.conv(k: 3, cin: 8, cout: 64, out: 8), "in_ch 8")
    expect(.conv(k: 3, cin: 64, cout: 300, out: 8), "out_ch 300")
    expect(.conv(k: 7, cin: 64, cout: 64, out: 8), "kernel_size 7x7")
    expect(.conv(k: 3, cin: 64, cout: 64, out: 64), "input_size 64")
    XCTAssertThrowsError(try m.lookup(layer: "Linear", inputSize: 8, kernel: "1x1", inCh: 8, outCh: 8)) {
      XCTAssertTrue("\($0)".contains("Linear"))
    }
  }

  func testMalformedAndMissingFiles() {
    XCTAssertThrowsError(try BlackboxModel(path: "/nonexistent/table.json")) {
      XCTAssertTrue("\($0)".contains("/nonexistent/table.json"))
    }
    let bad: [(String, String)] = [
      ("[1, 2]", "top level"),
      ("{\"Conv2d\": {\"x\": {}}}", "'x'"),
      ("{\"Conv2d\": {\"8\": {\"3x3\": {\"16\": {\"16\": {\"util_csim\": 1}}}}}}", "Conv2d/8/3x3/16/16"),
      ("{\"Conv2d\": {\"8\": {\"3x3\": {\"16\": 5}}}}", "Conv2d/8/3x3/16"),
      ("not json", "JSON"),
    ]
    for (text, fragment) in bad {
      XCTAssertThrowsError(try BlackboxModel(data: Data(text.utf8))) {
        XCTAssertTrue("\($0)".contains(fragment), "\($0) lacks \(fragment)")
      }
    }
  }
}
