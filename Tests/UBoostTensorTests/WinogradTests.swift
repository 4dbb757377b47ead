import XCTest
@testable import UBoostTensor

/// The Winograd convolutions (F(4x4,3x3), F(2x2,3x3), F(2x2,5x5), per dilation phase) against
/// the Double direct loop, the finite-difference gradient check and the thread count.
final class WinogradTests: XCTestCase {
  func geometry(_ x: [Int], _ w: [Int], padding: Padding, dilation: Int) throws -> ConvGeometry {
    try ConvGeometry(x: x, w: w, stride: 1, padding: padding, dilation: dilation, groups: 1)
  }

  /// Runs `body` with Winograd wherever it saves multiplies (no weight-transform or GEMM-call
  /// term), so the small shapes of these tests run it.
  func withoutOverheads<T>(_ body: () throws -> T) rethrows -> T {
    try Winograd.$weightTiles.withValue(0) { try Winograd.$gemmCallMultiplies.withValue(0) { try body() } }
  }

  func testPlanChoosesWinogradWhereItSaves() throws {
    try withoutOverheads { try planChoices() }
    // With the weight transforms counted (the default), small planes at small batches go to
    // im2col; the shapes are the supernets' (docs/performance.md, `bench kernels --conv`).
    XCTAssertEqual(Winograd.weightTiles, 64)
    XCTAssertEqual(Winograd.plan(try geometry([8, 128, 16, 16], [128, 128, 3, 3], padding: .same, dilation: 1))?.k.m, 4)
    XCTAssertEqual(Winograd.plan(try geometry([32, 128, 8, 8], [128, 128, 3, 3], padding: .same, dilation: 1))?.k.m, 4)
    XCTAssertEqual(Winograd.plan(try geometry([8, 128, 16, 16], [128, 128, 5, 5], padding: .same, dilation: 1))?.k.m, 2)
    XCTAssertNil(Winograd.plan(try geometry([8, 128, 8, 8], [128, 128, 3, 3], padding: .same, dilation: 1)))
    XCTAssertNil(Winograd.plan(try geometry([8, 280, 4, 4], [280, 280, 3, 3], padding: .same, dilation: 1)))
    XCTAssertNil(Winograd.plan(try geometry([32, 280, 2, 2], [280, 280, 3, 3], padding: .same, dilation: 1)))
    XCTAssertNil(Winograd.plan(try geometry([8, 128, 4, 4], [128, 128, 5, 5], padding: .same, dilation: 1)))
    // Few channels: the per-point GEMM calls decide (16x16 planes: im2col; 32x32: Winograd).
    XCTAssertEqual(Winograd.gemmCallMultiplies, 65536)
    XCTAssertNil(Winograd.plan(try geometry([8, 16, 16, 16], [16, 16, 3, 3], padding: .same, dilation: 1)))
    XCTAssertEqual(Winograd.plan(try geometry([8, 16, 32, 32], [16, 16, 5, 5], padding: .same, dilation: 1))?.k.m, 2)
    XCTAssertNotNil(Winograd.plan(try geometry([8, 16, 32, 32], [16, 16, 3, 3], padding: .same, dilation: 1)))
    // Forced (the kernel benchmark's comparison): the best plan that exists, even where it loses.
    XCTAssertNotNil(Winograd.plan(try geometry([8, 128, 8, 8], [128, 128, 3, 3], padding: .same, dilation: 1), force: true))
    XCTAssertNil(Winograd.plan(try geometry([8, 128, 8, 8], [128, 128, 7, 7], padding: .same, dilation: 1), force: true))
  }

  func planChoices() throws {
    // The micro supernet's 16x16 cell convs: 3x3 -> F(4,3), 5x5 -> F(2,5), dilated too.
    let p3 = try XCTUnwrap(Winograd.plan(try geometry([8, 128, 16, 16], [128, 128, 3, 3], padding: .same, dilation: 1)))
    XCTAssertEqual(p3.k.m, 4)
    let p5 = try XCTUnwrap(Winograd.plan(try geometry([8, 128, 16, 16], [128, 128, 5, 5], padding: .same, dilation: 2)))
    XCTAssertEqual(p5.k.m, 2)
    XCTAssertEqual(p5.phases.count, 4)
    // Few channels, strides, 1x1 and 7x7 kernels stay on im2col.
    XCTAssertNil(Winograd.plan(try geometry([1, 3, 16, 16], [16, 3, 3, 3], padding: .same, dilation: 1)))
    XCTAssertNil(Winograd.plan(try ConvGeometry(x: [1, 16, 16, 16], w: [16, 16, 3, 3], stride: 2, padding: .same, dilation: 1, groups: 1)))
    XCTAssertNil(Winograd.plan(try geometry([1, 16, 16, 16], [16, 16, 7, 7], padding: .same, dilation: 1)))
    // A 4x4 plane with a dilated 3x3 has 2x2 phases: F(2x2, 3x3) fits them, a 4x4 tile would not.
    XCTAssertEqual(Winograd.plan(try geometry([1, 16, 4, 4], [16, 16, 3, 3], padding: .same, dilation: 2))?.k.m, 2)
    // A 2x2 plane with a 5x5: one 2x2 tile, 36 multiplies for 4 outputs of 25 (only 9 taps land).
    XCTAssertNotNil(Winograd.plan(try geometry([1, 16, 2, 2], [16, 16, 5, 5], padding: .same, dilation: 1)))
  }

