import XCTest
@testable import UBoostLang

final class ErrorRenderingTests: XCTestCase {
  func failure(_ source: String, file: String = "demo.uboost") -> LangError? {
    let interp = Interpreter(output: { _ in }, loadStdlib: false)
    do {
      try interp.run(source: source, file: file)
      return nil
    } catch let e as LangError {
      return e
    } catch {
      return nil
    }
  }

  func testCaretUnderOffendingOperator() throws {
    let e = try XCTUnwrap(failure("let x = 1\nlet y = x + \"a\""))
    XCTAssertEqual(e.kind, .type)
    XCTAssertEqual(e.location?.line, 2)
    XCTAssertEqual(e.location?.column, 11)
    let lines = e.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    XCTAssertTrue(lines[0].hasPrefix("demo.uboost:2:11: type error: cannot apply '+'"), lines[0])
    XCTAssertEqual(lines[2], " 2 | let y = x + \"a\"")
    XCTAssertEqual(lines[3], "   |           ^")
    // The caret sits under the '+'.
    let caretColumn = lines[3].distance(from: lines[3].startIndex, to: lines[3].firstIndex(of: "^")!)
    let plusColumn = lines[2].distance(from: lines[2].startIndex, to: lines[2].firstIndex(of: "+")!)
    XCTAssertEqual(caretColumn, plusColumn)
  }

  func testCaretWithTabsAndUnicode() throws {
    let e = try XCTUnwrap(failure("\tlet é = 1\n\té + nil"))
    let lines = e.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    XCTAssertEqual(lines[3], "   | \t  ^")
  }

  /// An error raised in library code points at the user's call into the library; the library's
  /// line follows; a user callback's own error keeps its position.
  func testErrorsInsideTheLibraryPointAtTheUsersCall() throws {
    let interp = Interpreter(output: { _ in }, loadStdlib: false)
    try interp.run(source: "fn helper(x) = x + nil\nfn lib(x) = helper(x)\nfn call_back(f) = f(1)", file: "stdlib/lib.uboost", library: true)
    func failure(_ source: String) -> LangError? {
      do { try interp.run(source: source, file: "user.uboost"); return nil } catch let e as LangError { return e } catch { return nil }
    }
    let e = try XCTUnwrap(failure("let a = 1\nlet b = lib(a)"))
    XCTAssertEqual(e.location?.file.name, "user.uboost")
    XCTAssertEqual(e.location?.line, 2)
    XCTAssertEqual(e.location?.column, 9)
    XCTAssertEqual(e.libraryLocation.map { "\($0)" }, "stdlib/lib.uboost:1:18")
    XCTAssertEqual(e.stack.map(\.function), ["helper", "lib"])
    let lines = e.description.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines[2], " 2 | let b = lib(a)")
    XCTAssertEqual(lines[4], "raised in the stdlib at stdlib/lib.uboost:1:18")
    // The user's own function, called back by the library, keeps its position.
    let c = try XCTUnwrap(failure("fn mine(x) = x + \"s\"\ncall_back(mine)"))
    XCTAssertEqual(c.location?.file.name, "user.uboost")
    XCTAssertEqual(c.location?.line, 1)
    XCTAssertNil(c.libraryLocation)
  }

  func testCallStackListsFunctionsInnermostFirst() throws {
    let e = try XCTUnwrap(failure("fn inner(x) = x + nil\nfn outer() = inner(1)\nouter()"))
    XCTAssertEqual(e.stack.map { $0.function }, ["inner", "outer"])
    XCTAssertEqual(e.stack[0].callSite?.line, 2)
    XCTAssertEqual(e.stack[1].callSite?.line, 3)
    XCTAssertTrue(e.description.contains("call stack (innermost first):\n  in inner, called at demo.uboost:2:14\n  in outer, called at demo.uboost:3:1"), e.description)
  }

  func testMultipleParseErrorsRendered() throws {
    let e = try XCTUnwrap(failure("let a = = 1\nlet b = 2\nlet c = )"))
    XCTAssertEqual(e.kind, .syntax)
    XCTAssertEqual(e.more.count, 1)
    XCTAssertTrue(e.description.contains("demo.uboost:1:9: syntax error"))
    XCTAssertTrue(e.description.contains("demo.uboost:3:9: syntax error"))
  }

  func testBuiltinErrorsPointAtTheCall() throws {
    let e = try XCTUnwrap(failure("let v = 1\nlet s = sum(\"abc\")"))
    XCTAssertEqual(e.message, "sum(xs:): expected list, got string")
    XCTAssertEqual(e.location?.line, 2)
    XCTAssertEqual(e.location?.column, 9)
  }

  func testRuntimeErrorInImportedFileNamesThatFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uboost-imp-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "fn bad() = nil + 1\n".write(to: dir.appendingPathComponent("lib.uboost"), atomically: true, encoding: .utf8)
    let main = dir.appendingPathComponent("main.uboost").path
    let e = try XCTUnwrap(failure("import \"lib.uboost\"\nbad()", file: main))
    XCTAssertTrue(e.location?.file.name.hasSuffix("lib.uboost") ?? false)
    XCTAssertEqual(e.stack.first?.callSite?.file.name, main)
  }
}

final class NotebookCellTests: XCTestCase {
  func testFirstLineOffsetsPositionsAndSourceLines() throws {
    let interp = Interpreter(output: { _ in }, loadStdlib: false)
    try interp.run(source: "let a = 1", file: "nb.uboost", firstLine: 1)
    XCTAssertThrowsError(try interp.run(source: "let b = a\nlet c = b + nil", file: "nb.uboost", firstLine: 10)) { e in
      let err = e as? LangError
      XCTAssertEqual(err?.location?.line, 11)
      XCTAssertTrue("\(e)".contains("11 | let c = b + nil"), "\(e)")
    }
  }
}
