import Foundation
import UBoostBuiltins

// MARK: - What a backend runs

/// One configuration to run, in its directory `DIR/runs/<id>`.
struct SweepTask {
  let config: SweepConfig
  let directory: String
  /// `attempts` of the record already there (0 for a new configuration): the task is finished
  /// when a record with more attempts appears.
  let previousAttempts: Int

  /// Whether this run of the task has written its record (ok or failed).
  var finishedRecord: RunRecord? {
    guard let r = RunRecord.read(inDirectory: directory), r.attempts > previousAttempts else { return nil }
    return r
  }

  /// The `uboost sweep-task ...` arguments after the binary.
  func arguments(file: String, threads: Int) -> [String] {
    ["sweep-task", file, "--id", config.id, "--out", directory, "--config", config.json, "--threads", String(threads)]
  }
}

/// Runs sweep tasks: the local process pool or a Slurm job array. Both start `uboost sweep-task`
/// for each configuration and return once every task ended or the user interrupted.
protocol SweepBackend {
  /// Runs `tasks`; returns false when interrupted (Ctrl-C) before they all ended.
  func run(_ tasks: [SweepTask], progress: SweepProgress) throws -> Bool
}
