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

#if canImport(Glibc)
import CBLAS

final class AllocatorPolicyTests: XCTestCase {
  /// The engine's first use raises glibc's mmap threshold, so a 16 MB tensor-sized block comes
  /// from the heap (and returns to it) instead of a fresh mapping that is faulted in and zeroed
  /// again on every step.
  func testLargeBlocksComeFromTheHeapOnceTheEngineIsUsed() throws {
    try XCTSkipIf(ProcessInfo.processInfo.environment["UBOOST_ALLOCATOR_POLICY"] == "0", "policy turned off")
    _ = Parallel.threads
    XCTAssertTrue(AllocatorPolicy.applied)
    let before = mallinfo2().hblkhd
    let p = UnsafeMutablePointer<Float>.allocate(capacity: 4 << 20)
    defer { p.deallocate() }
    p.initialize(repeating: 1, count: 4 << 20)
    XCTAssertEqual(mallinfo2().hblkhd, before, "a 16 MB block was served by mmap")
  }
}
#endif
