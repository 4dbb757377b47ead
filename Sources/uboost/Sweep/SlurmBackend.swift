import Foundation
import UBoostLang
#if canImport(Glibc)
import Glibc
#endif

// MARK: - --backend slurm: one job array

/// Submits the tasks as one `sbatch --array=0-(n-1)` job whose script (`DIR/slurm/sweep.sbatch`)
/// picks line `SLURM_ARRAY_TASK_ID` of `DIR/slurm/params.txt` and runs `uboost sweep-task` for
/// it; follows it with `squeue` (and `sacct` when accounting is on), cancels it with `scancel` on
/// Ctrl-C. DIR must be on a filesystem every node shares.
struct SlurmBackend: SweepBackend {
  struct Resources {
    var cpusPerTask: Int
    var mem: String?
    var time: String?
    var partition: String?
    /// At most this many tasks at once (`--array=...%N`), nil for no limit.
    var throttle: Int?
  }

  let file: String
  let directory: String
  let executable: String
  let threads: Int
  let resources: Resources
  /// Seconds between two `squeue` polls.
  var pollSeconds: Double = 2

  var slurmDir: String { directory + "/slurm" }

  func run(_ tasks: [SweepTask], progress: SweepProgress) throws -> Bool {
    let fm = FileManager.default
    try fm.createDirectory(atPath: slurmDir + "/logs", withIntermediateDirectories: true)
    let params = tasks.map { "\($0.config.id)\t\($0.config.json)" }.joined(separator: "\n") + "\n"
    try AtomicWrite.write(params, to: slurmDir + "/params.txt")
    try AtomicWrite.write(script(), to: slurmDir + "/sweep.sbatch")
    chmod(slurmDir + "/sweep.sbatch", 0o755)

    var array = "0-\(tasks.count - 1)"
    if let n = resources.throttle { array += "%\(n)" }
    let submit = try Command.run("sbatch", ["--parsable", "--array=\(array)", slurmDir + "/sweep.sbatch"])
    guard submit.status == 0 else {
      throw SweepError("sbatch failed (status \(submit.status)): \(submit.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    let job = String(submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "")
    guard !job.isEmpty, job.allSatisfy(\.isNumber) else { throw SweepError("sbatch printed no job id: '\(submit.stdout)'") }
    try? (job + "\n").appendLine(to: slurmDir + "/jobs.txt")
    printError("sweep: submitted Slurm job array \(job) (\(tasks.count) tasks, script \(slurmDir)/sweep.sbatch)")
    defer { progress.finish() }

    var squeueFailures = 0
    while true {
      if Interrupt.isRequested {
        printError("\nsweep: interrupted; cancelling job \(job) (scancel)")
        _ = try? Command.run("scancel", [job])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, let q = try? queueStates(job), !q.isEmpty { usleep(500_000) }
        return false
      }
      let states: [String: String]
      do {
        states = try queueStates(job)
        squeueFailures = 0
      } catch {
        squeueFailures += 1
        if squeueFailures >= 5 { throw SweepError("squeue keeps failing: \(error)") }
        usleep(UInt32(pollSeconds * 1_000_000))
        continue
      }
      var done = 0, failed = 0
      for t in tasks {
        if let r = t.finishedRecord { if r.status == .ok { done += 1 } else { failed += 1 } }
      }
      let running = states.values.filter { $0 == "RUNNING" || $0 == "COMPLETING" }.count
      progress.update(done: done, failed: failed, running: running)
      if states.isEmpty { break }
      usleep(UInt32(pollSeconds * 1_000_000))
    }
    // Tasks that ended without a record (killed by Slurm: time limit, memory, node failure).
    let accounting = (try? accountingStates(job)) ?? [:]
    for (i, t) in tasks.enumerated() where t.finishedRecord == nil {
      let state = accounting["\(job)_\(i)"]
      let log = "\(slurmDir)/logs/\(job)_\(i).out"
      let r = RunRecord(id: t.config.id, config: (try? Value.parseJSON(t.config.json)) ?? .nil_, status: .failed, outputs: .nil_,
                        seconds: 0, exitStatus: -1, signal: nil, attempts: t.previousAttempts + 1, host: "",
                        error: "Slurm task \(job)_\(i) ended without a result" + (state.map { " (state \($0))" } ?? "") + "; its log: \(log)",
                        stderrTail: RunRecord.tail(ofFile: log))
      try r.write(inDirectory: t.directory)
    }
    return true
  }

  /// The job script: resources in `#SBATCH` lines, one task per params line.
  func script() -> String {
    var s = "#!/bin/bash\n# Written by `uboost sweep --backend slurm`: one array task per line of params.txt.\n"
    s += "#SBATCH --job-name=uboost-sweep\n"
    s += "#SBATCH --output=\(slurmDir)/logs/%A_%a.out\n"
    s += "#SBATCH --chdir=\(FileManager.default.currentDirectoryPath)\n"
    s += "#SBATCH --cpus-per-task=\(resources.cpusPerTask)\n"
    s += "#SBATCH --ntasks=1\n"
    if let m = resources.mem { s += "#SBATCH --mem=\(m)\n" }
    if let t = resources.time { s += "#SBATCH --time=\(t)\n" }
    if let p = resources.partition { s += "#SBATCH --partition=\(p)\n" }
    s += """
      set -euo pipefail
      line="$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" \(Self.quote(slurmDir + "/params.txt")))"
      id="${line%%$'\\t'*}"
      config="${line#*$'\\t'}"
      [ -n "$id" ] || { echo "no params line $SLURM_ARRAY_TASK_ID" >&2; exit 2; }
      exec \(Self.quote(executable)) sweep-task \(Self.quote(file)) --id "$id" --out \(Self.quote(directory + "/runs"))/"$id" --config "$config" --threads \(threads)

      """
    return s
  }

  /// `JOB_INDEX -> state` of the job's tasks still in the queue (empty once all ended).
  func queueStates(_ job: String) throws -> [String: String] {
    let r = try Command.run("squeue", ["-h", "-r", "-j", job, "-o", "%i %T"])
    if r.status != 0 {
      // squeue forgets a finished job after MinJobAge and then calls its id invalid.
      if r.stderr.contains("Invalid job id") { return [:] }
      throw SweepError("squeue failed (status \(r.status)): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    var out: [String: String] = [:]
    for line in r.stdout.split(separator: "\n") {
      let parts = line.split(separator: " ")
      if parts.count >= 2 { out[String(parts[0])] = String(parts[1]) }
    }
    return out
  }

  /// `JOB_INDEX -> state` from `sacct`, or empty where accounting is off.
  func accountingStates(_ job: String) throws -> [String: String] {
    let r = try Command.run("sacct", ["-n", "-P", "-X", "-j", job, "-o", "JobID,State"])
    guard r.status == 0 else { return [:] }
    var out: [String: String] = [:]
    for line in r.stdout.split(separator: "\n") {
      let parts = line.split(separator: "|")
      if parts.count >= 2 { out[String(parts[0])] = String(parts[1]) }
    }
    return out
  }

  /// Single-quoted for bash.
  static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

// MARK: - Running a scheduler command

enum Command {
  struct Result { var status: Int32; var stdout: String; var stderr: String }

  /// Runs a program found on PATH to completion (stdin /dev/null, outputs through temporary
  /// files), stopping it after `timeout` seconds.
  static func run(_ program: String, _ arguments: [String], timeout: Double = 60) throws -> Result {
    let base = NSTemporaryDirectory() + "/uboost-cmd-\(getpid())-\(UUID().uuidString)"
    defer { unlink(base + ".out"); unlink(base + ".err") }
    let p = try Spawned("/usr/bin/env", [program] + arguments, stdout: base + ".out", stderr: base + ".err")
    let deadline = Date().addingTimeInterval(timeout)
    while p.poll() == nil {
      if Date() > deadline {
        p.stop(graceSeconds: 2)
        throw SweepError("\(program) did not answer within \(Int(timeout)) s")
      }
      usleep(20_000)
    }
    let status = p.poll()?.code ?? 255
    if status == 127 { throw SweepError("\(program) not found on PATH (is Slurm installed? scripts/slurm-local up starts a local one)") }
    return Result(status: status, stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
                  stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
  }
}

extension String {
  /// Appends this text to a file, creating it when needed.
  func appendLine(to path: String) throws {
    if let h = FileHandle(forWritingAtPath: path) {
      defer { try? h.close() }
      try h.seekToEnd()
      try h.write(contentsOf: Data(utf8))
    } else if !FileManager.default.createFile(atPath: path, contents: Data(utf8)) {
      throw SweepError("cannot write '\(path)'")
    }
  }
}
