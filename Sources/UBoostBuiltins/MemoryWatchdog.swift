import Foundation
import UBoostInterrupt
import UBoostTensor

// MARK: - Memory watchdog

/// Turns "the script's data grew until the allocator failed" into an error.
///
/// Tensors and supernets check their size before allocating (`MemoryBudget.check`), but a
/// script can also exhaust memory through millions of small values (a list, a closure chain),
/// and a failed small allocation is a fatal error in Swift. One background thread per process
/// polls `MemoryBudget.availableBytesExcludingCache()` (the lesser of MemAvailable and the
/// address-space limit's remainder; a cgroup's usage counts reclaimable page cache) every 50 ms; when less than `reserve` is left it asks the
/// running evaluation to stop through the one interrupt token, with memory as the reason, at
/// most once a second while memory stays short. The language then throws a positioned
/// `limit error: out of memory ...` from the statement that was running, and the engine an
/// out-of-memory `TensorError`.
///
/// It watches the process, not one interpreter (memory is the machine's, like the thread count),
/// so it is started once, by the first `Builtins.install`.
///
/// ```swift
/// MemoryWatchdog.start()   // idempotent
/// ```
public enum MemoryWatchdog {
  /// Stop when less than this many bytes are left.
  public static let reserve = 256 << 20

  private static let started: Void = {
    let t = Thread {
      var lastFired = Date.distantPast
      while true {
        Thread.sleep(forTimeInterval: 0.05)
        guard let avail = MemoryBudget.availableBytesExcludingCache(), avail < reserve else { continue }
        if Date().timeIntervalSince(lastFired) >= 1 {
          InterruptToken.requestForMemory(available: avail)
          lastFired = Date()
        }
      }
    }
    t.name = "uboost-memory-watchdog"
    t.stackSize = 1 << 18
    t.start()
  }()

  /// Starts the watchdog thread (once per process).
  public static func start() { _ = started }
}
