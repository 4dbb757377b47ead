import XCTest
final class UBoostNASTestsPlaceholder: XCTestCase { func testBuilds() {} }
