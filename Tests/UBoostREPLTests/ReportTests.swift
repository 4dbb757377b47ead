import XCTest
@testable import UBoostREPL

final class ReportTests: XCTestCase {
  private let source = """
    #%% Setup
    let a = 2
    print(a)
    a
    #%% Plot it
    plot util
    plot loss
    #%%
    fail
    #%% After the error
    1 + 1
    #%% Nothing here
    """

  private func runNotebook(through: Int? = nil) throws -> NotebookRun {
    try NotebookRunner(backend: FakeBackend())
      .run(Notebook(source: source, path: "demo.uboost"), through: through)
  }

  func testRunnerKeepsBindingsRecordsOutputsAndPlots() throws {
    let run = try runNotebook()
    XCTAssertTrue(run.failed)
    XCTAssertEqual(run.results.count, 5)
    let r = run.results
    XCTAssertEqual(r[0].output, "2\n")
    XCTAssertEqual(r[0].outcome.display, "2 : Number")
    XCTAssertEqual(r[1].plots.map(\.name), ["util", "loss"])
    XCTAssertEqual(r[2].outcome.error, "demo.uboost:9:1: error: boom\n  fail\n  ^")
    XCTAssertEqual(r[3].outcome.display, "2 : Number")   // the run goes on after an error
    XCTAssertEqual(r.map(\.executionCount), [1, 2, 3, 4, nil])
  }

  func testRunnerThroughAndStopOnError() throws {
    XCTAssertEqual(try runNotebook(through: 2).results.count, 2)
    XCTAssertThrowsError(try runNotebook(through: 9)) { error in
      XCTAssertEqual(error as? REPLError, .noSuchCell(index: 9, count: 5, path: "demo.uboost"))
    }
    let runner = NotebookRunner(backend: FakeBackend())
    runner.stopOnError = true
    XCTAssertEqual(try runner.run(Notebook(source: source, path: "demo.uboost")).results.count, 3)
  }

  func testMarkdownReport() throws {
    let dir = try makeTemporaryDirectory(self)
    let path = dir + "/report.md"
    try ReportWriter.write(try runNotebook(), to: path)
    let md = try String(contentsOfFile: path, encoding: .utf8)
    let expectedStart = """
      # demo

      Report of `demo.uboost`: 5 cells, with errors.

      ## 1. Setup

      ```uboost
      let a = 2
      print(a)
      a
      ```

      Output:

      ```text
      2
      2 : Number
      ```

      ## 2. Plot it

      ```uboost
      plot util
      plot loss
      ```

      ![util](report-cell2-1.svg)

      ![loss](report-cell2-2.svg)

      ## Cell 3

      ```uboost
      fail
      ```

      **Error:**

      ```text
      demo.uboost:9:1: error: boom
        fail
        ^
      ```

      """
    XCTAssertTrue(md.hasPrefix(expectedStart), md)
    XCTAssertTrue(md.hasSuffix("## 5. Nothing here\n\n```uboost\n\n```\n"), md)
    let svg = try String(contentsOfFile: dir + "/report-cell2-2.svg", encoding: .utf8)
    XCTAssertTrue(svg.contains("<title>loss</title>"))
  }

  func testFenceOutgrowsBackticksInside() {
    XCTAssertEqual(MarkdownReport.fenced("a ```` b", language: "text"), "`````text\na ```` b\n`````\n")
  }

  func testUnknownReportFormat() throws {
    XCTAssertThrowsError(try ReportWriter.write(try runNotebook(), to: "report.pdf")) { error in
      XCTAssertEqual(error as? REPLError, .unsupportedReportFormat(path: "report.pdf"))
    }
  }

  func testJupyterStructure() throws {
    let data = try JupyterReport(run: try runNotebook()).data()
    let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    XCTAssertEqual(json["nbformat"] as? Int, 4)
    XCTAssertEqual(json["nbformat_minor"] as? Int, 5)
    let meta = try XCTUnwrap(json["metadata"] as? [String: Any])
    XCTAssertEqual((meta["language_info"] as? [String: Any])?["name"] as? String, "uboost")
    let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
    XCTAssertEqual(cells.map { $0["cell_type"] as? String },
                   ["markdown", "markdown", "code", "markdown", "code", "code", "markdown", "code",
                    "markdown", "code"])
    let setup = cells[2]
    XCTAssertEqual(setup["execution_count"] as? Int, 1)
    XCTAssertEqual(setup["source"] as? [String], ["let a = 2\n", "print(a)\n", "a"])
    let outputs = try XCTUnwrap(setup["outputs"] as? [[String: Any]])
    XCTAssertEqual(outputs.map { $0["output_type"] as? String }, ["stream", "execute_result"])
    XCTAssertEqual(outputs[0]["text"] as? [String], ["2\n"])
    XCTAssertEqual((outputs[1]["data"] as? [String: Any])?["text/plain"] as? [String], ["2 : Number"])
    let plots = try XCTUnwrap(cells[4]["outputs"] as? [[String: Any]])
    XCTAssertEqual(plots.count, 2)
    let plotData = try XCTUnwrap(plots[0]["data"] as? [String: Any])
    XCTAssertEqual((plotData["image/svg+xml"] as? [String])?.joined().contains("<title>util</title>"), true)
    let error = try XCTUnwrap((cells[5]["outputs"] as? [[String: Any]])?.first)
    XCTAssertEqual(error["output_type"] as? String, "error")
    XCTAssertEqual(error["evalue"] as? String, "demo.uboost:9:1: error: boom")
    XCTAssertTrue(cells[9]["execution_count"] is NSNull)
  }

  /// Validates the written .ipynb against the official schema with Python's nbformat.
  func testJupyterValidatesWithNbformat() throws {
    let check = Process()
    check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    check.arguments = ["python3", "-c", "import nbformat"]
    check.standardError = FileHandle.nullDevice
    do { try check.run() } catch { throw XCTSkip("python3 is not available") }
    check.waitUntilExit()
    guard check.terminationStatus == 0 else { throw XCTSkip("python3 nbformat is not installed") }

    let dir = try makeTemporaryDirectory(self)
    let path = dir + "/report.ipynb"
    let status = try NotebookRunner(backend: FakeBackend()).runAndWrite(
      notebookPath: try writeSource(dir), reportPath: path)
    XCTAssertEqual(status, 1)   // cell 3 fails

    let validate = Process()
    validate.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    validate.arguments = ["python3", "-c", """
      import sys, nbformat
      nb = nbformat.read(sys.argv[1], as_version=4)
      nbformat.validate(nb)
      print(len(nb.cells), nb.metadata.language_info.name)
      """, path]
    let pipe = Pipe()
    validate.standardOutput = pipe
    let errPipe = Pipe()
    validate.standardError = errPipe
    try validate.run()
    validate.waitUntilExit()
    let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let problems = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    XCTAssertEqual(validate.terminationStatus, 0, problems)
    XCTAssertEqual(printed, "10 uboost\n")
  }

  private func writeSource(_ dir: String) throws -> String {
    let path = dir + "/demo.uboost"
    try source.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }
}
