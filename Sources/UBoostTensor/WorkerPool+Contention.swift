import Foundation

// MARK: - Contention: when the workers cost more than they give

/// Decides, from the parallel loops it has timed, whether the worker pool is paying for itself.
///
/// Lock-step loops suffer when the machine has fewer free cores than the pool has threads
/// (another busy process, a second uboost, a noisy host): a worker preempted inside its chunk
/// holds the whole loop until the scheduler runs it again, a few milliseconds later. With one
/// busy process beside it, the micro supernet's batch-8 step took 1.90 s at 2 threads against
/// 1.43 s at 1 thread. The monitor compares, window by window, each loop's wall time with what
/// the submitting thread alone would have taken: its own chunks' thread CPU time (which leaves
/// out the time it was preempted) scaled to all chunks. When two windows in a row took at least
/// as long as that estimate, the pool runs every loop on the submitter for `soloNanoseconds` or
/// longer (workers go to sleep), then times the workers again.
///
/// Running solo executes the same chunks, with the same bounds, one after another on the
/// submitter, so results do not change.
///
/// ```swift
/// var m = ContentionMonitor()
/// m.record(wall: 550_000, ownCPU: 500_000, ownChunks: 1, chunks: 2, now: t)  // a loop that paid
/// m.runsSolo(now: t)  // false
/// ```
struct ContentionMonitor {
  /// Loops are judged in windows of at least this much loop wall time and `minLoops` loops.
  static let windowNanoseconds: UInt64 = 20_000_000
  static let minLoops = 16
  /// A window whose loops took at least this fraction of the one-thread estimate is bad: the
  /// workers made its loops slower, not faster.
  static let soloRatio = 1.0
  /// Bad windows in a row that send the pool solo: one stall of the host (a vCPU descheduled
  /// for a few milliseconds while a worker held a chunk) can spoil one window by itself.
  static let badWindowsToSolo = 2
  /// How long the pool then runs solo before it tries the workers again. Each window in a row
  /// that sends it solo again doubles the time, up to `maxSoloNanoseconds`, so the windows that
  /// try the workers on a machine that stays busy cost little; a window that pays starts over.
  static let soloNanoseconds: UInt64 = 250_000_000
  static let maxSoloNanoseconds: UInt64 = 4_000_000_000

  private var soloUntil: UInt64 = 0
  private var nextSolo = Self.soloNanoseconds
  private var windowWall: UInt64 = 0
  private var windowEstimate: Double = 0
  private var windowLoops = 0
  private var badWindows = 0

  /// Loops timed with the workers, loops run solo, and times the pool went solo.
  private(set) var counts = PoolStatistics(parallelLoops: 0, soloLoops: 0, soloPeriods: 0)

  /// Whether the loop starting at `now` runs on the submitter alone.
  func runsSolo(now: UInt64) -> Bool { now < soloUntil }

  mutating func countSolo() { counts.soloLoops &+= 1 }

  /// Records one loop run with the workers: `wall` from publishing it to its last chunk,
  /// `ownCPU` the submitter's thread CPU time over the `ownChunks` of `chunks` it ran itself.
  ///
  /// Loops the submitter ran alone (no worker claimed a chunk: they were asleep or the loop was
  /// short) are counted but not judged: the workers cost them nothing.
  mutating func record(wall: UInt64, ownCPU: UInt64, ownChunks: Int, chunks: Int, now: UInt64) {
    counts.parallelLoops &+= 1
    guard ownChunks > 0, ownChunks < chunks else { return }
    windowWall &+= wall
    windowEstimate += Double(ownCPU) * Double(chunks) / Double(ownChunks)
    windowLoops += 1
    guard windowWall >= Self.windowNanoseconds, windowLoops >= Self.minLoops else { return }
    if Double(windowWall) >= Self.soloRatio * windowEstimate {
      badWindows += 1
      if badWindows >= Self.badWindowsToSolo {
        soloUntil = now &+ nextSolo
        nextSolo = Swift.min(nextSolo &* 2, Self.maxSoloNanoseconds)
        counts.soloPeriods &+= 1
        badWindows = 0
      }
    } else {
      badWindows = 0
      nextSolo = Self.soloNanoseconds
    }
    windowWall = 0
    windowEstimate = 0
    windowLoops = 0
  }

  /// Forgets the windows and ends a solo period (tests, and a new thread setting).
  mutating func reset() {
    soloUntil = 0
    badWindows = 0
    nextSolo = Self.soloNanoseconds
    windowWall = 0
    windowEstimate = 0
    windowLoops = 0
  }
}

/// Counts of the worker pool's loops since the process started (`Parallel.poolStatistics`).
public struct PoolStatistics: Equatable, Sendable {
  /// Loops that ran with the workers (and were timed).
  public var parallelLoops: Int
  /// Loops the pool ran on the submitting thread alone because the workers were not paying.
  public var soloLoops: Int
  /// How many times the pool went solo.
  public var soloPeriods: Int

  /// soloLoops / (parallelLoops + soloLoops), 0 without loops.
  public var soloShare: Double {
    let all = parallelLoops + soloLoops
    return all > 0 ? Double(soloLoops) / Double(all) : 0
  }

  /// The loops counted after `earlier` (an earlier reading of the same pool).
  public func since(_ earlier: PoolStatistics) -> PoolStatistics {
    PoolStatistics(parallelLoops: parallelLoops - earlier.parallelLoops, soloLoops: soloLoops - earlier.soloLoops,
                   soloPeriods: soloPeriods - earlier.soloPeriods)
  }

  /// A line for the user when at least 10% of 1,000 or more loops ran solo, else nil.
  ///
  /// ```swift
  /// PoolStatistics(parallelLoops: 100, soloLoops: 900, soloPeriods: 4).contentionNote
  /// // "note: 90% of the engine's parallel loops ran on one thread: other processes ..."
  /// ```
  public var contentionNote: String? {
    guard parallelLoops + soloLoops >= 1000, soloShare >= 0.1 else { return nil }
    return "note: \(Int((soloShare * 100).rounded()))% of the engine's parallel loops ran on one thread: other processes "
      + "held the cores, and waiting for a preempted worker was slower than running alone (--threads 1 avoids the probing)"
  }
}

/// The calling thread's CPU time in nanoseconds (it leaves out time the thread was preempted).
@inline(__always)
func threadCPUNanoseconds() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
  return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
