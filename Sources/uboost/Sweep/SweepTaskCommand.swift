import ArgumentParser
import Foundation
import UBoostBuiltins
import UBoostLang
#if canImport(Glibc)
import Glibc
#endif

// MARK: - uboost sweep-task FILE --id ID --out DIR/runs/ID (hidden)

/// One configuration of a sweep, the command both backends run (the local pool directly, Slurm
/// from the job array's script). It supervises a second `uboost` process, the worker, which
/// evaluates the script and calls `run(config)`; whatever happens to the worker (an error, a
/// crash, OOM, a kill), the supervisor writes `result.json` with the exit status and the tail of
/// its stderr. A supervisor that is itself stopped (Ctrl-C, scancel) writes nothing, so the
/// configuration stays pending for the next run of the sweep.
struct SweepTaskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep-task",
    abstract: "Run one configuration of a sweep (started by `uboost sweep`).",
    shouldDisplay: false)

  @ArgumentParser.Argument(help: "The sweep script.")
  var file: String

  @Option(name: .long, help: "The configuration's id.")
  var id: String

  @Option(name: .long, help: "The configuration's directory (DIR/runs/ID).")
  var out: String

  @Option(name: .long, help: "The configuration's canonical JSON (recorded in result.json).")
  var config: String?

  @Flag(name: .long, help: "Be the worker: evaluate the script and call run(config) in this process.")
  var worker = false

  @OptionGroup var engine: EngineOptions

  static let outputsFile = "outputs.json"
  static let workerPIDFile = "worker.pid"
  /// The first line of the worker's error, for result.json.
  static let errorFile = "error.txt"

  func run() throws {
    try engine.apply()
    if worker { try runWorker() } else { try supervise() }
  }

  // MARK: Worker

  private func runWorker() throws {
    // Search and training progress goes to the configuration's stderr.log (log lines: not a tty).
    let plan: SweepPlan
    let config: SweepConfig
    do {
      plan = try SweepPlan(file: file)
      config = try plan.config(id: id)
    } catch let e as SweepError {
      printError(e.description)
      try? AtomicWrite.write((e.description.split(separator: "\n").first.map(String.init) ?? "") + "\n", to: out + "/" + Self.errorFile)
      throw ExitCode(2)
    }
    plan.session.installSignalHandler()
    Builtins.clearInterrupt()
    do {
      let outputs = try SweepHost.outputs(of: try plan.session.interpreter.call(plan.declaration.run, [config.value]))
      try AtomicWrite.write(try outputs.jsonText() + "\n", to: out + "/" + Self.outputsFile)
    } catch let e as LangError {
      printError(e.description)
      let headline = e.description.split(separator: "\n").first.map(String.init) ?? e.message
      try? AtomicWrite.write(headline + "\n", to: out + "/" + Self.errorFile)
      throw ExitCode(e.kind == .interrupted ? 130 : 1)
    }
  }

  // MARK: Supervisor

  private func supervise() throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
    let previous = RunRecord.read(inDirectory: out)
    unlink(out + "/" + Self.outputsFile)
    unlink(out + "/" + Self.errorFile)
    signal(SIGINT) { _ in Builtins.requestInterrupt() }
    signal(SIGTERM) { _ in Builtins.requestInterrupt() }

    var args = ["sweep-task", file, "--id", id, "--out", out, "--worker"]
    if let t = engine.threads { args += ["--threads", String(t)] }
    let start = Date()
    let child = try Spawned(Spawned.selfExecutable(), args, stdout: out + "/stdout.log", stderr: out + "/stderr.log")
    try? AtomicWrite.write("\(child.pid)\n", to: out + "/" + Self.workerPIDFile)
    while child.poll() == nil {
      if Interrupt.isRequested { child.stop(graceSeconds: 5) }
      usleep(50_000)
    }
    unlink(out + "/" + Self.workerPIDFile)
    let ending = child.poll() ?? .exited(255)
    if Interrupt.isRequested || ending == .exited(130) {
      printError("sweep-task \(id): interrupted; no result recorded")
      throw ExitCode(130)
    }
    var record = RunRecord(id: id, config: .nil_, status: .failed, outputs: .nil_, seconds: Date().timeIntervalSince(start),
                           exitStatus: Int(ending.code), signal: nil, attempts: (previous?.attempts ?? 0) + 1,
                           host: RunRecord.hostName(), error: nil, stderrTail: nil)
    if case .signaled(let s) = ending { record.signal = Int(s) }
    record.config = config.flatMap { try? Value.parseJSON($0) } ?? previous?.config ?? .nil_
    let outputsText = try? String(contentsOfFile: out + "/" + Self.outputsFile, encoding: .utf8)
    if ending == .exited(0), let text = outputsText, let outputs = try? Value.parseJSON(text) {
      record.status = .ok
      record.outputs = outputs
    } else {
      let tail = RunRecord.tail(ofFile: out + "/stderr.log")
      record.stderrTail = tail
      switch ending {
      case .signaled(let s): record.error = "killed by signal \(s) (\(String(cString: strsignal(s))))"
      case .exited(let c):
        let headline = (try? String(contentsOfFile: out + "/" + Self.errorFile, encoding: .utf8))?
          .trimmingCharacters(in: .whitespacesAndNewlines)
        record.error = headline.flatMap { $0.isEmpty ? nil : $0 } ?? "exited with status \(c)"
      }
    }
    try record.write(inDirectory: out)
    if record.status != .ok { throw ExitCode(1) }
  }
}
