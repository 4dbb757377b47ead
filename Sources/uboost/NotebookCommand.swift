import ArgumentParser
import Foundation
import UBoostREPL

// MARK: - uboost notebook FILE -o report.md|report.ipynb

struct NotebookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notebook",
    abstract: "Run a .uboost file's #%% cells in one session and write a Markdown or Jupyter report.",
    discussion: "Plots a cell makes are saved as SVG files next to a Markdown report, or embedded (image/svg+xml) in an .ipynb.")

  @ArgumentParser.Argument(help: "The notebook (.uboost with #%% cell markers).")
  var file: String

  @Option(name: .shortAndLong, help: "Report path: .md or .ipynb.")
  var output: String

  @Option(name: .long, help: "Run cells 1...N only.")
  var cell: Int?

  @Flag(name: .long, help: "Stop at the first cell that fails.")
  var stopOnError = false

  @OptionGroup var engine: EngineOptions

  func run() throws {
    try engine.apply()
    if let cell, cell < 1 { throw ValidationError("--cell must be at least 1") }
    // Before any cell runs: a report that cannot be written would waste the whole run.
    try ReportWriter.checkWritable(output)
    let notebook = try Notebook(contentsOf: file)
    let session = try Session()
    session.installSignalHandler()
    let runner = NotebookRunner(backend: session.backend)
    runner.stopOnError = stopOnError
    let result = try runner.run(notebook, through: cell)
    try ReportWriter.write(result, to: output)
    let failed = result.results.filter { $0.outcome.failed }.count
    printOut("\(output): \(result.results.count) cells run, \(failed) failed\n")
    if failed > 0 { throw ExitCode(1) }
  }
}
