import XCTest
@testable import UBoostTensor

/// Zero-sized and degenerate inputs must give results or thrown errors, never traps.
final class EdgeCaseTests: XCTestCase {
  func testZeroSizedTensors() throws {
    let e = try Tensor.zeros([0, 3])
    XCTAssertEqual(try (e + e).shape, [0, 3])
    XCTAssertEqual(try (e * Tensor.ones([3])).shape, [0, 3])
    XCTAssertEqual(try e.sum(axis: 0).data, [0, 0, 0])
    XCTAssertEqual(try e.sum(axis: 1).shape, [0])
    XCTAssertEqual(try e.sum().item(), 0)
    XCTAssertThrowsError(try e.mean())
    XCTAssertThrowsError(try e.max(axis: 0))
    XCTAssertEqual(try softmax(e).shape, [0, 3])
    XCTAssertEqual(try e.permuted([1, 0]).shape, [3, 0])
    XCTAssertEqual(try matmul(e, Tensor.ones([3, 2])).shape, [0, 2])
    XCTAssertEqual(try matmul(Tensor.ones([2, 0]), Tensor.ones([0, 4])).data, [Float](repeating: 0, count: 8))
    XCTAssertEqual(try Tensor.concat([e, Tensor.ones([1, 3])], axis: 0).shape, [1, 3])
    XCTAssertEqual(try maxPool2d(Tensor.zeros([0, 2, 4, 4])).shape, [0, 2, 2, 2])
    var rm: [Float] = [0], rv: [Float] = [1]
    XCTAssertEqual(try batchNorm2d(Tensor.zeros([0, 1, 2, 2]), weight: nil, bias: nil, runningMean: &rm, runningVar: &rv,
                                   training: false).shape, [0, 1, 2, 2])
    XCTAssertThrowsError(try crossEntropy(Tensor.zeros([0, 3]), []))
    var rng = RandomSource(seed: 1)
    XCTAssertThrowsError(try gumbelSoftmax(Tensor.zeros([2, 0]), tau: 1, rng: &rng))
    XCTAssertEqual(try Tensor.zeros([0, 2]).reshaped([2, 0]).shape, [2, 0])
    XCTAssertThrowsError(try Tensor.zeros([0, 2]).reshaped([-1, 0]))
  }

  func testBackwardErrors() throws {
    let x = try Tensor.ones([2])
    XCTAssertThrowsError(try x.backward())  // not trainable
    let w = try Tensor.ones([2]).trainable()
    let y = try w * 2
    XCTAssertThrowsError(try y.backward())  // non-scalar without seed
    XCTAssertThrowsError(try y.backward(seed: [1]))  // wrong seed size
    let p = try Tensor.ones([2]).trainable()
    p.gradData = [1, 2, 3]
    XCTAssertThrowsError(try SGD(lr: 0.1).step([p]))
  }
}
