import XCTest
final class UBoostHardwareTestsPlaceholder: XCTestCase { func testBuilds() {} }
