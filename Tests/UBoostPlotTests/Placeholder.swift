import XCTest
final class UBoostPlotTestsPlaceholder: XCTestCase { func testBuilds() {} }
