import XCTest
@testable import UBoostTensor

/// The Winograd plan's tile moves (gather, scatter, output store and output-gradient gather)
/// against loops written from their definitions, bit for bit: they are copies and, for the
/// scatter, sums whose order the definition fixes (tile row, element row, element column, tile).
final class WinogradTileTests: XCTestCase {
  /// (kernel, h, w, dilation, padding) over all three kernels, partial tiles, dilation phases
  /// and paddings that leave sub-grid columns outside the input.
  func plans() throws -> [Winograd.Plan] {
    let cases: [(Winograd.Kernel, Int, Int, Int, Padding)] = [
      (Winograd.f43, 13, 10, 1, .same), (Winograd.f43, 28, 28, 2, .same), (Winograd.f43, 11, 9, 3, .explicit(1)),
      (Winograd.f23, 7, 7, 1, .same), (Winograd.f23, 14, 14, 2, .explicit(5)), (Winograd.f25, 10, 9, 1, .valid),
      (Winograd.f25, 16, 16, 2, .same), (Winograd.f25, 8, 8, 1, .explicit(3)),
    ]
    return try cases.map { k, h, w, d, pad in
      let g = try ConvGeometry(x: [1, 1, h, w], w: [1, 1, k.r, k.r], stride: 1, padding: pad, dilation: d, groups: 1)
      return Winograd.Plan(k, g)
    }
  }

  func values(_ n: Int, seed: Int) -> [Float] {
    // Magnitudes over several decades, so a sum taken in another order differs in its last bits.
    (0..<n).map { i in Float((i &* 7919 &+ seed &* 104_729) % 2003 - 1001) * Float([1e-3, 1, 37][(i + seed) % 3]) }
  }

  func testGatherAndScatterOfInputTilesFollowTheirDefinitions() throws {
    for (c, p) in try plans().enumerated() {
      let a = p.k.alpha, m = p.k.m, t0 = 3, ld = t0 + p.tilesPerImage + 5
      let sub = values(p.scratchSize, seed: c)
      var stage = [Float](repeating: -1, count: a * a * ld), ref = stage
      sub.withUnsafeBufferPointer { s in stage.withUnsafeMutableBufferPointer { p.gatherTiles(s.baseAddress!, $0.baseAddress!, ld: ld, t0: t0) } }
      for ph in p.phases { for ti in 0..<ph.th { for tj in 0..<ph.tw { for u in 0..<a { for v in 0..<a {
        ref[(u * a + v) * ld + t0 + ph.firstTile + ti * ph.tw + tj] = sub[ph.offset + (ti * m + u) * ph.sw + tj * m + v]
      } } } } }
      XCTAssertEqual(stage, ref, "gather, case \(c)")

      // Scatter into a sub-grid that does not start at zero, so the order of the sums shows.
      let tiles = values(a * a * ld, seed: 50 + c)
      var out = values(p.scratchSize, seed: 90 + c), want = out
      tiles.withUnsafeBufferPointer { t in out.withUnsafeMutableBufferPointer { p.scatterTiles(t.baseAddress!, ld: ld, t0: t0, $0.baseAddress!) } }
      for ph in p.phases { for ti in 0..<ph.th { for u in 0..<a { for v in 0..<a { for tj in 0..<ph.tw {
        want[ph.offset + (ti * m + u) * ph.sw + tj * m + v] += tiles[(u * a + v) * ld + t0 + ph.firstTile + ti * ph.tw + tj]
      } } } } }
      XCTAssertEqual(out.map(\.bitPattern), want.map(\.bitPattern), "scatter, case \(c)")
    }
  }

  func testOutputTilesStoreAndGatherFollowTheirDefinitions() throws {
    for (c, p) in try plans().enumerated() {
      let m = p.k.m, d = p.g.dilation, (ho, wo) = (p.g.ho, p.g.wo), t0 = 2, ld = t0 + p.tilesPerImage + 3
      let tiles = values(m * m * ld, seed: c)
      var y = [Float](repeating: .nan, count: ho * wo), ref = y
      tiles.withUnsafeBufferPointer { t in y.withUnsafeMutableBufferPointer { p.storeOutput(t.baseAddress!, ld: ld, t0: t0, bias: 0.5, $0.baseAddress!) } }
      let gy = values(ho * wo, seed: 40 + c)
      var stage = [Float](repeating: .nan, count: m * m * ld), want = stage, zeros = stage, wantZeros = stage
      gy.withUnsafeBufferPointer { g in stage.withUnsafeMutableBufferPointer { p.gatherOutput(g.baseAddress!, $0.baseAddress!, ld: ld, t0: t0) } }
      zeros.withUnsafeMutableBufferPointer { p.gatherOutput(nil, $0.baseAddress!, ld: ld, t0: t0) }
      for ph in p.phases { for ti in 0..<ph.th { for tj in 0..<ph.tw { for u in 0..<m { for v in 0..<m {
        let e = (u * m + v) * ld + t0 + ph.firstTile + ti * ph.tw + tj
        let r = ti * m + u, q = tj * m + v  // output (r, q) of the phase: (py + d r, px + d q) of the plane
        let inside = r < ph.nh && q < ph.nw, at = (ph.py + d * r) * wo + ph.px + d * q
        if inside { ref[at] = tiles[e] + 0.5 }
        want[e] = inside ? gy[at] : 0
        wantZeros[e] = 0
      } } } } }
      XCTAssertEqual(y.map(\.bitPattern), ref.map(\.bitPattern), "store, case \(c)")
      XCTAssertEqual(stage.map(\.bitPattern), want.map(\.bitPattern), "gather output, case \(c)")
      XCTAssertEqual(zeros.map(\.bitPattern), wantZeros.map(\.bitPattern), "gather of a nil plane, case \(c)")
      XCTAssertFalse(y.contains { $0.isNaN }, "every output is written, case \(c)")
    }
  }
}
