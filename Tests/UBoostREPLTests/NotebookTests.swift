import XCTest
@testable import UBoostREPL

final class NotebookTests: XCTestCase {
  func testSplittingTitlesAndLines() {
    let source = """
      # preamble comment
      let a = 1

      #%% Setup the array
      let b = 2

      print(b)

      #%%
      print(a)
      #%%   Empty one
      """
    let nb = Notebook(source: source, path: "dir/demo.uboost")
    XCTAssertEqual(nb.title, "demo")
    XCTAssertEqual(nb.cells, [
      NotebookCell(index: 1, title: nil, source: "# preamble comment\nlet a = 1", line: 1),
      NotebookCell(index: 2, title: "Setup the array", source: "let b = 2\n\nprint(b)", line: 5),
      NotebookCell(index: 3, title: nil, source: "print(a)", line: 10),
      NotebookCell(index: 4, title: "Empty one", source: "", line: 12),
    ])
  }

  func testBlankPreambleIsNoCellAndCRLF() {
    let nb = Notebook(source: "\n\n#%% A\r\nx\r\n", path: "n.uboost")
    XCTAssertEqual(nb.cells, [NotebookCell(index: 1, title: "A", source: "x", line: 4)])
  }

  func testNoMarkersIsOneCell() {
    XCTAssertEqual(Notebook(source: "a\nb\n", path: "p").cells,
                   [NotebookCell(index: 1, title: nil, source: "a\nb", line: 1)])
    XCTAssertEqual(Notebook(source: "", path: "p").cells, [])
  }

  func testCellLookupErrors() throws {
    let nb = Notebook(source: "#%% a\n1\n", path: "nb.uboost")
    XCTAssertEqual(try nb.cell(1).source, "1")
    XCTAssertThrowsError(try nb.cell(2)) { error in
      XCTAssertEqual((error as? REPLError)?.description,
                     "'nb.uboost' has 1 cell; there is no cell 2")
    }
    XCTAssertThrowsError(try Notebook(contentsOf: "/no/such/file.uboost")) { error in
      XCTAssertEqual((error as? REPLError)?.description,
                     "cannot read '/no/such/file.uboost': No such file or directory")
    }
  }
}
