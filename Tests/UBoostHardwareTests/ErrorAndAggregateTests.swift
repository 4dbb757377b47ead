import XCTest
@testable import UBoostHardware

final class ErrorAndAggregateTests: XCTestCase {
  // MARK: - Errors

  func testInvalidInputsThrowNamedErrors() {
    let models: [CostModel] = [SystolicModel(), FlopsModel(), RooflineModel(), OverheadModel()]
    let bad: [(LayerSpec, String)] = [
      (.conv(k: 3, cin: -1, cout: 8, out: 4), "cin"), (.conv(k: 3, cin: 8, cout: .nan, out: 4), "cout"),
      (.conv(k: 0, cin: 8, cout: 8, out: 4), "kernel"), (.conv(k: 3, cin: 8, cout: 8, out: 0), "output size"),
      (LayerSpec(kind: .dilated, k1: 3, k2: 3, cin: 8, cout: 8, dilation: 0), "dilation"),
      (LayerSpec(kind: .conv, cin: 8, cout: 8, stride: 0), "stride"),
    ]
    for m in models {
      for (l, key) in bad {
        XCTAssertThrowsError(try m.cost(l)) { XCTAssertTrue("\($0)".contains(key), "\(m.name): \($0)") }
      }
      var cfg = HardwareConfig()
      cfg.rows = 0
      let broken: CostModel
      switch m.name {
      case "systolic": broken = SystolicModel(config: cfg)
      case "flops": broken = FlopsModel(config: cfg)
      case "roofline": broken = RooflineModel(config: cfg)
      default: broken = OverheadModel(config: cfg)
      }
      XCTAssertThrowsError(try broken.cost(.linear(in: 4, out: 4))) { XCTAssertTrue("\($0)".contains("rows")) }
    }
  }

  func testHugeInputsAreRejectedNotTrapped() {
    XCTAssertThrowsError(try SystolicModel().cost(.conv(k: 1 << 40, cin: 8, cout: 8, out: 4))) {
      XCTAssertTrue("\($0)".contains("kernel"))
    }
    XCTAssertThrowsError(try SystolicModel().cost(.conv(k: 3, cin: 1e300, cout: 8, out: 4))) {
      XCTAssertTrue("\($0)".contains("channels"))
    }
    XCTAssertThrowsError(try SystolicModel(config: HardwareConfig(batch: Int.max)).cost(.linear(in: 4, out: 4))) {
      XCTAssertTrue("\($0)".contains("batch"))
    }
    XCTAssertThrowsError(try SystolicSimulator().simulate(.conv(k: 5, cin: 1e8, cout: 1e8, out: 4))) {
      XCTAssertTrue("\($0)".contains("tiles"))
    }
    XCTAssertEqual(SmoothCeil.corrected(1e300, temperature: 64).grad, 0)
    // No step bound any more: huge inputs are their own ceiling.
    XCTAssertEqual(SmoothCeil.sigmoidSum(1e300, temperature: 64).value, 1e300)
    XCTAssertTrue(ReferenceSystolic.foldData(rows: 1, cols: 1, input: ChunkShape(1, Int.max),
                                             weight: ChunkShape(Int.max, Int.max)).inputChunks.isEmpty)
    let p = ReferenceSystolic.pass(rows: 4, cols: 4, inputRows: Int.max, weight: ChunkShape(Int.max, Int.max),
                                   lastExec: Int.min, localBroadcast: Int.max, localFanin: 0)
    XCTAssertGreaterThan(p.tExec, 0)
  }

  func testFreeLayers() throws {
    for kind in [LayerKind.identity, .zero, .pool] {
      let c = try SystolicModel().cost(.free(kind, channels: 64, out: 8))
      XCTAssertTrue(c.zeroCost)
      XCTAssertEqual(c.latencyMs, 0)
      XCTAssertEqual(c.util, 1)
    }
  }

  // MARK: - Aggregation

  func testCellAndNetworkAggregation() throws {
    let m = SystolicModel(ceiling: .exact)
    let cell = try m.costs([.conv(k: 3, cin: 128, cout: 128, out: 8), .free(.identity), .conv(k: 1, cin: 64, cout: 64, out: 8)])
    let a = aggregate(cell)
    XCTAssertEqual(a.latencyMs, cell[0].latencyMs + cell[2].latencyMs, accuracy: 1e-15)
    XCTAssertEqual(a.util, (cell[0].util + cell[2].util) / 2, accuracy: 1e-15)   // identity not counted
    XCTAssertEqual(a.utilWeights, [0.5, 0, 0.5])
    let b = aggregate(Array(cell.prefix(1)))
    let mean = aggregate(cells: [a, b], compatibility: .corrected)
    let sum = aggregate(cells: [a, b], compatibility: .reference)
    XCTAssertEqual(mean.util, (a.util + b.util) / 2, accuracy: 1e-15)
    XCTAssertEqual(sum.util, a.util + b.util, accuracy: 1e-15)
    XCTAssertEqual(mean.latencyMs, a.latencyMs + b.latencyMs, accuracy: 1e-15)
    let net = try aggregate(network: [[.conv(k: 3, cin: 128, cout: 128, out: 8)], [.free(.zero)]], model: m)
    XCTAssertEqual(net.util, (cell[0].util + 1) / 2, accuracy: 1e-15)
  }

  func testExactSystolicHandValues() throws {
    // 3x3 conv 129 -> 129 on 8x8, batch 64: ceil(1161/128)=10 row tiles, 2 column tiles.
    let c = try SystolicModel(ceiling: .exact).cost(.conv(k: 3, cin: 129, cout: 129, out: 8))
    XCTAssertEqual(c.cycles, 10 * 2 * 64 * 64)
    XCTAssertEqual(c.util, 1161.0 * 129 / (20 * 16384), accuracy: 1e-12)
    // Separable = depthwise + pointwise.
    let s = try SystolicModel(ceiling: .exact).cost(.separable(k: 3, cin: 64, cout: 200, out: 4))
    XCTAssertEqual(s.cycles, 64 * 1024 + 2 * 1024)
  }
}
