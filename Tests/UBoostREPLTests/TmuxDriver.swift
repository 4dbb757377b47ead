import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program in a detached tmux session on a private server socket, types keys into it
/// and reads the screen: a real pseudo-terminal for testing the line editor end to end.
///
/// ```swift
/// let tmux = try TmuxDriver(command: [binary], environment: ["UBOOST_HISTORY": path])
/// try tmux.waitFor("uboost>")
/// tmux.type("print(1)"); tmux.keys("Enter")
/// ```
final class TmuxDriver {
  enum Failure: Error, CustomStringConvertible {
    case tmuxFailed(String)
    case timeout(waitingFor: String, screen: String)

    var description: String {
      switch self {
      case let .tmuxFailed(message): return "tmux failed: \(message)"
      case let .timeout(text, screen): return "timed out waiting for \(text.debugDescription); screen:\n\(screen)"
      }
    }
  }

  /// The tmux executable, or nil when it is not installed.
  static let executable: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

  private let tmux: String
  private let socket = "uboost-test-\(UUID().uuidString.prefix(8))"
  private let session = "t"

  /// Starts `command` in a 100x30 terminal. When it ends, the pane shows `[exit STATUS]`.
  init(command: [String], environment: [String: String] = [:]) throws {
    guard let tmux = Self.executable else { throw Failure.tmuxFailed("not installed") }
    self.tmux = tmux
    let env = environment.map { "\($0.key)=\(Self.quote($0.value))" }.sorted().joined(separator: " ")
    let cmd = command.map(Self.quote).joined(separator: " ")
    let shell = "env \(env) \(cmd); echo \"[exit $?]\"; sleep 600"
    try run(["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", shell])
  }

  deinit { close() }

  /// Ends the tmux server (and the program in it).
  func close() {
    _ = try? run(["kill-server"])
  }

  // MARK: Keys

  /// Types `text` literally.
  func type(_ text: String) {
    _ = try? run(["send-keys", "-t", session, "-l", text])
  }

  /// Sends tmux key names (`Enter`, `Left`, `Up`, `Tab`, `C-c`, `C-r`, `C-d`, `BSpace`, ...).
  func keys(_ names: String...) {
    _ = try? run(["send-keys", "-t", session] + names)
  }

  // MARK: Screen

  /// The visible screen, trailing blank lines removed (tmux also drops trailing spaces, so an
  /// empty prompt `uboost> ` reads `uboost>`).
  func screen() -> String {
    let text = (try? run(["capture-pane", "-p", "-t", session])) ?? ""
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
    return lines.joined(separator: "\n")
  }

  /// Waits until the screen satisfies `condition`, and returns it.
  @discardableResult
  func wait(_ what: String, timeout: TimeInterval = 10,
            until condition: (String) -> Bool) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      let current = screen()
      if condition(current) { return current }
      if Date() > deadline { throw Failure.timeout(waitingFor: what, screen: current) }
      usleep(50_000)
    }
  }

  /// Waits until `text` appears on the screen `count` times.
  @discardableResult
  func waitFor(_ text: String, count: Int = 1, timeout: TimeInterval = 10) throws -> String {
    try wait(text, timeout: timeout) { $0.components(separatedBy: text).count - 1 >= count }
  }

  /// The last non-blank line of the screen.
  func lastLine() -> String {
    screen().split(separator: "\n").last.map(String.init) ?? ""
  }

  // MARK: Running tmux

  // Foundation's Process notices a child's exit through an inherited descriptor, which the
  // tmux server (forked by the client) keeps open, so waiting would hang: spawn directly and
  // wait with waitpid, sending output to a file.
  @discardableResult
  private func run(_ arguments: [String]) throws -> String {
    let outputPath = NSTemporaryDirectory() + "tmux-out-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([tmux, "-L", socket] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, tmux, &actions, nil, argv, environ)
    guard spawned == 0 else { throw Failure.tmuxFailed("cannot start tmux (\(spawned))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let exited = (status & 0x7f) == 0
    let code = (status >> 8) & 0xff
    guard (exited && code == 0) || arguments.first == "kill-server" else {
      throw Failure.tmuxFailed(arguments.joined(separator: " "))
    }
    return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
  }

  private static func quote(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
