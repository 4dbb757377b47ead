import CBLAS
import Dispatch
import Foundation
import Synchronization

// MARK: - Worker pool

/// The engine's parallel loops run on a fixed set of worker threads that spin for a short while
/// after each loop before they sleep, so the next loop of a search step (usually a few hundred
/// microseconds later) starts on both cores at once.
///
/// Why not `DispatchQueue.concurrentPerform`: on this project's 2-vCPU VMs a dispatch worker
/// takes ~30 µs to wake, and a supernet step runs thousands of parallel loops of 20-500 µs. A
/// two-way loop of 2 x 17.5 µs of work took 51 µs with `concurrentPerform` (more than running
/// both halves on one thread, 35 µs) and 20 µs here.
///
/// A job is `chunks` fixed ranges; the submitting thread and the workers claim chunks from one
/// atomic ticket, so a worker that wakes late only means the submitter runs more chunks
/// itself, never that results change (each chunk's range is fixed by `chunks` alone). A loop
/// started while another is running (a nested loop inside a chunk, or a second thread calling
/// the engine) runs inline on its caller.
///
/// Every loop run with the workers is timed against what its submitter alone would have taken
/// (`ContentionMonitor`). When the machine has fewer free cores than threads, a preempted
/// worker holds each loop for a scheduler slice; the pool then runs loops on the submitter
/// alone for a while (the same chunks in order, so results do not change) and tries again.
///
/// ```swift
/// WorkerPool.shared.run(n: 1000, chunks: 2) { r in for i in r { out[i] = f(i) } }
/// ```
final class WorkerPool: @unchecked Sendable {
  /// The process's pool: one per process because it owns threads, like the allocator it sits
  /// beside. Workers are started on demand up to `Parallel.threads - 1` (and one fewer than
  /// the cores).
  static let shared = WorkerPool()

  /// How long an idle worker spins before it sleeps on the semaphore.
  static let spinNanoseconds: UInt64 = 500_000

  // Ticket: generation (high 32 bits) | chunk count (bits 16..<32) | next chunk (bits 0..<16).
  private let ticket = Atomic<UInt64>(0)
  private let finished = Atomic<Int>(0)
  private let busy = Atomic<Bool>(false)
  private let sleepers = Atomic<Int>(0)
  private let wake = DispatchSemaphore(value: 0)
  private let startLock = NSLock()
  private nonisolated(unsafe) var workerCount = 0
  // Valid while a job runs; written only by the submitter before the ticket is published.
  private nonisolated(unsafe) var jobSize = 0
  private nonisolated(unsafe) var job: ((Range<Int>) -> Void)?
  // Touched only by the thread that holds `busy`.
  private nonisolated(unsafe) var contention = ContentionMonitor()

  private init() {}

