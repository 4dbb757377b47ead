import XCTest
@testable import UBoostREPL

final class HistoryTests: XCTestCase {
  func testDedupeBlankAndCapacity() {
    let h = History(path: nil, capacity: 3)
    h.add("a")
    h.add("   ")
    h.add("b")
    h.add("a")
    XCTAssertEqual(h.entries, ["b", "a"])
    h.add("c")
    h.add("d")
    XCTAssertEqual(h.entries, ["a", "c", "d"])
    h.add("e\nf  \n")
    XCTAssertEqual(h.entries, ["c", "d", "e\nf"], "a multi-line statement is one entry")
  }

  func testMultiLineEntriesSurviveTheFile() throws {
    let dir = try makeTemporaryDirectory(self)
    let path = (dir as NSString).appendingPathComponent("hist")
    let h = History(path: path)
    h.add("fn f(x) {\n  x + 1\n}")
    h.add("print(\"a\\\\nb\")")
    try h.save()
    let again = History(path: path)
    try again.load()
    XCTAssertEqual(again.entries, ["fn f(x) {\n  x + 1\n}", "print(\"a\\\\nb\")"])
    // An older file without the header is one entry per line.
    try "let a = 1\nprint(a \\n)\n".write(toFile: path, atomically: true, encoding: .utf8)
    try again.load()
    XCTAssertEqual(again.entries, ["let a = 1", "print(a \\n)"])
  }

  func testRoundTripAcrossSessions() throws {
    let dir = try makeTemporaryDirectory(self)
    let path = (dir as NSString).appendingPathComponent("hist")
    let first = History(path: path)
    try first.load()   // missing file: empty
    XCTAssertEqual(first.entries, [])
    first.add("let a = 1")
    first.add("print(a)")
    first.add("let a = 1")
    try first.save()
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "#uboost-history 2\nprint(a)\nlet a = 1\n")

    let second = History(path: path, capacity: 1)
    try second.load()
    XCTAssertEqual(second.entries, ["let a = 1"])
  }

  func testDefaultPath() {
    XCTAssertEqual(History.defaultPath(environment: ["UBOOST_HISTORY": "/home/u/history", "HOME": "/home/u"]),
                   "/home/u/history")
    XCTAssertEqual(History.defaultPath(environment: ["UBOOST_HISTORY": "", "HOME": "/home/u"]),
                   "/home/u/.uboost_history")
  }

  func testUnwritablePathIsATypedError() {
    let h = History(path: "/nonexistent-dir-uboost/h")
    h.add("x")
    XCTAssertThrowsError(try h.save()) { error in
      guard case REPLError.cannotWrite(let path, _)? = error as? REPLError else {
        return XCTFail("unexpected \(error)")
      }
      XCTAssertEqual(path, "/nonexistent-dir-uboost/h")
    }
  }
}
