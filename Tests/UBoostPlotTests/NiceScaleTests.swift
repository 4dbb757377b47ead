import XCTest
@testable import UBoostPlot

final class NiceScaleTests: XCTestCase {
  func testOneTwoFiveSteps() {
    let s = NiceScale(min: 0.3, max: 9.1, targetTicks: 5)
    XCTAssertEqual(s.step, 2)          // 8.8 / 4 = 2.2 -> nearest 1-2-5 value is 2
    XCTAssertEqual(s.ticks, [0, 2, 4, 6, 8, 10])
    let t = NiceScale(min: 0, max: 4, targetTicks: 5)
    XCTAssertEqual(t.ticks, [0, 1, 2, 3, 4])
    let u = NiceScale(min: 84.2, max: 91.7, targetTicks: 6)
    XCTAssertEqual(u.step, 2)
    XCTAssertEqual(u.ticks, [84, 86, 88, 90, 92])
    let v = NiceScale(min: -0.013, max: 0.047, targetTicks: 4)
    XCTAssertEqual(v.step, 0.02, accuracy: 1e-15)
    XCTAssertEqual(v.ticks.map { v.label($0) }, ["-0.02", "0.00", "0.02", "0.04", "0.06"])
  }

  func testEveryStepIsOneTwoOrFiveTimesPowerOfTen() {
    var seed: UInt64 = 7
    for _ in 0..<500 {
      seed = seed &* 6364136223846793005 &+ 1442695040888963407
      let a = Double(Int64(bitPattern: seed) >> 20) / 1e9
      seed = seed &* 6364136223846793005 &+ 1442695040888963407
      let b = a + Double(seed >> 30) / 1e6
      let s = NiceScale(min: a, max: b, targetTicks: 6)
      let mantissa = s.step / pow(10, floor(log10(s.step)))
      XCTAssertTrue([1, 2, 5].contains { abs(mantissa - Double($0)) < 1e-9 }, "step \(s.step)")
      XCTAssertLessThanOrEqual(s.lower, a)
      XCTAssertGreaterThanOrEqual(s.upper, b)
      XCTAssertLessThanOrEqual(s.ticks.count, 12)
    }
  }

  func testDegenerateRanges() {
    let constant = NiceScale(min: 3, max: 3)
    XCTAssertLessThan(constant.lower, 3)
    XCTAssertGreaterThan(constant.upper, 3)
    let zero = NiceScale(min: 0, max: 0)
    XCTAssertEqual(zero.lower, -1)
    XCTAssertEqual(zero.upper, 1)
    let bad = NiceScale(min: .nan, max: .infinity)
    XCTAssertEqual(bad.lower, 0)
    XCTAssertEqual(bad.upper, 1)
  }

  func testLargeAndSmallLabelsUseScientificForm() {
    let big = NiceScale(min: 0, max: 3e7, targetTicks: 4)
    XCTAssertEqual(big.label(1e7), "1e7")
    let small = NiceScale(min: 0, max: 4e-6, targetTicks: 5)
    XCTAssertEqual(small.label(2e-6), "2e-6")
  }

  func testNumberFormat() {
    XCTAssertEqual(NumberFormat.fixed(-1.5, decimals: 2), "-1.50")
    XCTAssertEqual(NumberFormat.fixed(-0.001, decimals: 2), "0.00")
    XCTAssertEqual(NumberFormat.fixed(2.675, decimals: 0), "3")
    XCTAssertEqual(NumberFormat.general(0.125), "0.125")
    XCTAssertEqual(NumberFormat.general(1234.5), "1235")
    XCTAssertEqual(NumberFormat.general(1.2e6), "1.2e6")
    XCTAssertEqual(NumberFormat.general(9.999e-5), "1e-4")
    XCTAssertEqual(NumberFormat.general(.nan), "nan")
    XCTAssertEqual(NumberFormat.general(-.infinity), "-inf")
    XCTAssertEqual(NumberFormat.coord(12.3456), "12.35")
    XCTAssertEqual(NumberFormat.coord(-0.0001), "0")
  }
}
