import XCTest
@testable import UBoostHardware

final class SimulatorTests: XCTestCase {
  // MARK: - Reference helpers (systolic_sim.json)

  func shape(_ v: Any?) -> ChunkShape {
    let a = (v as? [Any] ?? []).compactMap(num).map(Int.init)
    return ChunkShape(a.first ?? 0, a.count > 1 ? a[1] : 0)
  }
  func shapes(_ v: Any?) -> [ChunkShape] { (v as? [Any] ?? []).map(shape) }

  func testReferenceHelpersMatchGolden() throws {
    let g = try Fixture.json("systolic_sim")
    let cases = g["cases"] as? [[String: Any]] ?? []
    XCTAssertEqual(cases.count, 30)
    for c in cases {
      let a = shape(c["array_size"]), input = shape(c["input_size"]), weight = shape(c["weight_size"])
      let msg = "array \(a) input \(input) weight \(weight)"
      let fold = ReferenceSystolic.foldData(rows: a.rows, cols: a.cols, input: input, weight: weight)
      let gf = c["fold_data"] as? [String: Any] ?? [:]
      XCTAssertEqual(fold.inputChunks, shapes(gf["input_chunks"]), msg)
      XCTAssertEqual(fold.weightChunks, shapes(gf["weight_chunks"]), msg)
      let dist = ReferenceSystolic.distributeBatch(rows: a.rows, cols: a.cols, inputChunks: fold.inputChunks,
                                                   weightChunks: fold.weightChunks)
      let gd = c["distribute_batch"] as? [String: Any] ?? [:]
      XCTAssertEqual(dist.inputChunks, shapes(gd["input_chunks"]), msg)
      XCTAssertEqual(dist.weightChunks, shapes(gd["weight_chunks"]), msg)
      for (chained, key, totalKey) in [(false, "systolic_model_independent", "total_t_exec_independent"),
                                       (true, "systolic_model_chained", "total_t_exec_chained")] {
        let mine = ReferenceSystolic.run(rows: a.rows, cols: a.cols, input: input, weight: weight, chained: chained)
        let ref = c[key] as? [[String: Any]] ?? []
        XCTAssertEqual(mine.count, ref.count, msg)
        for (m, r) in zip(mine, ref) {
          XCTAssertEqual(Double(m.tExec), num(r["t_exec"]), msg)
          let stats = (r["cycle_stats"] as? [Any] ?? []).compactMap(num)
          XCTAssertEqual(m.stats.asArray, stats, "\(key) " + msg)
          XCTAssertEqual(m.stats.available, m.stats.asArray[1...].reduce(0, +), accuracy: 1e-6)
        }
        XCTAssertEqual(Double(mine.reduce(0) { $0 + $1.tExec }), num(c[totalKey]), msg)
      }
      let lb = c["first_chunk_lb2_lf2"] as? [String: Any] ?? [:]
      if let w = dist.weightChunks.first, let i = dist.inputChunks.first {
        let p = ReferenceSystolic.pass(rows: a.rows, cols: a.cols, inputRows: i.rows, weight: w, lastExec: 0,
                                       localBroadcast: 2, localFanin: 2)
        XCTAssertEqual(Double(p.tExec), num(lb["t_exec"]), msg)
        XCTAssertEqual(p.stats.asArray, (lb["cycle_stats"] as? [Any] ?? []).compactMap(num), msg)
      }
    }
  }

  // MARK: - Cycle-level simulator

  func testBreakdownAddsUp() throws {
    for options in [SimulatorOptions.csim, .physical, SimulatorOptions(doubleBuffered: false, skewPerTile: true)] {
      let sim = SystolicSimulator(config: HardwareConfig(rows: 32, cols: 16, batch: 2), options: options)
      for l in [LayerSpec.conv(k: 3, cin: 40, cout: 70, out: 5), .depthwise(k: 5, channels: 12, out: 9),
                .separable(k: 3, cin: 24, cout: 48, out: 4), .linear(in: 100, out: 33)] {
        let r = try sim.simulate(l)
        XCTAssertEqual(r.breakdown.total, r.cycles * 32 * 16, accuracy: 1e-6 * r.cycles * 512, "\(l.kind)")
        XCTAssertGreaterThan(r.cycles, 0)
        if !options.omitLastChunk { XCTAssertEqual(r.breakdown.active, r.macs, accuracy: 1e-6) }
        XCTAssertLessThanOrEqual(r.util, 1)
      }
    }
  }

