import XCTest
@testable import UBoostREPL

final class CompletionEngineTests: XCTestCase {
  private func engine(directory: String? = nil) -> CompletionEngine {
    CompletionEngine(
      globalNames: { ["print", "param", "hw", "hwcfg", "let"] },
      members: { expr in
        switch expr {
        case "hw": return ["cost", "cols", "rows"]
        case "hw.cfg": return ["batch"]
        default: return []
        }
      },
      directory: directory)
  }

  func testGlobalNames() {
    XCTAssertEqual(engine().complete("x = pr", cursor: 6), Completion(start: 4, candidates: ["print"]))
    XCTAssertEqual(engine().complete("hw", cursor: 2).candidates, ["hw", "hwcfg"])
    XCTAssertEqual(engine().complete("", cursor: 0).candidates.count, 5)
  }

  func testMembersAfterDot() {
    XCTAssertEqual(engine().complete("print(hw.co", cursor: 11),
                   Completion(start: 9, candidates: ["cost", "cols"]))
    XCTAssertEqual(engine().complete("hw.cfg.b", cursor: 8), Completion(start: 7, candidates: ["batch"]))
    XCTAssertEqual(engine().complete("hw.", cursor: 3).candidates, ["cost", "cols", "rows"])
    // A number or a call before the dot has no members.
    XCTAssertEqual(engine().complete("1.5", cursor: 3).candidates, [])
    XCTAssertEqual(engine().complete("f(x).", cursor: 5).candidates, [])
  }

  func testCursorInTheMiddle() {
    XCTAssertEqual(engine().complete("pa(1) + x", cursor: 2), Completion(start: 0, candidates: ["param"]))
  }

  func testMetaCommands() {
    XCTAssertEqual(engine().complete(":l", cursor: 2), Completion(start: 1, candidates: ["load", "lesson"]))
    XCTAssertEqual(engine().complete(":", cursor: 1).candidates, MetaCommand.names)
    XCTAssertEqual(engine().complete(":type hw.r", cursor: 10), Completion(start: 9, candidates: ["rows"]))
  }

  func testPathsAfterLoadAndInStrings() throws {
    let dir = try makeTemporaryDirectory(self)
    let fm = FileManager.default
    try fm.createDirectory(atPath: dir + "/nets", withIntermediateDirectories: true)
    fm.createFile(atPath: dir + "/notebook.uboost", contents: Data())
    fm.createFile(atPath: dir + "/nets/a.uboost", contents: Data())
    fm.createFile(atPath: dir + "/.hidden", contents: Data())
    let e = engine(directory: dir)
    XCTAssertEqual(e.complete(":load \"n", cursor: 8), Completion(start: 7, candidates: ["nets/", "notebook.uboost"]))
    XCTAssertEqual(e.complete(":load nets/", cursor: 11), Completion(start: 6, candidates: ["nets/a.uboost"]))
    XCTAssertEqual(e.complete(":cell no", cursor: 8).candidates, ["notebook.uboost"])
    XCTAssertEqual(e.complete(":cell notebook.uboost 1", cursor: 23).candidates, [])
    XCTAssertEqual(e.complete(":load \"", cursor: 7).candidates, ["nets/", "notebook.uboost"])
    XCTAssertEqual(e.complete(":load \".h", cursor: 9).candidates, [".hidden"])
    XCTAssertEqual(e.complete("save(x, \"nets/", cursor: 14).candidates, ["nets/a.uboost"])
    // Absolute paths ignore the base directory.
    XCTAssertEqual(e.complete(":load \(dir)/nets/a", cursor: 6 + dir.count + 7).candidates,
                   ["\(dir)/nets/a.uboost"])
  }
}
