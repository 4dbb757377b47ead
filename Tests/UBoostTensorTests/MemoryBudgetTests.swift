import XCTest
@testable import UBoostTensor

/// The /proc parsing behind `MemoryBudget` and the memory watchdog.
final class MemoryBudgetTests: XCTestCase {
  /// `MemoryBudget.kilobytes(_:inBytes:)` of a string's UTF-8 bytes.
  func kilobytes(_ key: String, in text: String) -> Int? {
    var text = text
    return text.withUTF8 { MemoryBudget.kilobytes(key, inBytes: $0) }
  }

  func testKilobytesFindsTheKeyAtAnyLineWithSpacesOrTabs() {
    let meminfo = "MemTotal:       16384000 kB\nMemFree:         1000 kB\nMemAvailable:    8192 kB\nBuffers: 1 kB\n"
    XCTAssertEqual(kilobytes("MemTotal", in: meminfo), 16_384_000 * 1024)
    XCTAssertEqual(kilobytes("MemAvailable", in: meminfo), 8192 * 1024)
    XCTAssertEqual(kilobytes("Buffers", in: meminfo), 1024)
    let status = "Name:\tuboost\nVmPeak:\t  200 kB\nVmSize:\t  123456 kB\n"
    XCTAssertEqual(kilobytes("VmSize", in: status), 123_456 * 1024)
  }

  func testKilobytesIgnoresPrefixesAndMidLineMatchesAndBadValues() {
    // `Mem` is a prefix of other keys; `MemFree` inside a line is not a key.
    XCTAssertNil(kilobytes("Mem", in: "MemFree: 1 kB\n"))
    XCTAssertNil(kilobytes("MemFree", in: "XMemFree: 1 kB\nA: MemFree: 2 kB\n"))
    XCTAssertNil(kilobytes("MemFree", in: "MemFree: kB\n"))
    XCTAssertNil(kilobytes("MemFree", in: "MemFree"))
    XCTAssertNil(kilobytes("MemFree", in: ""))
    // A value at the very end without a newline; one with more digits than fit is nil, not a trap.
    XCTAssertEqual(kilobytes("A", in: "B: 2 kB\nA: 7"), 7 * 1024)
    XCTAssertNil(kilobytes("A", in: "A: 99999999999999999999999999 kB\n"))
    XCTAssertEqual(kilobytes("A", in: "A: 999999999999999 kB\n"), 999_999_999_999_999 * 1024)
  }

  func testTheRealProcFilesParse() throws {
    guard FileManager.default.fileExists(atPath: "/proc/meminfo") else { throw XCTSkip("no /proc") }
    let avail = try XCTUnwrap(MemoryBudget.meminfoAvailable())
    XCTAssertGreaterThan(avail, 0)
    let size = try XCTUnwrap(MemoryBudget.kilobytes("VmSize", inFile: "/proc/self/status"))
    XCTAssertGreaterThan(size, 1 << 20)
    XCTAssertNil(MemoryBudget.kilobytes("VmSize", inFile: "/nonexistent/status"))
  }
}