  /// Runs `body` over `0..<n` in `chunks` contiguous ranges (`n * c / chunks ..< n * (c+1) /
  /// chunks`) on the caller and up to `chunks - 1` workers; returns when every chunk is done.
  func run(n: Int, chunks: Int, _ body: (Range<Int>) -> Void) {
    let chunks = Swift.min(chunks, 1 << 16 - 1)
    guard chunks > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      body(0..<n)
      return
    }
    defer { busy.store(false, ordering: .releasing) }
    let start = DispatchTime.now().uptimeNanoseconds
    if contention.runsSolo(now: start) {
      contention.countSolo()
      for c in 0..<chunks { body(Self.chunk(c, of: chunks, n: n)) }
      return
    }
    ensureWorkers(chunks - 1)
    withoutActuallyEscaping(body) { escaping in
      job = escaping
      jobSize = n
      finished.store(0, ordering: .relaxed)
      let gen = (ticket.load(ordering: .relaxed) >> 32) &+ 1
      ticket.store((gen << 32) | (UInt64(chunks) << 16), ordering: .sequentiallyConsistent)
      let s = sleepers.load(ordering: .sequentiallyConsistent)
      for _ in 0..<Swift.min(s, chunks - 1) { wake.signal() }
      let cpu0 = threadCPUNanoseconds()
      let own = participate(generation: gen)
      let ownCPU = threadCPUNanoseconds() &- cpu0
      var spins = 0
      while finished.load(ordering: .acquiring) < chunks {
        spins &+= 1
        if spins & 0xFFF == 0 { sched_yield() } else { uboost_cpu_relax() }
      }
      job = nil
      let end = DispatchTime.now().uptimeNanoseconds
      contention.record(wall: end &- start, ownCPU: ownCPU, ownChunks: own, chunks: chunks, now: end)
    }
  }

  /// The loop counts so far (taken between loops, like a job).
  var statistics: PoolStatistics {
    withExclusiveUse { contention.counts }
  }

  /// Forgets what the contention monitor has seen and ends a solo period.
  func resetContention() { withExclusiveUse { contention.reset() } }

  /// Runs `body` while no job runs, so it may read and write the submitter's state.
  private func withExclusiveUse<T>(_ body: () -> T) -> T {
    while !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { sched_yield() }
    defer { busy.store(false, ordering: .releasing) }
    return body()
  }

  /// Chunk `c` of `chunks` over `0..<n`: fixed by the three numbers alone.
  @inline(__always)
  private static func chunk(_ c: Int, of chunks: Int, n: Int) -> Range<Int> { n * c / chunks ..< n * (c + 1) / chunks }

  /// Claims and runs chunks of generation `gen` until none is left; returns how many it ran.
  @discardableResult
  private func participate(generation gen: UInt64) -> Int {
    var ran = 0
    while true {
      var t = ticket.load(ordering: .acquiring)
      var claimed = -1, chunks = 0
      while t >> 32 == gen {
        chunks = Int((t >> 16) & 0xFFFF)
        let next = Int(t & 0xFFFF)
        guard next < chunks else { break }
        let (done, now) = ticket.compareExchange(expected: t, desired: t &+ 1, ordering: .acquiringAndReleasing)
        if done { claimed = next; break }
        t = now
      }
      guard claimed >= 0 else { return ran }
      let r = Self.chunk(claimed, of: chunks, n: jobSize)
      runChunk(r.lowerBound, r.upperBound)
      finished.add(1, ordering: .releasing)
      ran += 1
    }
  }

  /// Not inlined so that this thread's copy of the job closure is released before `finished`
  /// counts the chunk: `run` checks on return that no copy of its non-escaping body is left.
  @inline(never)
  private func runChunk(_ lo: Int, _ hi: Int) {
    guard lo < hi, let body = job else { return }
    body(lo..<hi)
  }

  /// At most one worker per core besides the caller: spinning workers beyond the cores would
  /// take turns with the caller on them (a loop of 4 ranges at 4 threads on 2 cores then runs
  /// on 2 threads, the caller claiming the ranges that no worker takes; results are the same).
  static let maxWorkers = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount - 1)

  private func ensureWorkers(_ wanted: Int) {
    let want = Swift.min(wanted, Self.maxWorkers)
    guard workerCount < want else { return }
    startLock.lock()
    defer { startLock.unlock() }
    while workerCount < want {
      let t = Thread { [self] in self.workerLoop() }
      t.name = "uboost-worker-\(workerCount + 1)"
      t.start()
      workerCount += 1
    }
  }

  private func workerLoop() {
    var seen = ticket.load(ordering: .acquiring) >> 32
    while true {
      var deadline = DispatchTime.now().uptimeNanoseconds + Self.spinNanoseconds
      var spins = 0
      while ticket.load(ordering: .acquiring) >> 32 == seen {
        uboost_cpu_relax()
        spins &+= 1
        guard spins & 0x3FF == 0, DispatchTime.now().uptimeNanoseconds > deadline else { continue }
        // Sleep. The submitter publishes the ticket, then reads `sleepers`; this thread counts
        // itself in, then re-reads the ticket: one of the two sees the other's write.
        sleepers.add(1, ordering: .sequentiallyConsistent)
        if ticket.load(ordering: .sequentiallyConsistent) >> 32 == seen { wake.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        deadline = DispatchTime.now().uptimeNanoseconds + Self.spinNanoseconds
      }
      seen = ticket.load(ordering: .acquiring) >> 32
      participate(generation: seen)
    }
  }
}
