import ArgumentParser
import Foundation
import UBoostBuiltins
import UBoostLang
import UBoostPlot
#if canImport(Glibc)
import Glibc
#endif

// MARK: - uboost sweep FILE -o DIR

/// Runs every configuration a script's `sweep(configs, run)` declares, each in its own `uboost`
/// process, locally or as a Slurm job array, then gathers `DIR/sweep.json` and a report.
/// Re-running the same command resumes: finished configurations are skipped, failed ones are
/// run once more, changed ones (new ids) run.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run a script's sweep(configs, run): each configuration in its own process, locally or on Slurm.",
    discussion: """
      Writes DIR/runs/<id>/result.json per configuration (id: a hash of the configuration), then
      DIR/sweep.json, DIR/report.md and DIR/pareto.svg. Re-running resumes: finished configurations
      are skipped, failed ones retried once (--retry-failed: again), changed ones get new ids.
      --backend slurm submits one job array (DIR/slurm/sweep.sbatch, DIR/slurm/params.txt); DIR must
      be on a filesystem shared by the nodes. See docs/sweeps.md.
      """)

  enum Backend: String, ExpressibleByArgument, CaseIterable {
    case local
    case slurm
  }

  enum Better: String, ExpressibleByArgument, CaseIterable {
    case min
    case max
    var objective: Objective { self == .min ? .minimize : .maximize }
  }

  @ArgumentParser.Argument(help: "The sweep script (it calls sweep(configs, run)).")
  var file: String

  @Option(name: .shortAndLong, help: "Output directory (created; on Slurm a shared filesystem).")
  var output: String

  @Option(name: .long, help: "Where the configurations run: local (a process pool) or slurm (a job array).")
  var backend: Backend = .local

  @Option(name: .long, help: "Configurations at once (local: default = the core count; slurm: array throttle, default none).")
  var jobs: Int?

  @Option(name: .long, help: "Engine threads per configuration (local: cores / jobs; slurm: --cpus-per-task).")
  var threads: Int?

  @Option(name: .long, help: "Slurm: CPUs per task.")
  var cpusPerTask: Int = 1

  @Option(name: .long, help: "Slurm: memory per task (sbatch --mem, e.g. 4G).")
  var mem: String?

  @Option(name: .long, help: "Slurm: time limit per task (sbatch --time, e.g. 2:00:00).")
  var time: String?

  @Option(name: .long, help: "Slurm: partition.")
  var partition: String?

  @Option(name: .long, help: "The uboost binary the tasks run (default: this one; on a cluster it must exist on every node).")
  var uboost: String?

  @Option(name: .long, help: "Result field on the Pareto plot's x axis (default: sweep(x:) of the script, else the first numeric field).")
  var x: String?

  @Option(name: .long, help: "Result field on the y axis (default: sweep(y:), else the second numeric field).")
  var y: String?

  @Option(name: .long, help: "Better direction along x: min or max (default: sweep(x_better:), min).")
  var xBetter: Better?

  @Option(name: .long, help: "Better direction along y: min or max (default: sweep(y_better:), max).")
  var yBetter: Better?

  @Flag(name: .long, help: "Also run configurations that already failed twice.")
  var retryFailed = false

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    if cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
  }

  func run() throws {
    let fm = FileManager.default
    let script = URL(fileURLWithPath: file).standardizedFileURL.path
    let dir = URL(fileURLWithPath: output).standardizedFileURL.path
    let plan: SweepPlan
    do { plan = try SweepPlan(file: script, showProgress: false) } catch let e as SweepError {
      printError(e.description)
      throw ExitCode(1)
    }
    let runs = dir + "/runs"
    try fm.createDirectory(atPath: runs, withIntermediateDirectories: true)

    // Resume: which configurations run now.
    var tasks: [SweepTask] = []
    var finished = 0, gaveUp = 0
    for c in plan.declaration.configs {
      let d = runs + "/" + c.id
      let previous = RunRecord.read(inDirectory: d)
      switch previous?.status {
      case .ok?: finished += 1; continue
      case .failed? where (previous?.attempts ?? 0) >= 2 && !retryFailed: gaveUp += 1; continue
      case .failed?, nil: break
      }
      try fm.createDirectory(atPath: d, withIntermediateDirectories: true)
      try AtomicWrite.write(c.json + "\n", to: d + "/config.json")
      tasks.append(SweepTask(config: c, directory: d, previousAttempts: previous?.attempts ?? 0))
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let exe = uboost ?? Spawned.selfExecutable()
    let sweepBackend: SweepBackend
    switch backend {
    case .local:
      let jobs = self.jobs ?? max(1, min(cores, tasks.count))
      let threads = self.threads ?? max(1, cores / jobs)
      sweepBackend = LocalBackend(file: script, executable: exe, jobs: jobs, threads: threads)
      printError("sweep: \(plan.declaration.configs.count) configurations: \(finished) finished, \(gaveUp) failed twice (skipped), \(tasks.count) to run (local, \(jobs) at a time, \(threads) thread(s) each)")
    case .slurm:
      let res = SlurmBackend.Resources(cpusPerTask: cpusPerTask, mem: mem, time: time, partition: partition, throttle: jobs)
      sweepBackend = SlurmBackend(file: script, directory: dir, executable: exe, threads: threads ?? cpusPerTask, resources: res)
      printError("sweep: \(plan.declaration.configs.count) configurations: \(finished) finished, \(gaveUp) failed twice (skipped), \(tasks.count) to run (Slurm job array)")
    }
    if gaveUp > 0 { printError("sweep: --retry-failed runs the configurations that failed twice again") }

    var completed = true
    if !tasks.isEmpty {
      // Ctrl-C (or a SIGTERM from a batch system) stops the running configurations, which stay
      // pending; a second Ctrl-C exits at once.
      signal(SIGINT) { _ in
        if Interrupt.isRequested { _exit(130) }
        Builtins.requestInterrupt()
      }
      signal(SIGTERM) { _ in Builtins.requestInterrupt() }
      do {
        completed = try sweepBackend.run(tasks, progress: SweepProgress(total: tasks.count))
      } catch let e as SweepError {
        printError("sweep: \(e.description)")
        throw ExitCode(1)
      }
    }

    let report = SweepReport(file: file, configs: plan.declaration.configs, runsDirectory: runs)
    let declared = plan.declaration.pareto
    let axes = SweepReport.Axes(x: x ?? declared.x, y: y ?? declared.y,
                                xBetter: xBetter?.objective ?? (declared.xMinimized ? .minimize : .maximize),
                                yBetter: yBetter?.objective ?? (declared.yMinimized ? .minimize : .maximize))
    try report.write(to: dir, axes: axes)
    let (ok, failed, pending) = report.counts
    printOut("\(dir)/sweep.json: \(ok) ok, \(failed) failed, \(pending) pending (report: \(dir)/report.md)\n")
    if !completed { throw ExitCode(130) }
    if failed > 0 || pending > 0 { throw ExitCode(1) }
  }
}
