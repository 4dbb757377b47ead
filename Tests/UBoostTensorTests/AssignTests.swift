import XCTest
@testable import UBoostTensor

/// `Tensor.assign`: in-place writes into a region (index assignment in scripts).
final class AssignTests: XCTestCase {
  func testRegionsOfEveryShape() throws {
    let x = try Tensor.zeros([2, 3, 4])
    try x.assign([.at(1), .range(0..<3), .range(1..<3)], values: [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(Array(x.data[12...]), [0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0])
    XCTAssertEqual(x.data[..<12].reduce(0, +), 0)
    try x.assign([.range(0..<2), .at(2), .at(3)], values: [7])   // one value fills
    XCTAssertEqual(x.data[11], 7)
    XCTAssertEqual(x.data[23], 7)
    XCTAssertEqual(Tensor.regionShape([.range(0..<2), .at(2), .range(1..<4)]), [2, 3])
    let s = Tensor(scalar: 1)
    try s.assign([], values: [5])
    XCTAssertEqual(s.data, [5])
    try x.assign([.range(0..<0), .range(0..<3), .range(0..<4)], values: [])   // empty region
  }

  func testRefusals() throws {
    let x = try Tensor.zeros([2, 2])
    XCTAssertThrowsError(try x.assign([.at(2), .at(0)], values: [1]))
    XCTAssertThrowsError(try x.assign([.at(0)], values: [1]))
    XCTAssertThrowsError(try x.assign([.at(0), .range(0..<2)], values: [1, 2, 3]))
    let w = try Tensor(shape: [2], data: [1, 2]).trainable()
    let y = try w * 3
    XCTAssertThrowsError(try y.assign([.at(0)], values: [0]))   // a recorded result
    try w.assign([.at(0)], values: [9])                          // a parameter: an update
    XCTAssertEqual(w.data, [9, 2])
  }

  /// A graph recorded before a write keeps the values it saw, so its gradient stays exact.
  func testGradientOfAGraphBuiltBeforeTheWrite() throws {
    let w = try Tensor(shape: [3], data: [1, 2, 3]).trainable()
    let c = try Tensor(shape: [3], data: [4, 5, 6])
    let loss = try (w * c * w).sum()
    try c.assign([.range(0..<3)], values: [0])
    try w.assign([.at(0)], values: [100])
    try loss.backward()
    XCTAssertEqual(w.grad?.data, [8, 20, 36])   // 2 * c * w with the old c and w
  }
}
