import Foundation
import UBoostHardware

// MARK: - Warnings

/// Warnings from the engine (e.g. the reference smooth ceiling saturating past 300). They go to
/// standard error as `warning: ...`, each distinct message once per process, so they never mix
/// with a script's printed output. `Warnings.sink` redirects them (tests, notebooks).
public enum Warnings {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var seen = Set<String>()
  /// Receives each distinct warning once; defaults to standard error.
  nonisolated(unsafe) public static var sink: (String) -> Void = { message in
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
  }

  /// Reports `message` unless it was reported before.
  public static func emit(_ message: String) {
    lock.lock()
    let fresh = seen.insert(message).inserted
    lock.unlock()
    if fresh { sink(message) }
  }

  /// The handler the hardware models call.
  static let hardware: WarningHandler = { w in emit(w.description) }
}
