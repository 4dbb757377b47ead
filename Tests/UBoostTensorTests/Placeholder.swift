import XCTest
final class UBoostTensorTestsPlaceholder: XCTestCase { func testBuilds() {} }
