import Foundation
import XCTest
@testable import UBoostLang
import UBoostScriptTesting

/// Runs every golden script in Tests/scripts (those marked `# requires: engine` are skipped).
final class ScriptTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let scriptsDir = root.appendingPathComponent("Tests/scripts")
  static let stdlibDir = root.appendingPathComponent("stdlib")

  static func makeInterpreter(_ out: @escaping (String) -> Void) -> Interpreter {
    let interp = Interpreter(output: out, loadStdlib: false)
    interp.searchPaths.append(stdlibDir)
    try? interp.loadStdlib(from: stdlibDir, includeEngine: false)
    return interp
  }

  func testGoldenScripts() {
    let runner = ScriptTestRunner(engineAvailable: false, makeInterpreter: ScriptTests.makeInterpreter)
    let outcomes = runner.runAll(in: ScriptTests.scriptsDir)
    XCTAssertGreaterThanOrEqual(outcomes.count, 120, "expected at least 120 golden scripts")
    var failed = 0
    for o in outcomes where !o.passed {
      failed += 1
      XCTFail(o.report)
    }
    let skipped = outcomes.filter { $0.skipped }.count
    print("golden scripts: \(outcomes.count) run, \(failed) failed, \(skipped) skipped")
  }

  func testRunnerDetectsMismatch() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uboost-runner-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = dir.appendingPathComponent("bad.uboost")
    try "print(1)\n# expect: 2\n".write(to: bad, atomically: true, encoding: .utf8)
    let runner = ScriptTestRunner(engineAvailable: false, makeInterpreter: ScriptTests.makeInterpreter)
    let o = runner.run(file: bad)
    XCTAssertFalse(o.passed)
    XCTAssertTrue(o.report.contains("- 2") && o.report.contains("+ 1"), o.report)
    let err = dir.appendingPathComponent("err.uboost")
    try "print(1)\n# expect: 1\nlet x = nope\n# expect error: undefined variable 'nope'\n".write(to: err, atomically: true, encoding: .utf8)
    XCTAssertTrue(runner.run(file: err).passed, runner.run(file: err).report)
    let eng = dir.appendingPathComponent("eng.uboost")
    try "# requires: engine\nprint(tensor([1]))\n".write(to: eng, atomically: true, encoding: .utf8)
    XCTAssertTrue(runner.run(file: eng).skipped)
  }

  /// Each run gets its own empty temp_dir(), shown as `<tmp>` and removed afterwards.
  func testEachRunHasItsOwnScratchDirectory() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uboost-runner-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let record = dir.appendingPathComponent("paths.txt")
    let script = dir.appendingPathComponent("tmp.uboost")
    try """
      let t = temp_dir()
      print(exists(t + "/a.txt"), t)
      write_file(t + "/a.txt", "x")
      append_file(\(Value.quote(record.path)), t + "\\n")
      # expect: false <tmp>
      """.write(to: script, atomically: true, encoding: .utf8)
    let runner = ScriptTestRunner(engineAvailable: false, makeInterpreter: ScriptTests.makeInterpreter)
    for _ in 0..<2 {
      let o = runner.run(file: script)
      XCTAssertTrue(o.passed, o.report)
    }
    let paths = try String(contentsOf: record, encoding: .utf8).split(separator: "\n").map(String.init)
    XCTAssertEqual(paths.count, 2)
    XCTAssertNotEqual(paths.first, paths.last)
    for p in paths {
      XCTAssertTrue(p.hasPrefix(FileManager.default.temporaryDirectory.path), p)
      XCTAssertFalse(FileManager.default.fileExists(atPath: p), "\(p) outlived its run")
    }
  }

  /// Outside the runner temp_dir() is a fresh directory under the system's temporary folder,
  /// one per interpreter and the same on every call.
  func testTempDirDefaultsToAFreshDirectoryPerInterpreter() throws {
    let a = Interpreter(output: { _ in }, loadStdlib: false)
    let b = Interpreter(output: { _ in }, loadStdlib: false)
    let pa = try a.evaluate("temp_dir()"), pb = try b.evaluate("temp_dir()")
    guard case .string(let sa) = pa, case .string(let sb) = pb else { return XCTFail("\(pa) \(pb)") }
    defer { try? FileManager.default.removeItem(atPath: sa); try? FileManager.default.removeItem(atPath: sb) }
    XCTAssertNotEqual(sa, sb)
    guard case .string(let again) = try a.evaluate("temp_dir()") else { return XCTFail("not a string") }
    XCTAssertEqual(again, sa)
    XCTAssertTrue(sa.hasPrefix(FileManager.default.temporaryDirectory.path), sa)
    var isDir: ObjCBool = false
    XCTAssertTrue(FileManager.default.fileExists(atPath: sa, isDirectory: &isDir) && isDir.boolValue)
  }
}