  func testTransformsComputeCorrelation() {
    // 1-D check of each F(m, r): y_i = sum_j g_j d_{i+j} = A^T [(G g) ⊙ (B^T d)].
    for k in [Winograd.f43, Winograd.f23, Winograd.f25] {
      var rng = RandomSource(seed: 3)
      let d = (0..<k.alpha).map { _ in Double(rng.uniform(-1, 1)) }, g = (0..<k.r).map { _ in Double(rng.uniform(-1, 1)) }
      func dense(_ s: Winograd.Sparse) -> [[Double]] {
        var a = [[Double]](repeating: [Double](repeating: 0, count: s.cols), count: s.rows)
        for i in 0..<s.rows { for q in s.start[i]..<s.start[i + 1] { a[i][s.idx[q]] = Double(s.coef[q]) } }
        return a
      }
      let bt = dense(k.input), gm = dense(k.weight), at = dense(k.output)
      let bd = bt.map { row in zip(row, d).map(*).reduce(0, +) }, gg = gm.map { row in zip(row, g).map(*).reduce(0, +) }
      let prod = zip(bd, gg).map(*)
      for i in 0..<k.m {
        let y = zip(at[i], prod).map(*).reduce(0, +)
        let ref = (0..<k.r).map { g[$0] * d[i + $0] }.reduce(0, +)
        XCTAssertEqual(y, ref, accuracy: 1e-5, "F(\(k.m),\(k.r)) output \(i)")
      }
    }
  }

  func testHandWrittenPassesEqualTheMatrices() {
    // 37 lanes: two SIMD16 blocks through the hand-written pass and a scalar tail.
    let lanes = 37
    for k in [Winograd.f43, Winograd.f25] {
      for L in [k.input, k.output, k.weight, k.gradOutput, k.gradWeight, k.gradInput] {
        XCTAssertNotNil(L.fast)
        var rng = RandomSource(seed: 11)
        let src = (0..<(L.cols * L.cols * lanes)).map { _ in Float(rng.uniform(-1, 1)) }
        var fast = [Float](repeating: 0, count: L.rows * L.rows * lanes), slow = fast
        let sc = Winograd.Scratch()
        defer { sc.free() }
        src.withUnsafeBufferPointer { sp in
          fast.withUnsafeMutableBufferPointer { Winograd.apply(L, sp.baseAddress!, srcStride: lanes, $0.baseAddress!, dstStride: lanes, lanes: lanes, sc) }
          slow.withUnsafeMutableBufferPointer { Winograd.applyGeneric(L, sp.baseAddress!, srcStride: lanes, $0.baseAddress!, dstStride: lanes, lanes: lanes, sc) }
        }
        assertClose(fast, slow.map(Double.init), tol: 1e-5)
      }
    }
  }

  func testMatchesDirectLoops() throws {
    // Weight term off: Winograd wherever it saves multiplies, so the small shapes run it.
    try withoutOverheads {
      // (n, cin, cout, h, w, k, dilation, padding): odd sizes, partial tiles, explicit and valid padding.
      let cases: [(Int, Int, Int, Int, Int, Int, Int, Padding)] = [
        (2, 8, 9, 16, 16, 3, 1, .same), (1, 9, 8, 11, 7, 3, 1, .same), (2, 8, 8, 13, 10, 5, 1, .same),
        (1, 8, 10, 16, 16, 5, 2, .same), (2, 8, 8, 9, 12, 3, 2, .same), (1, 8, 8, 12, 12, 3, 1, .explicit(0)),
        (1, 8, 8, 10, 9, 5, 1, .valid), (1, 8, 8, 8, 8, 5, 1, .explicit(3)), (3, 16, 24, 8, 8, 3, 1, .same),
        (1, 8, 8, 11, 9, 3, 3, .explicit(1)), (2, 8, 8, 10, 13, 3, 2, .explicit(5)), (1, 8, 8, 12, 10, 3, 2, .valid),
      ]
      for (i, c) in cases.enumerated() {
        let (n, cin, cout, h, w, k, d, pad) = c
        let x = try randomTensor([n, cin, h, w], seed: UInt64(900 + i)), wt = try randomTensor([cout, cin, k, k], seed: UInt64(950 + i))
        let b = try randomTensor([cout], seed: UInt64(970 + i))
        let g = try geometry(x.shape, wt.shape, padding: pad, dilation: d)
        XCTAssertNotNil(Winograd.plan(g), "case \(i) should run Winograd")
        let y = try conv2d(x, wt, bias: b, padding: pad, dilation: d)
        XCTAssertEqual(y.shape, [n, cout, g.ho, g.wo])
        let ref = referenceConv(x, wt, bias: b, stride: 1, padTop: g.padT, padLeft: g.padL, dilation: d, groups: 1, ho: g.ho, wo: g.wo)
        assertClose(y.data, ref, tol: 2e-4)
      }
    }
  }

