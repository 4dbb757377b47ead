import Foundation
import Synchronization
import XCTest
@testable import UBoostTensor

/// The engine's worker pool behind `Parallel.forRanges`: every index runs exactly once, in the
/// ranges the thread count fixes; nested loops and loops started from several threads at once
/// run (inline) instead of deadlocking; the work really is spread over more than one thread; and
/// the parallel clear of gradient arrays reaches every float.
final class WorkerPoolTests: XCTestCase {
  private func withThreads(_ t: Int, _ body: () throws -> Void) rethrows {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    Parallel.setThreads(t)
    try body()
  }

  func testEveryIndexOnceInTheFixedRanges() {
    for t in [2, 3, 4] { for per in [1, 4] {
      withThreads(t) {
        for (n, grain) in [(1, 1), (2, 1), (5, 1), (36, 1), (97, 4), (1000, 1), (1000, 300), (65_537, 16)] {
          let counts = UnsafeMutablePointer<Int>.allocate(capacity: n)
          counts.initialize(repeating: 0, count: n)
          defer { counts.deallocate() }
          let ranges = Mutex<[Range<Int>]>([])
          Parallel.forRanges(n, grain: grain, perThread: per) { r in
            for i in r { counts[i] += 1 }
            ranges.withLock { $0.append(r) }
          }
          for i in 0..<n where counts[i] != 1 {
            XCTFail("threads \(t) per \(per) n \(n) grain \(grain): index \(i) ran \(counts[i]) times")
            break
          }
          // The ranges are n*c/chunks ..< n*(c+1)/chunks, whichever thread ran them.
          let chunks = n < 2 * grain ? 1 : min(t * per, (n + grain - 1) / grain)
          let want = (0..<chunks).map { n * $0 / chunks ..< n * ($0 + 1) / chunks }.filter { !$0.isEmpty }
          XCTAssertEqual(ranges.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }, want, "threads \(t) per \(per) n \(n)")
        }
      }
    } }
  }

  func testNestedLoopsRunInline() {
    withThreads(2) {
      let n = 64, m = 50
      let out = UnsafeMutablePointer<Int>.allocate(capacity: n * m)
      out.initialize(repeating: 0, count: n * m)
      defer { out.deallocate() }
      Parallel.forRanges(n) { r in
        for i in r {
          Parallel.forRanges(m) { q in for j in q { out[i * m + j] += i + j } }
        }
      }
      for i in 0..<n { for j in 0..<m where out[i * m + j] != i + j { XCTFail("(\(i), \(j)) = \(out[i * m + j])"); return } }
    }
  }

  func testLoopsFromSeveralThreadsAtOnce() {
    withThreads(2) {
      let callers = 4, loops = 300, n = 257
      let failures = Atomic<Int>(0)
      let group = DispatchGroup()
      for k in 0..<callers {
        group.enter()
        let t = Thread {
          let buf = UnsafeMutablePointer<Int>.allocate(capacity: n)
          defer { buf.deallocate(); group.leave() }
          for l in 0..<loops {
            buf.initialize(repeating: -1, count: n)
            Parallel.forRanges(n) { r in for i in r { buf[i] = i * k + l } }
            for i in 0..<n where buf[i] != i * k + l { failures.add(1, ordering: .relaxed); break }
          }
        }
        t.start()
      }
      XCTAssertEqual(group.wait(timeout: .now() + 120), .success, "callers did not finish (deadlock?)")
      XCTAssertEqual(failures.load(ordering: .relaxed), 0)
    }
  }

  func testWorkIsSpreadOverTwoThreads() {
    withThreads(2) {
      // Two chunks of ~1 ms each: the worker (spinning or woken) takes the second chunk while
      // the caller runs the first. Over 50 loops at least one must have used two threads.
      var spread = 0
      for _ in 0..<50 {
        let owners = Mutex<Set<UInt>>([])
        Parallel.forRanges(2) { r in
          var s: Float = 0
          for i in 0..<2_000_000 { s += Float(i & 7) }
          if s < 0 { print(s) }
          owners.withLock { _ = $0.insert(UInt(pthread_self())) }
          _ = r
        }
        if owners.withLock({ $0.count }) == 2 { spread += 1 }
      }
      XCTAssertGreaterThan(spread, 0, "no loop ran on two threads")
    }
  }

  /// `forPieces` visits every element of every array once, in pieces numbered in order whose
  /// bounds are the same at every thread count.
  func testForPiecesCoversEveryElementInFixedPieces() {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    let counts = [0, 10, 7, 1, 23]
    var expected: [[Int]] = []  // [index, array, lo, hi]
    var t = 0
    for (j, c) in counts.enumerated() {
      for lo in stride(from: 0, to: c, by: 4) { expected.append([t, j, lo, min(lo + 4, c)]); t += 1 }
    }
    for threads in [1, 2, 3] {
      Parallel.setThreads(threads)
      let seen = Mutex<[[Int]]>([])
      Parallel.forPieces(counts: counts, piece: 4) { i, j, r in seen.withLock { $0.append([i, j, r.lowerBound, r.upperBound]) } }
      XCTAssertEqual(seen.withLock { $0 }.sorted { $0[0] < $1[0] }, expected, "threads \(threads)")
    }
  }

  /// The parallel clear reaches every float of every array (sizes around the 64k pieces).
  func testClearOnAllThreadsCoversEveryArray() {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    let counts = [1, 65535, 65536, 65537, 200_000, 3]
    for (j0, threads) in [(4, 1), (3, 2), (0, 3)] {
      Parallel.setThreads(threads)
      let ptrs = counts.map { c -> UnsafeMutablePointer<Float> in
        let p = UnsafeMutablePointer<Float>.allocate(capacity: c + 1)
        p.initialize(repeating: .nan, count: c + 1)
        return p
      }
      defer { ptrs.forEach { $0.deallocate() } }
      clearOnAllThreads(ptrs, counts: counts)
      XCTAssertEqual(zeroedFloats(counts[j0]), [Float](repeating: 0, count: counts[j0]))
      for (j, c) in counts.enumerated() {
        XCTAssertTrue((0..<c).allSatisfy { ptrs[j][$0] == 0 }, "threads \(threads) array \(j)")
        XCTAssertTrue(ptrs[j][c].isNaN, "threads \(threads) array \(j): written past its end")
      }
    }
  }
  // MARK: - Contention

  /// The monitor keeps the workers while they pay (windows of loops at 55% of the one-thread
  /// estimate), sends the pool solo for `soloNanoseconds` after two windows in a row at or
  /// above it, and judges only full windows.
  func testContentionMonitorDecisions() {
    typealias M = ContentionMonitor
    var m = M()
    let loop: UInt64 = 1_000_000
    var now: UInt64 = 1_000_000_000
    // Paying loops: 1 of 2 chunks, own CPU 0.5 ms each, wall 0.55 ms.
    for _ in 0..<200 {
      m.record(wall: 550_000, ownCPU: 500_000, ownChunks: 1, chunks: 2, now: now)
      now += 550_000
      XCTAssertFalse(m.runsSolo(now: now))
    }
    XCTAssertEqual(m.counts.soloPeriods, 0)
    m.reset()  // start the next phase on an empty window
    // Loops a preempted worker held: wall 1 ms against an estimate of 0.9 ms. A window is 20 ms
    // and 16 loops; two bad windows in a row send the pool solo, one alone does not.
    let needed = Int(M.windowNanoseconds / loop)
    func badWindow() {
      for _ in 0..<needed { m.record(wall: loop, ownCPU: 300_000, ownChunks: 2, chunks: 3, now: now); now += loop }
    }
    func payingWindow() {
      for _ in 0..<37 { m.record(wall: 550_000, ownCPU: 500_000, ownChunks: 1, chunks: 2, now: now); now += 550_000 }
    }
    badWindow()
    XCTAssertFalse(m.runsSolo(now: now), "one bad window sent the pool solo")
    payingWindow()
    badWindow()
    XCTAssertFalse(m.runsSolo(now: now), "a paying window between two bad ones did not start the count over")
    for i in 0..<needed {
      XCTAssertFalse(m.runsSolo(now: now), "solo after \(i) loops, before the second window was full")
      m.record(wall: loop, ownCPU: 300_000, ownChunks: 2, chunks: 3, now: now)
      now += loop
    }
    XCTAssertTrue(m.runsSolo(now: now))
    XCTAssertEqual(m.counts.soloPeriods, 1)
    let decided = now - loop  // the window's last loop
    XCTAssertTrue(m.runsSolo(now: decided + M.soloNanoseconds - 1))
    XCTAssertFalse(m.runsSolo(now: decided + M.soloNanoseconds))
    // Loops with no chunk of the submitter's, or with all of them, are counted but not judged.
    let counted = m.counts.parallelLoops
    for _ in 0..<100 {
      m.record(wall: 5 * loop, ownCPU: 0, ownChunks: 0, chunks: 2, now: now)
      m.record(wall: 5 * loop, ownCPU: loop, ownChunks: 2, chunks: 2, now: now)
    }
    XCTAssertEqual(m.counts.parallelLoops, counted + 200)
    XCTAssertEqual(m.counts.soloPeriods, 1)
    // Going solo again right after a solo period doubles its time; a window that pays starts over.
    now += M.soloNanoseconds
    badWindow(); badWindow()
    XCTAssertEqual(m.counts.soloPeriods, 2)
    XCTAssertTrue(m.runsSolo(now: now - loop + 2 * M.soloNanoseconds - 1))
    XCTAssertFalse(m.runsSolo(now: now - loop + 2 * M.soloNanoseconds))
    now += 2 * M.soloNanoseconds
    payingWindow()
    badWindow(); badWindow()
    XCTAssertEqual(m.counts.soloPeriods, 3)
    XCTAssertFalse(m.runsSolo(now: now + M.soloNanoseconds), "a paying window did not reset the solo time")
    m.reset()
    XCTAssertFalse(m.runsSolo(now: now))
  }

  /// The user is told only when a real share of a real number of loops ran solo.
  func testContentionNote() {
    XCTAssertNil(PoolStatistics(parallelLoops: 500, soloLoops: 400, soloPeriods: 2).contentionNote)
    XCTAssertNil(PoolStatistics(parallelLoops: 9500, soloLoops: 900, soloPeriods: 2).contentionNote)
    let note = PoolStatistics(parallelLoops: 100, soloLoops: 900, soloPeriods: 3).contentionNote
    XCTAssertTrue(note?.hasPrefix("note: 90% of the engine's parallel loops ran on one thread") ?? false, note ?? "nil")
    let later = PoolStatistics(parallelLoops: 130, soloLoops: 960, soloPeriods: 4)
    XCTAssertEqual(later.since(PoolStatistics(parallelLoops: 100, soloLoops: 900, soloPeriods: 3)),
                   PoolStatistics(parallelLoops: 30, soloLoops: 60, soloPeriods: 1))
  }

  /// A worker that is slow inside its chunks (as a preempted one is) sends the pool solo: the
  /// following loops run on the caller alone, in the same fixed ranges, and every index still
  /// runs once. Setting the threads again brings the workers back.
  func testPoolGoesSoloWhenTheWorkerHoldsItsLoops() {
    withThreads(2) {
      let caller = pthread_self()
      let n = 1000
      let counts = UnsafeMutablePointer<Int>.allocate(capacity: n)
      defer { counts.deallocate() }
      let ranges = Mutex<[Range<Int>]>([])
      func loop(recording: Bool = false) {
        counts.initialize(repeating: 0, count: n)
        Parallel.forRanges(n) { r in
          if pthread_equal(pthread_self(), caller) == 0 { usleep(3000) }
          var s: Float = 0
          for i in 0..<200_000 { s += Float(i & 7) }
          if s < 0 { print(s) }
          for i in r { counts[i] += 1 }
          if recording { ranges.withLock { $0.append(r) } }
        }
        for i in 0..<n where counts[i] != 1 { XCTFail("index \(i) ran \(counts[i]) times"); return }
      }
      let before = Parallel.poolStatistics
      var loops = 0
      while Parallel.poolStatistics.soloPeriods == before.soloPeriods && loops < 400 { loop(); loops += 1 }
      XCTAssertGreaterThan(Parallel.poolStatistics.soloPeriods, before.soloPeriods, "no solo period after \(loops) loops")
      let solo0 = Parallel.poolStatistics.soloLoops
      loop(recording: true)
      XCTAssertEqual(Parallel.poolStatistics.soloLoops, solo0 + 1, "the loop after the window did not run solo")
      XCTAssertEqual(ranges.withLock { $0 }, [0..<500, 500..<1000], "solo runs the fixed ranges in order")
      Parallel.setThreads(2)
      let par0 = Parallel.poolStatistics.parallelLoops
      loop()
      XCTAssertEqual(Parallel.poolStatistics.parallelLoops, par0 + 1, "setThreads did not end the solo period")
    }
  }
}
