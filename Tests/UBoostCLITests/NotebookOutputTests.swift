import Foundation
import XCTest

/// `uboost notebook -o PATH` checks PATH before running any cell (an unsupported extension or a
/// missing directory used to fail only after every cell had run).
extension CLITests {
  func testNotebookRefusesAnUnwritableReportBeforeRunning() throws {
    let d = try tempDir()
    let marker = d + "/ran.txt"
    let nb = d + "/nb.uboost"
    try "#%%\nwrite_file(\"\(marker)\", \"ran\")\nprint(1)\n".write(toFile: nb, atomically: true, encoding: .utf8)
    for (out, message) in [(d + "/out.html", "use a .md or .ipynb file name"),
                           ("/nonexistent/out.md", "the directory /nonexistent does not exist"),
                           (d + "/missing/out.ipynb", "does not exist")] {
      let r = try uboost(["notebook", nb, "-o", out])
      XCTAssertNotEqual(r.status, 0, out)
      XCTAssertTrue(r.err.contains(message), r.err)
      XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "a cell ran before \(out) was refused")
    }
    let ok = try uboost(["notebook", nb, "-o", d + "/out.md"])
    XCTAssertEqual(ok.status, 0, ok.err)
    XCTAssertTrue(FileManager.default.fileExists(atPath: marker))
  }
}
