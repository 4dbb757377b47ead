import XCTest
final class UBoostCLITestsPlaceholder: XCTestCase { func testBuilds() {} }
