import XCTest
@testable import UBoostTensor

/// `conv2dShared` (one unfolding, stacked GEMM) against the direct-loop reference and the
/// finite-difference gradient check.
final class ConvSharedTests: XCTestCase {
  func testMatchesDirectLoops() throws {
    // (stride, dilation, k, padding, n) with weights of different Cout, some without bias.
    for (i, c) in [(1, 1, 3, 1, 2), (1, 2, 3, 2, 1), (2, 1, 5, 2, 2), (1, 2, 5, 4, 3)].enumerated() {
      let (s, d, k, p, n) = c
      let seed = UInt64(500 + 10 * i)
      let x = try randomTensor([n, 3, 9, 7], seed: seed)
      let ws = try [4, 2, 5].enumerated().map { try randomTensor([$0.element, 3, k, k], seed: seed + 1 + UInt64($0.offset)) }
      let bs: [Tensor?] = [try randomTensor([4], seed: seed + 5), nil, try randomTensor([5], seed: seed + 6)]
      let ys = try conv2dShared(x, weights: ws, biases: bs, stride: s, padding: .explicit(p), dilation: d)
      XCTAssertEqual(ys.count, 3)
      let ext = d * (k - 1), ho = (9 + 2 * p - ext - 1) / s + 1, wo = (7 + 2 * p - ext - 1) / s + 1
      for j in 0..<3 {
        XCTAssertEqual(ys[j].shape, [n, ws[j].shape[0], ho, wo])
        let ref = referenceConv(x, ws[j], bias: bs[j], stride: s, padTop: p, padLeft: p, dilation: d, groups: 1, ho: ho, wo: wo)
        assertClose(ys[j].data, ref, tol: 1e-4)
      }
    }
  }

  func testChunkedBatchMatchesConv2d() throws {
    // Big enough for several im2col chunks.
    let x = try randomTensor([3, 64, 32, 32], seed: 7)
    let ws = try (0..<2).map { try randomTensor([3, 64, 5, 5], seed: 8 + UInt64($0)) }
    XCTAssertLessThan(convChunk(try ConvGeometry(x: x.shape, w: [6, 64, 5, 5], stride: 1, padding: .same, dilation: 1, groups: 1)), 3)
    let ys = try conv2dShared(x, weights: ws, biases: [nil, nil], padding: .same)
    // K = 1600 products summed in another order by the stacked GEMM: Float rounding only.
    for j in 0..<2 { assertClose(ys[j].data, try conv2d(x, ws[j], padding: .same).data.map(Double.init), tol: 1e-4) }
  }

  func testGradients() throws {
    let x = try randomTensor([2, 3, 5, 4], seed: 40)
    let w1 = try randomTensor([4, 3, 3, 3], seed: 41), w2 = try randomTensor([2, 3, 3, 3], seed: 42)
    let b1 = try randomTensor([4], seed: 43), b2 = try randomTensor([2], seed: 44)
    // Both outputs feed the checked scalar (weighted differently).
    try gradCheck([x, w1, w2, b1, b2]) { t in
      let ys = try conv2dShared(t[0], weights: [t[1], t[2]], biases: [t[3], t[4]], padding: .same, dilation: 2)
      return try Tensor.concat([ys[0], ys[1] * 0.5], axis: 1)
    }
    try gradCheck([x, w1, w2]) { t in
      let ys = try conv2dShared(t[0], weights: [t[1], t[2]], biases: [nil, nil], stride: 2, padding: .same)
      return try Tensor.concat([ys[1], ys[0]], axis: 1)
    }
    // An output the loss never reads: its weight gets zero gradient, the others are exact.
    try gradCheck([x, w1, w2]) { t in
      let ys = try conv2dShared(t[0], weights: [t[1], t[2]], biases: [nil, nil], padding: .same)
      return ys[0]
    }
  }

