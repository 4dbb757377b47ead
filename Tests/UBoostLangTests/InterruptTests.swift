import XCTest
@testable import UBoostLang

/// Ctrl-C (an `Interrupt` request) stops builtins that loop without running script code.
final class InterruptTests: XCTestCase {
  override func tearDown() { Interrupt.clear() }

  private func assertInterrupted(_ source: String, setup: String, file: StaticString = #filePath, line: UInt = #line) {
    let interp = Interpreter(output: { _ in })
    XCTAssertNoThrow(try interp.evaluate(setup), file: file, line: line)
    Interrupt.request()
    XCTAssertThrowsError(try interp.evaluate(source), file: file, line: line) { error in
      XCTAssertEqual((error as? LangError)?.kind, .interrupted, "\(error)", file: file, line: line)
    }
    XCTAssertFalse(Interrupt.isRequested, "the request is consumed", file: file, line: line)
  }

  func testSortWithABuiltinKeyStops() {
    assertInterrupted("sort(xs, key: abs)", setup: "let xs = list(0..<10000)")
  }

  func testSortWithoutKeyStopsWhileMerging() {
    assertInterrupted("sort(xs)", setup: "let xs = list(0..<10000)")
  }

  func testCallbacksOfMapFilterReduceStop() {
    assertInterrupted("map(xs, abs)", setup: "let xs = list(0..<100)")
    assertInterrupted("filter(xs, is_nan)", setup: "let xs = list(0..<100)")
    assertInterrupted("reduce(xs, max)", setup: "let xs = list(0..<100)")
  }
}
