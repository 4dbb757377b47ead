import ArgumentParser
import Foundation
import UBoostLang
import UBoostTensor

// MARK: - The `uboost` command

/// `uboost` — run a script, evaluate an expression, or open the REPL; subcommands for the rest.
@main
struct UBoostCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uboost",
    abstract: "Hardware-aware neural architecture search (U-Boost NAS) with a scripting language.",
    discussion: """
      uboost FILE.uboost [ARGS...]   run a script (ARGS are in the script's `args` list)
      uboost -e 'EXPR'                evaluate source text and print its value
      uboost                          open the REPL (reads statements from stdin when piped)
      uboost sweep FILE.uboost -o DIR  run a script's sweep(configs, run), locally or on Slurm
      """,
    version: "0.1.0",
    subcommands: [RunCommand.self, CheckCommand.self, NotebookCommand.self, LessonCommand.self,
                  HardwareCommand.self, ArchCommand.self, BenchCommand.self, DocCommand.self, SweepCommand.self,
                  SweepTaskCommand.self],
    defaultSubcommand: RunCommand.self)

  /// Picks OpenBLAS's best kernels for this CPU first (a one-time re-exec, see `BLASCore`), then
  /// sets the allocator policy before any thread starts (its one-arena limit binds only threads
  /// that have not allocated yet, and scripts run on an interpreter thread).
  static func main() {
    BLASCore.ensureBestKernels()
    _ = AllocatorPolicy.applied
    main(nil)
  }
}

/// Options every command that runs code shares.
struct EngineOptions: ParsableArguments {
  @Option(name: .long, help: "Threads for OpenBLAS and the engine's loops (default: $UBOOST_THREADS or all cores).")
  var threads: Int?

  func apply() throws {
    if let t = threads {
      guard t >= 1 else { throw ValidationError("--threads must be at least 1") }
      Parallel.setThreads(t)
    }
  }
}

/// Writes to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Writes to standard output without buffering surprises (scripts interleave with progress bars).
func printOut(_ text: String) {
  FileHandle.standardOutput.write(Data(text.utf8))
}

/// `text` ending in exactly one newline.
func withNewline(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }
