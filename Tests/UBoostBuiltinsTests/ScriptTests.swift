import Foundation
import UBoostBuiltins
import UBoostLang
import UBoostScriptTesting
import XCTest

/// Runs every golden script of Tests/scripts (the language's and the engine's) with the engine
/// installed. Scripts with a `# slow` line run only when UBOOST_SLOW=1.
final class EngineScriptTests: XCTestCase {
  /// Language scripts that check the absence of the engine, so they cannot pass with it installed.
  static let needsNoEngine: Set<String> = ["errors/host_unknown_in_script.uboost"]

  func testAllGoldenScriptsWithEngine() {
    let runner = ScriptTestRunner(engineAvailable: true, makeInterpreter: TestSupport.interpreter)
    let slow = ProcessInfo.processInfo.environment["UBOOST_SLOW"] == "1"
    let only = ProcessInfo.processInfo.environment["UBOOST_SCRIPTS"]  // e.g. "tensor,grad"
    let folders = only.map { $0.split(separator: ",").map(String.init) }
    var ran = 0, failed = 0, skipped = 0
    for file in ScriptTestRunner.scripts(in: TestSupport.scriptsDir, folders: folders) {
      let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
      let rel = file.deletingLastPathComponent().lastPathComponent + "/" + file.lastPathComponent
      if EngineScriptTests.needsNoEngine.contains(rel) { skipped += 1; continue }
      if !slow, text.split(separator: "\n").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "# slow" }) {
        skipped += 1
        continue
      }
      let o = runner.run(file: file)
      ran += 1
      if !o.passed {
        failed += 1
        XCTFail(o.report)
      }
    }
    print("engine golden scripts: \(ran) run, \(failed) failed, \(skipped) skipped (slow or engine-free)")
    XCTAssertGreaterThan(ran, 0)
  }

  /// At least 60 engine scripts (marked `# requires: engine`); the engine-only folders hold
  /// nothing else (contract/ and stdlib/ are shared with the language's scripts).
  func testEngineScriptCount() throws {
    let files = ScriptTestRunner.scripts(in: TestSupport.scriptsDir)
    let engine = try files.filter { try String(contentsOf: $0, encoding: .utf8).hasPrefix("# requires: engine") }
    XCTAssertGreaterThanOrEqual(engine.count, 60)
    let engineOnly = ["tensor", "grad", "nn", "hardware", "smooth_ceil", "nas", "data", "plot", "engine_errors", "sweep"]
    for f in ScriptTestRunner.scripts(in: TestSupport.scriptsDir, folders: engineOnly) {
      let text = try String(contentsOf: f, encoding: .utf8)
      XCTAssertTrue(text.hasPrefix("# requires: engine"), "\(f.lastPathComponent) must start with '# requires: engine'")
    }
  }

  /// Every builtin is called by at least one golden script: a call is the name as a whole
  /// identifier followed by `(`, in code (comments and string literals do not count).
  func testEveryEngineBuiltinHasAScript() throws {
    var corpus = ""
    for f in ScriptTestRunner.scripts(in: TestSupport.scriptsDir) {
      corpus += EngineScriptTests.code(of: try String(contentsOf: f, encoding: .utf8)) + "\n"
    }
    let calls = EngineScriptTests.calledNames(in: corpus)
    for lib in Builtins.libraries {
      for f in lib.entries {
        XCTAssertTrue(calls.contains(f.name), "no golden script calls \(f.name)() (library \(lib.name))")
      }
    }
  }

  /// The coverage check sees calls, not words in comments or strings, nor names inside names.
  func testBuiltinCallScannerIgnoresCommentsStringsAndLongerNames() {
    let code = EngineScriptTests.code(of: "let s = \"sum(1) \\\" max(\" # min(2)\nfn relu(x) = x\nprint(cumsum(x), xs.mean ())\n")
    XCTAssertEqual(EngineScriptTests.calledNames(in: code), ["print", "cumsum", "mean"])
  }

  /// `source` with `#` comments and the contents of string literals (interpolations included)
  /// blanked out.
  static func code(of source: String) -> String {
    var out = "", inString = false, escaped = false, inComment = false
    for c in source {
      if c == "\n" { inComment = false; inString = false; escaped = false; out.append(c); continue }
      if inComment { continue }
      if inString {
        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false; out.append(c) }
        continue
      }
      if c == "#" { inComment = true; continue }
      if c == "\"" { inString = true }
      out.append(c)
    }
    return out
  }

  /// Every identifier directly followed by `(` (spaces allowed), in order of first appearance;
  /// `fn name(` defines a function and is not a call.
  static func calledNames(in code: String) -> [String] {
    var names: [String] = [], seen = Set<String>(), word = ""
    var pending: String?  // an identifier that ended, waiting to see whether `(` follows
    var previous = ""     // the identifier before `pending`
    for c in code {
      if c.isLetter || c.isNumber || c == "_" {
        if word.isEmpty { previous = pending ?? ""; pending = nil }
        word.append(c)
        continue
      }
      if !word.isEmpty { pending = word; word = "" }
      if c == " " || c == "\t" { continue }
      if c == "(", let p = pending, let f = p.first, !f.isNumber, previous != "fn", seen.insert(p).inserted {
        names.append(p)
      }
      pending = nil
      previous = ""
    }
    return names
  }

  /// A mismatch shows as a diff naming expected and actual lines.
  func testRunnerShowsDiffOnMismatch() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uboost-eng-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = dir.appendingPathComponent("bad.uboost")
    try "# requires: engine\nprint(tensor([1, 2]).shape)\n# expect: [3]\n".write(to: bad, atomically: true, encoding: .utf8)
    let o = ScriptTestRunner(engineAvailable: true, makeInterpreter: TestSupport.interpreter).run(file: bad)
    XCTAssertFalse(o.passed)
    XCTAssertTrue(o.report.contains("- [3]") && o.report.contains("+ [2]"), o.report)
  }
}