  func testGradientsAgainstIm2colAndFiniteDifferences() throws {
    // Weight term off: Winograd wherever it saves multiplies, so the small shapes run it.
    try withoutOverheads {
      // Dilated phases with padding other than "same": sub-grid columns left and right of the input.
      for (k, d, pad) in [(3, 1, Padding.same), (5, 1, .same), (3, 2, .same), (5, 2, .same), (3, 3, .explicit(1)), (3, 2, .explicit(5))] {
        let x = try randomTensor([2, 8, 9, 10], seed: UInt64(20 + k + d)), w = try randomTensor([8, 8, k, k], seed: UInt64(30 + k + d))
        let g = try geometry(x.shape, w.shape, padding: pad, dilation: d)
        guard let plan = Winograd.plan(g) else { XCTFail("k \(k) d \(d) should run Winograd"); continue }
        let gy = try randomTensor([2, 8, g.ho, g.wo], seed: 77)
        // Reference gradients from the im2col kernels (checked elsewhere by finite differences).
        var dxRef = [Float](repeating: 0, count: x.count), dwRef = [Float](repeating: 0, count: w.count)
        var dxW = [Float](repeating: 0, count: x.count), dwW = [Float](repeating: 1, count: w.count)
        x.data.withUnsafeBufferPointer { xp in w.data.withUnsafeBufferPointer { wp in gy.data.withUnsafeBufferPointer { gp in
          dxRef.withUnsafeMutableBufferPointer { a in dwRef.withUnsafeMutableBufferPointer { b in
            convBackward(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, a.baseAddress!, b.baseAddress!, g, algorithm: .im2col)
          } }
          dxW.withUnsafeMutableBufferPointer { a in dwW.withUnsafeMutableBufferPointer { b in
            withIdentityRows(8) { o, l in
              let k = g.kSize
              Winograd.backward(plan, xp.baseAddress!, rowPointers(wp.baseAddress!, 8, k), [gp.baseAddress!], a.baseAddress!,
                                rowPointers(b.baseAddress!, 8, k), couts: [8], owner: o, local: l)
            }
          } }
        } } }
        assertClose(dxW, dxRef.map(Double.init), tol: 2e-4)
        assertClose(dwW, dwRef.map { Double($0) + 1 }, tol: 5e-4)  // dw accumulates onto 1s
      }
      let x = try randomTensor([1, 8, 6, 7], seed: 5), w = try randomTensor([8, 8, 3, 3], seed: 6)
      let b = try randomTensor([8], seed: 7)
      // A conv is linear in each input, so central differences are exact for any step: a large
      // one keeps the Float rounding of the transformed forward out of the numeric derivative.
      try gradCheck([x, w, b], h: 0.25) { t in try conv2d(t[0], t[1], bias: t[2], padding: .same) }
      let w5 = try randomTensor([8, 8, 5, 5], seed: 8)
      try gradCheck([x, w5], h: 0.25) { t in try conv2d(t[0], t[1], padding: .same, dilation: 2) }
    }
  }

  func testSharedConvsAndThreadCountsAgree() throws {
    // Weight term off: Winograd wherever it saves multiplies, so the small shapes run it.
    try withoutOverheads {
      let x = try randomTensor([3, 16, 12, 12], seed: 40)
      let ws = try (0..<3).map { try randomTensor([[16, 8, 24][$0], 16, 5, 5], seed: 41 + UInt64($0)) }
      let bs: [Tensor?] = [try randomTensor([16], seed: 45), nil, try randomTensor([24], seed: 46)]
      let saved = Parallel.threads
      defer { Parallel.setThreads(saved) }
      var results: [[[Float]]] = []
      for t in [1, 2] {
        Parallel.setThreads(t)
        let xt = x.detached(), wt = ws.map { $0.detached() }
        xt.trainable(); wt.forEach { $0.trainable() }
        let ys = try conv2dShared(xt, weights: wt, biases: bs, padding: .same, dilation: 2)
        for (j, y) in ys.enumerated() {
          let ref = try conv2d(x, ws[j], bias: bs[j], padding: .same, dilation: 2)
          assertClose(y.data, ref.data.map(Double.init), tol: 1e-4)
        }
        let loss = try (ys[0].sum() + ys[2].mean()) + (ys[1] * ys[1]).sum()
        try loss.backward()
        results.append([ys[0].data, xt.gradData ?? [], wt[1].gradData ?? []])
      }
      XCTAssertEqual(results[0], results[1], "the result does not depend on the thread count")
    }
  }
}