  func testHandComputedTimeline() throws {
    // 1x1 conv 128->256 on a 2x2 map, batch 1, csim options: first tile 128x128 fetched
    // (16384 B / 85.899 B/cycle), shifted in (128), second tile load hidden until its fetch ends,
    // then swap (1) and the csim's tail (3); the only chunk of the last tile is not charged.
    let sim = SystolicSimulator(config: HardwareConfig(batch: 1), options: .csim)
    let r = try sim.simulate(.conv(k: 1, cin: 128, cout: 256, out: 2))
    let bpc = SimulatorOptions.csimBytesPerCycle
    let f1 = 16384 / bpc
    let computeStart1 = f1 + 128
    let loadEnd2 = max(computeStart1 + 128, 2 * f1)
    XCTAssertEqual(r.cycles, max(loadEnd2 + 1, computeStart1 + 5) + 3, accuracy: 1e-9)
    XCTAssertEqual(r.tiles, 2)
    // First tile's 4 rows x 128 x 128 MACs counted, the last tile's omitted (as util_csim does).
    XCTAssertEqual(r.breakdown.active, 4 * 128 * 128)
  }

  func testTileOrderMattersWhenFetchBound() throws {
    // 5x5 conv 256 -> 144 on 2x2: 50 reduction tiles x (128 + 16) columns. Reduction-inner order runs
    // the 50 wide tiles back to back, each waiting for its 16 KB fetch; columns-inner interleaves the
    // narrow tiles and hides the fetch (the csim measured 13093 cycles).
    var o = SimulatorOptions.csim
    let l = LayerSpec.conv(k: 5, cin: 256, cout: 144, out: 2)
    let cfg = HardwareConfig(batch: 1)
    let inner = try SystolicSimulator(config: cfg, options: o).simulate(l).cycles
    o.tileOrder = .reductionInner
    let outer = try SystolicSimulator(config: cfg, options: o).simulate(l).cycles
    XCTAssertEqual(inner, 13093, accuracy: 2)
    XCTAssertGreaterThan(outer, inner * 1.15)
  }

  func testSimulatorMatchesCsimSamples() throws {
    let table = try LookupTable(path: try Fixture.url("csim_lookup_128x128").path)
    let sim = SystolicSimulator(config: HardwareConfig(batch: 1), options: .csim)
    // Spot values read from the table (cycles = runtime_ms * 1e6).
    let samples: [(LayerSpec, Double)] = [
      (.conv(k: 3, cin: 64, cout: 64, out: 8), 679), (.conv(k: 1, cin: 16, cout: 16, out: 32), 925),
      (.conv(k: 5, cin: 256, cout: 256, out: 2), 19076), (.depthwise(k: 3, channels: 64, out: 8), 4108),
    ]
    for (l, cyc) in samples {
      XCTAssertEqual(try sim.simulate(l).cycles, cyc, accuracy: 0.02 * cyc, "\(l)")
    }
    // Whole-table error targets (also reported by `uboost hw validate`).
    let conv = try HardwareValidation.simulatorError(table: LookupTable(data: try filtered(table, "Conv2d")),
                                                     options: .csim, sizes: nil)
    XCTAssertLessThan(conv, 10)
    let dw = try HardwareValidation.simulatorError(table: LookupTable(data: try filtered(table, "DepthwiseConv2d")),
                                                   options: .csim, sizes: nil)
    XCTAssertLessThan(dw, 10)
  }

  func testOverheadModelMeetsTarget() throws {
    let table = try LookupTable(path: try Fixture.url("csim_lookup_128x128").path)
    let m = OverheadModel(config: HardwareConfig(batch: 1), compatibility: .reference)
    var sum = 0.0, n = 0.0
    for row in table.rows() {
      guard let l = HardwareValidation.layer(row) else { continue }
      let measured = row.entry.runtimeMs * 1e6
      sum += abs(try m.cost(l).cycles - measured) / measured
      n += 1
    }
    XCTAssertEqual(n, 4864 + 160)
    XCTAssertLessThan(100 * sum / n, 15)
  }

  func testSimulatorErrors() {
    let sim = SystolicSimulator()
    XCTAssertThrowsError(try sim.simulate(.conv(k: 3, cin: 10.5, cout: 8, out: 4))) { XCTAssertTrue("\($0)".contains("cin")) }
    XCTAssertThrowsError(try sim.simulate(m: 0, k: 3, n: 3)) { XCTAssertTrue("\($0)".contains("m")) }
    var o = SimulatorOptions.csim
    o.bytesPerCycle = -1
    XCTAssertThrowsError(try SystolicSimulator(options: o).simulate(.linear(in: 4, out: 4))) {
      XCTAssertTrue("\($0)".contains("bytesPerCycle"))
    }
  }

  /// The table restricted to one layer type, re-encoded in the reference schema.
  func filtered(_ t: LookupTable, _ layer: String) throws -> Data {
    var out: [String: Any] = [:]
    var bySize: [String: Any] = [:]
    for (size, kernels) in t.entries[layer] ?? [:] {
      var byK: [String: Any] = [:]
      for (k, ins) in kernels {
        var byIn: [String: Any] = [:]
        for (i, outs) in ins {
          var byOut: [String: Any] = [:]
          for (o, e) in outs { byOut[String(o)] = ["runtime_csim": e.runtimeMs, "util_csim": e.util] }
          byIn[String(i)] = byOut
        }
        byK[k] = byIn
      }
      bySize[String(size)] = byK
    }
    out[layer] = bySize
    return try JSONSerialization.data(withJSONObject: out)
  }
}
