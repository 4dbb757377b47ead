import Foundation
import XCTest

/// `uboost arch cost FILE`: a final_arch.json priced by every model, without the network.
extension CLITests {
  func writeArch(_ text: String) throws -> String {
    let dir = try tempDir()
    let path = dir + "/final_arch.json"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func testArchCostPricesALayerWithEveryModel() throws {
    // 3x3 conv, 32 -> 40 channels, 8x8 output, on a 32x32 array with hardware batch 64.
    let path = try writeArch("""
      {"layers": [{"kind": "conv", "k": 3, "cin": 32, "cout": 40, "stride": 1, "dilation": 1, "groups": 1,
                   "in_hw": [8, 8], "out_hw": [8, 8]}]}
      """)
    let r = try uboost(["arch", "cost", path, "--rows", "32", "--cols", "32", "--batch", "64", "--json"])
    XCTAssertEqual(r.status, 0, r.err)
    let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
    let models = try XCTUnwrap(obj?["models"] as? [[String: Any]])
    func model(_ name: String) throws -> [String: Any] { try XCTUnwrap(models.first { $0["model"] as? String == name }, name) }
    // FLOPs: MACs / peak = 64*8*8*9*32*40 / (32*32*1e9) s.
    let macs = 64.0 * 64 * 9 * 32 * 40
    XCTAssertEqual(try model("flops")["latency_ms"] as? Double ?? 0, macs / (32 * 32 * 1e9) * 1e3, accuracy: 1e-9)
    XCTAssertEqual(try model("flops")["macs"] as? Double ?? 0, macs)
    // 40 columns take two 32-wide tiles: the exact ceiling's utilization is at most 40/64.
    let exact = try model("systolic (exact ceiling)")
    XCTAssertLessThanOrEqual(exact["util"] as? Double ?? 1, 40.0 / 64 + 1e-9)
    XCTAssertGreaterThan(try model("simulator")["latency_ms"] as? Double ?? 0, try model("flops")["latency_ms"] as? Double ?? 0)
    // A long label (a depthwise half of a separable conv) once ran into its first number.
    let long = try writeArch("""
      {"layers": [{"kind": "conv", "k": 3, "cin": 32, "cout": 40, "stride": 1, "dilation": 1, "groups": 1,
                   "in_hw": [8, 8], "out_hw": [8, 8]},
                  {"cell": 0, "edge": "xp_t2/dw", "kind": "depthwise", "k": 3, "cin": 16, "cout": 16, "stride": 1,
                   "dilation": 1, "groups": 16, "in_hw": [14, 14], "out_hw": [14, 14]}]}
      """)
    let table = try uboost(["arch", "cost", long, "--rows", "32", "--cols", "32", "--layers"])
    XCTAssertEqual(table.status, 0, table.err)
    XCTAssertTrue(table.out.contains("simulator") && table.out.contains("32->40"), table.out)
    // Every layer row keeps its label apart from the first number, however long the label.
    for line in table.out.split(separator: "\n") where line.contains("->") {
      XCTAssertNotNil(line.range(of: #"->\d+\s+\d"#, options: .regularExpression), String(line))
    }
  }

  func testArchCostRefusesBadFilesWithTheField() throws {
    let bad = try writeArch(#"{"layers": [{"kind": "conv", "k": 3, "cin": 0, "cout": 40, "stride": 1, "dilation": 1, "groups": 1, "in_hw": [8, 8], "out_hw": [8, 8]}]}"#)
    let r = try uboost(["arch", "cost", bad])
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.err.contains("layer 0") && r.err.contains("cin"), r.err)
    let notArch = try writeArch(#"{"cells": []}"#)
    let r2 = try uboost(["arch", "cost", notArch])
    XCTAssertNotEqual(r2.status, 0)
    XCTAssertTrue(r2.err.contains("not a final_arch.json"), r2.err)
    let r3 = try uboost(["arch", "cost", notArch + ".missing"])
    XCTAssertNotEqual(r3.status, 0)
    XCTAssertTrue(r3.err.contains("cannot read"), r3.err)
  }
}
