import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Running a child process and reading its peak memory

/// Runs a program to completion with posix_spawn and `wait4`, which reports that child's own
/// peak resident set size (getrusage of all children would mix runs together).
enum ChildProcess {
  struct Outcome {
    var status: Int32
    var stdout: String
    var peakRSSMB: Double
  }

  static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
    var pipe: [Int32] = [0, 0]
    guard Glibc.pipe(&pipe) == 0 else { throw ChildProcessError("pipe failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
    posix_spawn_file_actions_addclose(&actions, pipe[0])
    let devnull = open("/dev/null", O_WRONLY)
    if devnull >= 0 { posix_spawn_file_actions_adddup2(&actions, devnull, 2) }

    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
    close(pipe[1])
    if devnull >= 0 { close(devnull) }
    guard rc == 0 else { close(pipe[0]); throw ChildProcessError("cannot start \(executable) (error \(rc))") }
    var data = Data()
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = read(pipe[0], &buf, buf.count)
      if n <= 0 { break }
      data.append(contentsOf: buf[0..<n])
    }
    close(pipe[0])
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    let exited = (status & 0x7f) == 0
    let code: Int32 = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return Outcome(status: code, stdout: String(decoding: data, as: UTF8.self), peakRSSMB: Double(usage.ru_maxrss) / 1024)
  }
}

struct ChildProcessError: Error, CustomStringConvertible {
  let description: String
  init(_ d: String) { description = d }
}
