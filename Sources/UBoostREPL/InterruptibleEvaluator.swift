import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - SIGINT

// The handler may only touch these preallocated flags (async-signal-safe).
private let sigintPending: UnsafeMutablePointer<sig_atomic_t> = {
  let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
  p.pointee = 0
  return p
}()
private let sigintBusy: UnsafeMutablePointer<sig_atomic_t> = {
  let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
  p.pointee = 0
  return p
}()
private let sigintExitWhenIdle: UnsafeMutablePointer<sig_atomic_t> = {
  let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
  p.pointee = 0
  return p
}()

/// Catches Ctrl-C (SIGINT) so that it interrupts the running evaluation instead of ending the
/// process.
enum InterruptTrap {
  /// Installs the handler. With `exitWhenIdle`, a Ctrl-C while nothing is evaluated ends the
  /// process with status 130 (used when reading piped input, where there is no prompt to
  /// return to).
  static func install(exitWhenIdle: Bool) {
    sigintPending.pointee = 0
    sigintBusy.pointee = 0
    sigintExitWhenIdle.pointee = exitWhenIdle ? 1 : 0
    signal(SIGINT) { _ in
      if sigintBusy.pointee == 0, sigintExitWhenIdle.pointee != 0 { _exit(130) }
      sigintPending.pointee = 1
    }
  }

  /// Restores the default action.
  static func uninstall() { signal(SIGINT, SIG_DFL) }

  /// True (once) when Ctrl-C was pressed since the last call.
  static func takePending() -> Bool {
    guard sigintPending.pointee != 0 else { return false }
    sigintPending.pointee = 0
    return true
  }

  static func setBusy(_ busy: Bool) {
    if busy { sigintPending.pointee = 0 }
    sigintBusy.pointee = busy ? 1 : 0
  }
}

// MARK: - Evaluation on a worker thread

/// Runs evaluations on a worker thread with a large stack while the calling thread watches
/// for Ctrl-C and forwards it to the backend (``REPLBackend/requestInterrupt()``).
final class InterruptibleEvaluator {
  /// Stack of the worker thread: deep recursion in user programs needs more than 8 MB.
  let stackSize: Int

  init(stackSize: Int = 512 << 20) {
    self.stackSize = stackSize
  }

  private final class Box<T>: @unchecked Sendable {
    var value: T?
  }

  /// Runs `body`, calling `onInterrupt` (on this thread) each time Ctrl-C arrives meanwhile.
  /// Returns nil only if the worker thread could not report a result.
  func run<T>(_ body: @escaping () -> T, onInterrupt: @escaping () -> Void) -> T? {
    let box = Box<T>()
    let done = DispatchSemaphore(value: 0)
    let work: @Sendable () -> Void = { [box] in
      box.value = body()
      done.signal()
    }
    InterruptTrap.setBusy(true)
    defer { InterruptTrap.setBusy(false) }
    let thread = Thread(block: work)
    thread.stackSize = stackSize
    thread.start()
    while done.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
      if InterruptTrap.takePending() { onInterrupt() }
    }
    return box.value
  }
}
