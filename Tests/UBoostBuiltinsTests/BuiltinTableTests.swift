import Foundation
@testable import UBoostBuiltins
import UBoostLang
import XCTest

/// The builtin tables and the stdlib's installation (whether generated files are fresh is
/// UBoostREPLTests.GeneratedFilesTests, the one check of all of them).
final class BuiltinTableTests: XCTestCase {
  func testSignaturesParseAndEveryNameHasADoc() {
    var seen = Set<String>()
    for lib in Builtins.libraries {
      XCTAssertFalse(lib.doc.isEmpty, lib.name)
      for f in lib.entries {
        XCTAssertNil(f.signatureError, "\(f.name): \(f.signatureError ?? "")")
        XCTAssertFalse(f.doc.isEmpty, "\(f.name) has no doc")
        XCTAssertTrue(seen.insert(f.name).inserted, "\(f.name) is declared twice")
      }
    }
  }

  func testHelpShowsEngineBuiltins() throws {
    let interp = TestSupport.interpreter { _ in }
    let h = try XCTUnwrap(interp.registry.help("smooth_ceil"))
    XCTAssertTrue(h.contains("smooth_ceil(x, temp = nil, form = nil)"), h)
    XCTAssertTrue(h.contains("library: hardware"), h)
  }

  /// Installing twice (e.g. after `Interpreter.reset()`) keeps list calls on the stdlib versions.
  func testInstallingTwiceKeepsTheStdlibDelegation() throws {
    final class Sink: @unchecked Sendable { var text = "" }
    let sink = Sink()
    let interp = try Builtins.makeInterpreter(output: { sink.text += $0 }, options: BuiltinOptions(loadStdlib: true, stdlibDirectory: nil))
    try Builtins.install(into: interp, options: BuiltinOptions(loadStdlib: false, stdlibDirectory: nil))
    try interp.run(source: "print(flatten([[1], [2, 3]]), softmax([0, 0]), flatten(tensor([[1], [2]])))", file: "<t>")
    XCTAssertEqual(sink.text, "[1, 2, 3] [0.5, 0.5] tensor([1, 2])\n")
  }

  /// An interpreter that loaded the language stdlib itself can still take the engine.
  func testInstallIntoADefaultInterpreter() throws {
    final class Sink: @unchecked Sendable { var text = "" }
    let sink = Sink()
    let interp = Interpreter(output: { sink.text += $0 })
    try Builtins.install(into: interp)
    try interp.run(source: "print(mean([1, 2]), mean(tensor([1, 2])), len(paper_ops))", file: "<t>")
    XCTAssertEqual(sink.text, "1.5 tensor(1.5) 8\n")
  }

  func testStdlibLoadsFromDirectoryOverride() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uboost-std-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "# requires: engine\nlet only_here = 42\n".write(to: dir.appendingPathComponent("x.uboost"), atomically: true, encoding: .utf8)
    let interp = Interpreter(output: { _ in }, loadStdlib: false)
    try Builtins.install(into: interp, options: BuiltinOptions(loadStdlib: true, stdlibDirectory: dir))
    XCTAssertEqual(interp.lookup("only_here")?.asNumber, 42)
    XCTAssertNil(interp.lookup("paper_ops"), "the embedded stdlib must not load when a directory overrides it")
  }
}
