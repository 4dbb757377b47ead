import Foundation

// MARK: - Results

/// What one cell did when it ran.
public struct CellResult: Equatable, Sendable {
  public var cell: NotebookCell
  /// Text the cell printed.
  public var output: String
  /// Its value, error or interrupt.
  public var outcome: EvalOutcome
  /// Plots the cell produced.
  public var plots: [PlotImage]
  /// Position in the run's evaluation order (1-based); nil when the cell was empty and skipped.
  public var executionCount: Int?
  /// Wall-clock time of the evaluation.
  public var seconds: Double

  public init(cell: NotebookCell, output: String, outcome: EvalOutcome, plots: [PlotImage],
              executionCount: Int?, seconds: Double) {
    self.cell = cell
    self.output = output
    self.outcome = outcome
    self.plots = plots
    self.executionCount = executionCount
    self.seconds = seconds
  }
}

/// A notebook and what its cells did.
public struct NotebookRun: Equatable, Sendable {
  public var notebook: Notebook
  public var results: [CellResult]

  public init(notebook: Notebook, results: [CellResult]) {
    self.notebook = notebook
    self.results = results
  }

  /// True when any cell failed.
  public var failed: Bool { results.contains { $0.outcome.failed } }
}

// MARK: - Runner

/// Runs a notebook's cells in order in one backend session (bindings carry from cell to cell)
/// and writes a Markdown or Jupyter report. A failing cell is recorded and the run goes on,
/// unless ``stopOnError`` is set.
///
/// ```swift
/// let runner = NotebookRunner(backend: adapter)
/// let run = try runner.run(Notebook(contentsOf: "search.uboost"))
/// try ReportWriter.write(run, to: "report.md")      // or "report.ipynb"
/// ```
public final class NotebookRunner {
  public let backend: REPLBackend
  /// Stop at the first failing cell.
  public var stopOnError = false
  /// Also show each cell's output here as it runs (progress on the terminal); nil is silent.
  public var echo: REPLOutput?

  private let evaluator = InterruptibleEvaluator()

  public init(backend: REPLBackend) {
    self.backend = backend
  }

  /// Runs cells 1...`last` (all when nil). Ctrl-C interrupts the running cell, which is
  /// recorded as interrupted; the remaining cells are skipped.
  public func run(_ notebook: Notebook, through last: Int? = nil) throws -> NotebookRun {
    if let last, last < 1 || last > notebook.cells.count {
      throw REPLError.noSuchCell(index: last, count: notebook.cells.count, path: notebook.path)
    }
    InterruptTrap.install(exitWhenIdle: true)
    defer { InterruptTrap.uninstall() }
    _ = backend.takePlots()   // plots made before the run belong to no cell
    var results: [CellResult] = []
    var count = 0
    for cell in notebook.cells.prefix(last ?? notebook.cells.count) {
      guard !cell.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        results.append(CellResult(cell: cell, output: "", outcome: EvalOutcome(), plots: [],
                                  executionCount: nil, seconds: 0))
        continue
      }
      count += 1
      let result = runCell(cell, path: notebook.path, executionCount: count)
      results.append(result)
      if result.outcome.interrupted || (stopOnError && result.outcome.failed) { break }
    }
    return NotebookRun(notebook: notebook, results: results)
  }

  private func runCell(_ cell: NotebookCell, path: String, executionCount: Int) -> CellResult {
    let collected = CollectedText(echo: echo)
    let backend = self.backend
    let start = DispatchTime.now().uptimeNanoseconds
    let outcome = evaluator.run({
      backend.evaluate(cell.source, file: path, line: cell.line, output: { collected.append($0) })
    }, onInterrupt: { backend.requestInterrupt() })
      ?? EvalOutcome(error: "the evaluation ended without a result")
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if let echo {
      if let error = outcome.error { echo.writeError(REPLSession.line(error)) }
      else if let display = outcome.display { echo.write(display + "\n") }
    }
    return CellResult(cell: cell, output: collected.text, outcome: outcome,
                      plots: backend.takePlots(), executionCount: executionCount,
                      seconds: seconds)
  }
}

// Program output arrives on the worker thread.
private final class CollectedText: @unchecked Sendable {
  private let lock = NSLock()
  private var buffer = ""
  private let echo: REPLOutput?

  init(echo: REPLOutput?) {
    self.echo = echo
  }

  func append(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    buffer += text
    echo?.write(text)
  }

  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return buffer
  }
}

// MARK: - Command-line convenience

extension NotebookRunner {
  /// `uboost notebook FILE -o REPORT`: runs the cells of `notebookPath` (1...`through`, or all)
  /// and writes the report (`.md` or `.ipynb`). Returns 1 when a cell failed, else 0; throws
  /// when the notebook cannot be read or the report cannot be written.
  ///
  /// ```swift
  /// let status = try NotebookRunner(backend: adapter).runAndWrite(
  ///   notebookPath: "search.uboost", reportPath: "report.md")
  /// ```
  public func runAndWrite(notebookPath: String, reportPath: String,
                          through: Int? = nil) throws -> Int32 {
    let ext = (reportPath as NSString).pathExtension.lowercased()
    guard ["md", "markdown", "ipynb"].contains(ext) else {
      throw REPLError.unsupportedReportFormat(path: reportPath)
    }
    let run = try run(Notebook(contentsOf: notebookPath), through: through)
    try ReportWriter.write(run, to: reportPath)
    return run.failed ? 1 : 0
  }
}
