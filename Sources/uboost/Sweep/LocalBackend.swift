import Foundation
import UBoostLang
#if canImport(Glibc)
import Glibc
#endif

// MARK: - --backend local: a process pool on this machine

/// Runs up to `jobs` `uboost sweep-task` processes at once, each with `threads` engine threads.
struct LocalBackend: SweepBackend {
  let file: String
  let executable: String
  let jobs: Int
  let threads: Int

  func run(_ tasks: [SweepTask], progress: SweepProgress) throws -> Bool {
    var queue = tasks[...]
    var running: [(SweepTask, Spawned)] = []
    var done = 0, failed = 0
    defer { progress.finish() }
    while !queue.isEmpty || !running.isEmpty {
      if Interrupt.isRequested {
        for (_, p) in running { p.send(SIGTERM) }
        for (_, p) in running { p.stop(graceSeconds: 10) }
        return false
      }
      while running.count < jobs, let task = queue.popFirst() {
        let p = try Spawned(executable, task.arguments(file: file, threads: threads),
                            stdout: task.directory + "/task.log", stderr: task.directory + "/task.log.err")
        running.append((task, p))
      }
      var still: [(SweepTask, Spawned)] = []
      for (task, p) in running {
        guard let ending = p.poll() else { still.append((task, p)); continue }
        if task.finishedRecord == nil, ending == .exited(130) { continue }   // interrupted: stays pending
        let record = task.finishedRecord ?? Self.lostRecord(task, ending: ending)
        if record.status == .ok { done += 1 } else { failed += 1 }
      }
      running = still
      progress.update(done: done, failed: failed, running: running.count)
      usleep(100_000)
    }
    return true
  }

  /// The record of a task whose `sweep-task` process died before writing one.
  static func lostRecord(_ task: SweepTask, ending: Spawned.Ending) -> RunRecord {
    let tail = RunRecord.tail(ofFile: task.directory + "/task.log.err")
    let r = RunRecord(id: task.config.id, config: (try? Value.parseJSON(task.config.json)) ?? .nil_, status: .failed,
                      outputs: .nil_, seconds: 0, exitStatus: Int(ending.code),
                      signal: { if case .signaled(let s) = ending { return Int(s) } else { return nil } }(),
                      attempts: task.previousAttempts + 1, host: RunRecord.hostName(),
                      error: "the sweep-task process ended (status \(ending.code)) without a result", stderrTail: tail)
    try? r.write(inDirectory: task.directory)
    return r
  }
}
