import XCTest
@testable import UBoostTensor

final class BLASCoreTests: XCTestCase {
  func testCoreNameIsReadFromOpenBLAS() {
    // OpenBLAS is linked, so its core name is available (e.g. "SkylakeX", "Haswell", "Prescott").
    XCTAssertNotEqual(BLASCore.name, "unknown")
    XCTAssertFalse(BLASCore.name.isEmpty)
  }

  func testThreadSettingRoundTrips() {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    Parallel.setThreads(1)
    XCTAssertEqual(Parallel.threads, 1)
    Parallel.setThreads(0)
    XCTAssertEqual(Parallel.threads, 1)  // clamped
    // forRanges covers every index exactly once at any thread count.
    Parallel.setThreads(2)
    var hits = [Int](repeating: 0, count: 1000)
    hits.withUnsafeMutableBufferPointer { h in
      guard let b = h.baseAddress else { return }
      Parallel.forRanges(1000, grain: 10) { r in for i in r { b[i] += 1 } }
    }
    XCTAssertEqual(hits, [Int](repeating: 1, count: 1000))
  }
}
