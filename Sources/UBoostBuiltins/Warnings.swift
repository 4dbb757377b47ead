import Foundation
import UBoostHardware

// MARK: - Warnings

/// Warnings from the engine (e.g. the reference smooth ceiling saturating past 300), one
/// collector per interpreter (`interpreter.engine.warnings`). They go to standard error as
/// `warning: ...`, each distinct message once per interpreter, so they never mix with a
/// script's printed output; `sink` redirects them (tests, notebooks).
///
/// ```swift
/// interp.engine.warnings.sink = { collected.append($0) }
/// ```
public final class Warnings: @unchecked Sendable {
  private let lock = NSLock()
  private var seen = Set<String>()
  private var _sink: (String) -> Void = { message in
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
  }

  init() {}

  /// Receives each distinct warning once; defaults to standard error.
  public var sink: (String) -> Void {
    get { lock.lock(); defer { lock.unlock() }; return _sink }
    set { lock.lock(); _sink = newValue; lock.unlock() }
  }

  /// Reports `message` unless this collector reported it before.
  public func emit(_ message: String) {
    lock.lock()
    let fresh = seen.insert(message).inserted
    let sink = _sink
    lock.unlock()
    if fresh { sink(message) }
  }

  /// The handler the hardware models call (hardware objects keep it: their warnings reach the
  /// interpreter that made them).
  var hardware: WarningHandler { { [self] w in emit(w.description) } }
}
