import CBLAS
import Foundation
import UBoostInterrupt

// MARK: - Threads

/// The engine's thread setting: one number for OpenBLAS and for the engine's own parallel loops.
/// Set from `UBOOST_THREADS` at first use, or by `Parallel.setThreads(_:)` (the CLI's `--threads`).
///
/// Implementation note: OpenBLAS itself is kept at one thread; the engine splits large GEMMs
/// into panels over its own threads (`sgemm`). Two pools (OpenBLAS workers that spin in
/// sched_yield after each call, and the dispatch workers of the engine's loops) otherwise
/// compete for the same cores between every GEMM and the im2col/col2im/elementwise work.
public enum Parallel {
  nonisolated(unsafe) private static var _threads: Int = {
    let env = ProcessInfo.processInfo.environment["UBOOST_THREADS"].flatMap { Int($0) }
    let n = max(1, env ?? ProcessInfo.processInfo.activeProcessorCount)
    openblas_set_num_threads(1)
    _ = AllocatorPolicy.applied
    return n
  }()

  /// Current thread count (>= 1).
  public static var threads: Int { _threads }

  /// Sets the thread count for OpenBLAS and the engine's loops (clamped to >= 1).
  public static func setThreads(_ n: Int) {
    _threads = max(1, min(n, 256))
    openblas_set_num_threads(1)
    WorkerPool.shared.resetContention()
  }

  /// How many of the worker pool's loops ran with the workers and how many on the submitting
  /// thread alone, because the workers were making them slower (`ContentionMonitor`: fewer free
  /// cores than threads).
  public static var poolStatistics: PoolStatistics { WorkerPool.shared.statistics }

  /// Runs `body` over `0..<n` split into contiguous chunks across the threads. `body` gets a
  /// half-open range and must only write to memory owned by that range. Small `n` (below
  /// `grain`) runs inline, and so does a loop started inside another (`WorkerPool`). The
  /// ranges depend only on `n`, `grain`, `perThread` and the thread count, never on which
  /// thread runs them: `min(threads * perThread, n / grain)` of them (rounded up), claimed by
  /// whichever thread is free, so `perThread > 1` evens out threads that run at different speeds.
  public static func forRanges(_ n: Int, grain: Int = 1, perThread: Int = 1, _ body: (Range<Int>) -> Void) {
    guard n > 0 else { return }
    let t = threads
    if t == 1 || n < 2 * max(grain, 1) {
      body(0..<n)
      return
    }
    let chunks = min(t * max(perThread, 1), (n + max(grain, 1) - 1) / max(grain, 1))
    WorkerPool.shared.run(n: n, chunks: chunks, body)
  }

  /// Runs `body(index, array, range)` over fixed pieces of `piece` elements of several arrays
  /// (`counts[j]` elements in array j, each split on its own; the last piece of an array may be
  /// shorter). Pieces are numbered in order, 0 up to the total number of pieces, and spread over
  /// the threads as `forRanges` spreads its indices, so their bounds never depend on the thread
  /// count.
  ///
  /// ```swift
  /// Parallel.forPieces(counts: [100_000, 5], piece: 1 << 16) { _, j, r in clear(j, r) }
  /// ```
  static func forPieces(counts: [Int], piece: Int, _ body: (_ index: Int, _ array: Int, _ range: Range<Int>) -> Void) {
    let piece = max(piece, 1)
    var first = [0]  // first[j]: the index of array j's first piece
    for c in counts { first.append(first[first.count - 1] + pieceCount(c, piece: piece)) }
    forRanges(first[counts.count]) { r in
      var j = 0
      for t in r {
        while first[j + 1] <= t { j += 1 }
        let lo = (t - first[j]) * piece
        body(t, j, lo..<min(lo + piece, counts[j]))
      }
    }
  }

  /// How many of `forPieces`' pieces an array of `count` elements has (its piece indices for
  /// one array run from 0 to this).
  static func pieceCount(_ count: Int, piece: Int) -> Int {
    (max(count, 0) + max(piece, 1) - 1) / max(piece, 1)
  }
}

// MARK: - Interruption

/// The engine's view of the one interrupt token (`InterruptToken`, shared with the language):
/// long engine loops (search steps, training epochs, cells between batches) call `check()`.
public enum EngineInterrupt {
  public static func request() { InterruptToken.request() }
  public static func clear() { InterruptToken.clear() }
  public static var isRequested: Bool { InterruptToken.isRequested }
  /// Throws `TensorError.interrupted` (consuming the request) when one is pending.
  public static func check() throws {
    if InterruptToken.take() {
      if let free = InterruptToken.takeShortage() {
        throw TensorError.memoryShortage(available: free)
      }
      throw TensorError.interrupted
    }
  }
}
