import XCTest
final class UBoostREPLTestsPlaceholder: XCTestCase { func testBuilds() {} }
