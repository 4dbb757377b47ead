import XCTest
final class UBoostLangTestsPlaceholder: XCTestCase { func testBuilds() {} }