  func testSplitGEMMsWhereStackingCostsMore() throws {
    // Large weights on a small plane run one GEMM per weight on the shared unfolding (reading the
    // weights and writing their gradients in place); the tests above run the stacked GEMM.
    let x = try randomTensor([2, 3, 2, 3], seed: 70)
    let ws = try [12, 9].enumerated().map { try randomTensor([$0.element, 3, 3, 3], seed: 71 + UInt64($0.offset)) }
    let bs: [Tensor?] = [nil, try randomTensor([9], seed: 73)]
    XCTAssertFalse(SharedConv.stacks(count: 2, total: 21, cols: 2 * 2 * 3))
    XCTAssertTrue(SharedConv.stacks(count: 3, total: 21, cols: 11))
    let ys = try conv2dShared(x, weights: ws, biases: bs, padding: .same)
    for j in 0..<2 {
      let ref = referenceConv(x, ws[j], bias: bs[j], stride: 1, padTop: 1, padLeft: 1, dilation: 1, groups: 1, ho: 2, wo: 3)
      assertClose(ys[j].data, ref, tol: 1e-4)
    }
    try gradCheck([x, ws[0], ws[1]]) { t in
      let ys = try conv2dShared(t[0], weights: [t[1], t[2]], biases: [nil, nil], padding: .same)
      return try Tensor.concat([ys[0], ys[1] * 0.5], axis: 1)
    }
    // Only the second output reaches the loss: the first weight's gradient is zero.
    try gradCheck([x, ws[0], ws[1]]) { t in
      try conv2dShared(t[0], weights: [t[1], t[2]], biases: [nil, nil], padding: .same)[1]
    }
  }

  /// Weight gradients of more than one 64k piece each (their arrays are cleared piece by piece
  /// on the engine threads) agree with conv2d's.
  func testLargeWeightGradientsMatchConv2d() throws {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    Parallel.setThreads(2)
    for k in [3, 5] {
      let x = try randomTensor([2, 96, 3, 3], seed: 90).trainable()
      let ws = try [80, 30, 80].enumerated().map { try randomTensor([$0.element, 96, k, k], seed: 91 + UInt64($0.offset)).trainable() }
      let rs = try ws.enumerated().map { try randomTensor([2, $0.element.shape[0], 3, 3], seed: 95 + UInt64($0.offset)) }
      let ys = try conv2dShared(x, weights: ws, biases: [nil, nil, nil], padding: .same)
      try ((ys[0] * rs[0]).sum() + (ys[1] * 0).sum() + (ys[2] * rs[2]).sum()).backward()
      for j in [0, 2] {
        let w = try Tensor(shape: ws[j].shape, data: ws[j].data).trainable()
        try (conv2d(x.detached(), w, padding: .same) * rs[j]).sum().backward()
        assertClose(ws[j].gradData ?? [], (w.gradData ?? []).map(Double.init), tol: 1e-3)
      }
      XCTAssertEqual(ws[1].gradData?.allSatisfy { $0 == 0 }, true)
    }
  }

  func testErrorsAndFallbacks() throws {
    let x = try randomTensor([1, 3, 5, 5], seed: 60)
    XCTAssertThrowsError(try conv2dShared(x, weights: [try Tensor.zeros([2, 3, 3, 3]), try Tensor.zeros([2, 3, 5, 5])], biases: [nil, nil]))
    XCTAssertThrowsError(try conv2dShared(x, weights: [try Tensor.zeros([2, 3, 3, 3])], biases: []))
    XCTAssertThrowsError(try conv2dShared(x, weights: [try Tensor.zeros([2, 3, 3, 3]), try Tensor.zeros([2, 3, 3, 3])],
                                          biases: [try Tensor.zeros([3]), nil]))
    XCTAssertThrowsError(try conv2dShared(x, weights: [try Tensor.zeros([2, 4, 3, 3]), try Tensor.zeros([2, 4, 3, 3])], biases: [nil, nil]))
    // 1x1 weights take the per-weight path and still agree with conv2d.
    let w = try randomTensor([2, 3, 1, 1], seed: 61), v = try randomTensor([3, 3, 1, 1], seed: 62)
    let ys = try conv2dShared(x, weights: [w, v], biases: [nil, nil])
    assertClose(ys[1].data, try conv2d(x, v).data.map(Double.init), tol: 1e-6)
    XCTAssertEqual(try conv2dShared(x, weights: [], biases: []).count, 0)
  }
}
