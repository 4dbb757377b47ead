import XCTest
final class UBoostBuiltinsTestsPlaceholder: XCTestCase { func testBuilds() {} }
