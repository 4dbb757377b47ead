import XCTest
@testable import UBoostTensor

final class ElementwiseTests: XCTestCase {
  func testBroadcastValues() throws {
    let a = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
    let b = try Tensor(shape: [3], data: [10, 20, 30])
    let c = try Tensor(shape: [2, 1], data: [100, 200])
    XCTAssertEqual(try (a + b).data, [11, 22, 33, 14, 25, 36])
    XCTAssertEqual(try (a * c).data, [100, 200, 300, 800, 1000, 1200])
    XCTAssertEqual(try (b - c).shape, [2, 3])
    XCTAssertEqual(try (b - c).data, [-90, -80, -70, -190, -180, -170])
    XCTAssertEqual(try (a / 2).data, [0.5, 1, 1.5, 2, 2.5, 3])
    XCTAssertEqual(try (1 - a).data, [0, -1, -2, -3, -4, -5])
    XCTAssertEqual(try (-a).data, [-1, -2, -3, -4, -5, -6])
  }

  func testBroadcastMismatchThrows() throws {
    let a = try Tensor.zeros([2, 3]), b = try Tensor.zeros([4])
    XCTAssertThrowsError(try a + b) { e in
      XCTAssertTrue("\(e)".contains("add"), "\(e)")
      XCTAssertTrue("\(e)".contains("[2, 3]"), "\(e)")
    }
    XCTAssertThrowsError(try a / Float(0))
  }

  func testBinaryGradients() throws {
    let a = try randomTensor([2, 3, 4], seed: 1)
    let b = try randomTensor([3, 1], seed: 2)
    try gradCheck([a, b]) { t in try t[0] + t[1] }
    try gradCheck([a, b]) { t in try t[0] - t[1] }
    try gradCheck([a, b]) { t in try t[0] * t[1] }
    let c = try (randomTensor([1, 4], seed: 3, gap: 0.5))
    try gradCheck([a, c]) { t in try t[0] / t[1] }
    try gradCheck([a]) { t in try (2 - t[0] * 3) / 4 }
    try gradCheck([c]) { t in try 1 / t[0] }
    try gradCheck([a]) { t in try -(t[0] + 1) }
  }

  func testUnaryGradients() throws {
    let x = try randomTensor([3, 5], seed: 4, gap: 0.1)
    try gradCheck([x]) { t in t[0].relu() }
    try gradCheck([x]) { t in t[0].exp() }
    try gradCheck([x]) { t in t[0].tanh() }
    try gradCheck([x]) { t in t[0].sigmoid() }
    try gradCheck([x]) { t in t[0].abs() }
    try gradCheck([x]) { t in try t[0].clamp(min: -0.5, max: 0.5) }
    let p = try (randomTensor([3, 5], seed: 5).abs() + 0.5).detached()
    try gradCheck([p]) { t in t[0].log() }
    try gradCheck([p]) { t in t[0].sqrt() }
    try gradCheck([p]) { t in t[0].pow(2.5) }
  }

  func testUnaryValues() throws {
    let x = try Tensor(shape: [4], data: [-2, -0.5, 0.5, 3])
    XCTAssertEqual(x.relu().data, [0, 0, 0.5, 3])
    XCTAssertEqual(try x.clamp(min: -1, max: 1).data, [-1, -0.5, 0.5, 1])
    XCTAssertEqual(x.sigmoid().data[3], Float(1 / (1 + Foundation.exp(-3.0))), accuracy: 1e-6)
    XCTAssertThrowsError(try x.clamp(min: 1, max: 0))
  }
}
