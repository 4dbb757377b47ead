import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - A child process started without waiting for it

/// A started child process whose output goes to files; poll it with `poll()`.
///
/// ```swift
/// let p = try Spawned(Spawned.selfExecutable(), ["--version"], stdout: "out.log", stderr: "err.log")
/// while p.poll() == nil { usleep(100_000) }
/// ```
final class Spawned {
  /// How a child ended.
  enum Ending: Equatable {
    case exited(Int32)
    case signaled(Int32)

    /// The shell's `$?` form: the exit status, or 128 + signal.
    var code: Int32 {
      switch self {
      case .exited(let c): return c
      case .signaled(let s): return 128 + s
      }
    }
  }

  let pid: pid_t
  private(set) var ending: Ending?

  /// Starts `executable` with `arguments`, stdin from /dev/null, stdout and stderr appended to
  /// (or truncating) the given files, in `directory` (default: this process's).
  init(_ executable: String, _ arguments: [String], stdout: String, stderr: String, environment: [String: String] = [:]) throws {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
    var child: pid_t = 0
    let rc = posix_spawn(&child, executable, &actions, nil, argv, envp)
    guard rc == 0 else { throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(rc)))") }
    pid = child
  }

  /// The ending once the child has ended (reaps it), nil while it runs.
  @discardableResult
  func poll() -> Ending? {
    if let ending { return ending }
    var status: Int32 = 0
    let r = waitpid(pid, &status, WNOHANG)
    guard r == pid else {
      if r < 0 && errno == ECHILD { ending = .exited(255) }   // reaped elsewhere: should not happen
      return ending
    }
    ending = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    return ending
  }

  /// Sends `signal` if the child still runs.
  func send(_ signal: Int32) {
    if poll() == nil { kill(pid, signal) }
  }

  /// Waits up to `seconds` for the child to end, then kills it.
  func stop(graceSeconds seconds: Double) {
    send(SIGTERM)
    let deadline = Date().addingTimeInterval(seconds)
    while poll() == nil && Date() < deadline { usleep(50_000) }
    if poll() == nil {
      kill(pid, SIGKILL)
      while poll() == nil { usleep(20_000) }
    }
  }

  /// The absolute path of the running `uboost` binary.
  static func selfExecutable() -> String {
    if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
    return URL(fileURLWithPath: CommandLine.arguments.first ?? "uboost").resolvingSymlinksInPath().path
  }
}
