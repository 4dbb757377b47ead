import Synchronization

// MARK: - The one interrupt token

/// The process's single request to stop the running evaluation (Ctrl-C, a sweep's SIGTERM).
///
/// A signal handler sets it; the language (between statements, loop iterations and calls) and
/// the engine (between search steps, training batches and cells) poll it, and whoever sees it
/// first consumes it with `take()` and throws its layer's `interrupted` error. It is one lock-free
/// atomic flag, so `request()` is async-signal-safe; hosts touch the token (e.g. `clear()`)
/// before installing a handler, so its lazy initialisation never runs inside one.
///
/// ```swift
/// InterruptToken.clear()
/// signal(SIGINT) { _ in InterruptToken.request() }
/// // ... in a long loop:
/// if InterruptToken.take() { throw MyError.interrupted }
/// ```
public enum InterruptToken {
  // Inlinable so the interpreter's per-iteration poll stays a plain load, as when the flag
  // lived in UBoostLang itself.
  @usableFromInline static let flag = Atomic<Bool>(false)

  /// Asks the running evaluation to stop. Safe from any thread and from a signal handler.
  @inlinable public static func request() { flag.store(true, ordering: .relaxed) }
  /// Withdraws a pending request.
  @inlinable public static func clear() { flag.store(false, ordering: .relaxed) }
  /// Whether a request is pending (does not consume it).
  @inlinable public static var isRequested: Bool { flag.load(ordering: .relaxed) }
  /// Consumes a pending request: true exactly once per request.
  @inlinable public static func take() -> Bool {
    // The plain load keeps the common (no request) case free of read-modify-write traffic.
    flag.load(ordering: .relaxed) && flag.exchange(false, ordering: .relaxed)
  }

  // MARK: - Memory shortage as the reason

  /// Free memory (bytes) when a memory watchdog last asked to stop; 0 when none did.
  @usableFromInline static let shortage = Atomic<Int>(0)

  /// Asks the running evaluation to stop because the process is about to run out of memory
  /// (`available` bytes left): a script that keeps growing its data then gets an error instead
  /// of the allocator's fatal error. Whoever `take()`s the request then asks `takeShortage()`.
  public static func requestForMemory(available: Int) {
    shortage.store(max(1, available), ordering: .relaxed)
    flag.store(true, ordering: .relaxed)
  }
  /// The free bytes of a pending memory-shortage stop (consuming it), or nil for a plain stop.
  public static func takeShortage() -> Int? {
    let v = shortage.exchange(0, ordering: .relaxed)
    return v > 0 ? v : nil
  }
}
