import XCTest
@testable import UBoostTensor

final class ReduceShapeTests: XCTestCase {
  func testReductionValues() throws {
    let x = try Tensor(shape: [2, 3], data: [1, 5, 3, 4, 2, 6])
    XCTAssertEqual(try x.sum().item(), 21)
    XCTAssertEqual(try x.sum(axis: 0).data, [5, 7, 9])
    XCTAssertEqual(try x.sum(axis: 1, keepDims: true).shape, [2, 1])
    XCTAssertEqual(try x.mean(axis: -1).data, [3, 4])
    XCTAssertEqual(try x.max(axis: 1).data, [5, 6])
    XCTAssertEqual(try x.argmax(axis: 1).data, [1, 2])
    XCTAssertEqual(try x.argmax(axis: 0).data, [1, 0, 1])
    XCTAssertEqual(try x.max().item(), 6)
    XCTAssertThrowsError(try x.sum(axis: 2))
  }

  func testReductionGradients() throws {
    let x = try randomTensor([2, 3, 4], seed: 7)
    try gradCheck([x]) { t in try t[0].sum() }
    try gradCheck([x]) { t in try t[0].mean() }
    try gradCheck([x]) { t in try t[0].sum(axis: 1) }
    try gradCheck([x]) { t in try t[0].mean(axis: 2, keepDims: true) }
    try gradCheck([x]) { t in try t[0].max(axis: 1) }
    try gradCheck([x]) { t in try t[0].max() }
  }

  func testShapeOpsValues() throws {
    let x = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(try x.transposed().data, [1, 4, 2, 5, 3, 6])
    XCTAssertEqual(try x.reshaped([3, -1]).shape, [3, 2])
    XCTAssertEqual(try x.slice(axis: 1, start: 1, end: 3).data, [2, 3, 5, 6])
    XCTAssertEqual(try x.select(axis: 1, index: 2).data, [3, 6])
    XCTAssertEqual(try x[1].data, [4, 5, 6])
    let y = try Tensor(shape: [2, 1], data: [7, 8])
    XCTAssertEqual(try Tensor.concat([x, y], axis: 1).data, [1, 2, 3, 7, 4, 5, 6, 8])
    XCTAssertEqual(try Tensor.stack([x, x], axis: 1).shape, [2, 2, 3])
    XCTAssertEqual(try Tensor.stack([x, x], axis: 1).data, [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
    let z = try Tensor(shape: [2, 3, 4], data: (0..<24).map(Float.init))
    let p = try z.permuted([2, 0, 1])
    XCTAssertEqual(p.shape, [4, 2, 3])
    // p[k, i, j] == z[i, j, k]
    for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { XCTAssertEqual(p.data[k * 6 + i * 3 + j], z.data[i * 12 + j * 4 + k]) } } }
    XCTAssertEqual(try z.flatten(from: 1).shape, [2, 12])
  }

  func testShapeErrors() throws {
    let x = try Tensor.zeros([2, 3])
    XCTAssertThrowsError(try x.reshaped([4, -1]))
    XCTAssertThrowsError(try x.reshaped([-1, -1]))
    XCTAssertThrowsError(try x.slice(axis: 1, start: 2, end: 5))
    XCTAssertThrowsError(try x.select(axis: 0, index: 2))
    XCTAssertThrowsError(try x.permuted([0, 0]))
    XCTAssertThrowsError(try Tensor.concat([x, Tensor.zeros([3, 3])], axis: 1))
    XCTAssertThrowsError(try Tensor.concat([], axis: 0))
    XCTAssertThrowsError(try Tensor.zeros([-1, 2]))
    XCTAssertThrowsError(try Tensor.zeros([1 << 40, 1 << 40]))
  }

  func testShapeGradients() throws {
    let x = try randomTensor([2, 3, 4], seed: 8)
    let y = try randomTensor([2, 2, 4], seed: 9)
    try gradCheck([x]) { t in try t[0].reshaped([6, 4]) }
    try gradCheck([x]) { t in try t[0].permuted([1, 2, 0]) }
    try gradCheck([x]) { t in try t[0].slice(axis: 1, start: 1, end: 3) }
    try gradCheck([x]) { t in try t[0].select(axis: 2, index: 1) }
    try gradCheck([x, y]) { t in try Tensor.concat([t[0], t[1]], axis: 1) }
    try gradCheck([x]) { t in try Tensor.stack([t[0], t[0]], axis: 0) }
    let m = try randomTensor([3, 5], seed: 10)
    try gradCheck([m]) { t in try t[0].transposed() }
  }

  func testMatmul() throws {
    let a = try randomTensor([3, 4], seed: 11), b = try randomTensor([4, 5], seed: 12)
    let c = try matmul(a, b)
    var ref = [Double](repeating: 0, count: 15)
    for i in 0..<3 { for j in 0..<5 { for k in 0..<4 { ref[i * 5 + j] += Double(a.data[i * 4 + k]) * Double(b.data[k * 5 + j]) } } }
    assertClose(c.data, ref)
    try gradCheck([a, b]) { t in try matmul(t[0], t[1]) }
    let ba = try randomTensor([2, 3, 4], seed: 13), bb = try randomTensor([2, 4, 2], seed: 14)
    try gradCheck([ba, bb]) { t in try matmul(t[0], t[1]) }
    try gradCheck([ba, b]) { t in try matmul(t[0], t[1]) }
    XCTAssertThrowsError(try matmul(a, a)) { e in XCTAssertTrue("\(e)".contains("matmul")) }
  }

  func testLinear() throws {
    let x = try randomTensor([3, 4], seed: 15), w = try randomTensor([2, 4], seed: 16), b = try randomTensor([2], seed: 17)
    let y = try linear(x, w, b)
    var ref = [Double](repeating: 0, count: 6)
    for i in 0..<3 { for o in 0..<2 {
      ref[i * 2 + o] = Double(b.data[o])
      for k in 0..<4 { ref[i * 2 + o] += Double(x.data[i * 4 + k]) * Double(w.data[o * 4 + k]) }
    } }
    assertClose(y.data, ref)
    try gradCheck([x, w, b]) { t in try linear(t[0], t[1], t[2]) }
    XCTAssertThrowsError(try linear(x, b, nil))
  }

  func testTapeReleasedAfterBackward() throws {
    let w = try randomTensor([3], seed: 18).trainable()
    let y = try (w * w).sum()
    try y.backward()
    XCTAssertNotNil(w.gradData)
    XCTAssertThrowsError(try y.backward())  // the graph was released
  }
}
