import XCTest
import UBoostLang
@testable import UBoostREPL

/// The REPL session driven with the real language (no engine): continuation, help, display.
final class REPLLanguageTests: XCTestCase {
  private var out: CapturedOutput!
  private var backend: InterpreterBackend!
  private var session: REPLSession!

  override func setUp() {
    out = CapturedOutput()
    backend = InterpreterBackend(interpreter: Interpreter(loadStdlib: false))
    session = REPLSession(backend: backend, output: out)
    session.inputName = "<stdin>"
  }

  func testUnclosedBracketIsReportedAtTheNextLineThatCannotContinueIt() {
    XCTAssertEqual(session.feed("let a = [1, 2", blankLineRuns: false), .needMore)
    XCTAssertEqual(session.feed("print(111)", blankLineRuns: false), .ready)
    XCTAssertEqual(session.feed("print(222)", blankLineRuns: false), .ready)
    XCTAssertEqual(out.text, "111\n222\n")
    XCTAssertTrue(out.errors.hasPrefix("<stdin>:1:14: syntax error: expected ']'"), out.errors)
    XCTAssertEqual(session.errorCount, 1)
  }

  func testUnterminatedStringIsReportedAtTheNextLine() {
    XCTAssertEqual(session.feed("let s = \"abc", blankLineRuns: false), .needMore)
    XCTAssertEqual(session.feed("print(1)", blankLineRuns: false), .ready)
    XCTAssertEqual(out.text, "1\n")
    XCTAssertTrue(out.errors.contains("<stdin>:1:9: syntax error: unterminated string"), out.errors)
  }

  func testAnErrorInsideABlockIsStillOneStatement() {
    XCTAssertEqual(session.feed("fn f() {", blankLineRuns: false), .needMore)
    XCTAssertEqual(session.feed("  let x = = 2", blankLineRuns: false), .needMore)
    XCTAssertEqual(session.feed("}", blankLineRuns: false), .ready)
    XCTAssertEqual(session.errorCount, 1, out.errors)
    XCTAssertEqual(session.feed("print(3)", blankLineRuns: false), .ready)
    XCTAssertEqual(out.text, "3\n")
  }

  func testMultiLineStatementsStillContinue() {
    XCTAssertEqual(session.feed("let r = {a: 1,", blankLineRuns: false), .needMore)
    XCTAssertEqual(session.feed("  b: [2,", blankLineRuns: false), .needMore)
    XCTAssertEqual(session.feed("  3]}", blankLineRuns: false), .ready)
    XCTAssertEqual(session.feed("r.b", blankLineRuns: false), .ready)
    XCTAssertEqual(out.text, "[2, 3] : list\n")
    XCTAssertEqual(out.errors, "")
  }

  func testHelpShowsAUserFunctionsParametersAndDocComment() {
    _ = backend.evaluate("# Adds `by` to x.\n# Second line.\nfn inc(x, by: 1 + 0) = x + by", file: "<stdin>", line: 1, output: { _ in })
    let help = backend.help("inc")
    XCTAssertTrue(help.hasPrefix("inc(x, by: 1 + 0)\n  Adds `by` to x.\n  Second line.\n"), help)
    _ = backend.evaluate("let sq = fn(v) = v * v", file: "<stdin>", line: 1, output: { _ in })
    XCTAssertTrue(backend.help("sq").hasPrefix("sq(v)"), backend.help("sq"))
    _ = backend.evaluate("let cfg = {lr: 0.1, f: inc}", file: "<stdin>", line: 1, output: { _ in })
    XCTAssertTrue(backend.help("cfg.f").hasPrefix("inc(x, by: 1 + 0)"), backend.help("cfg.f"))
    XCTAssertEqual(backend.help("cfg.lr"), "cfg.lr: number")
    XCTAssertTrue(backend.help("cfg.nope").contains("has no method or field 'nope'"))
  }

  func testDisplayOfALongListSaysItIsAbbreviated() {
    session.feed("list(0..<1500)")
    XCTAssertTrue(out.text.contains("998, 999, ... (1500 items)] : list\n(display abbreviated"), String(out.text.suffix(200)))
    out = CapturedOutput()
    session = REPLSession(backend: backend, output: out)
    session.feed("print(len(str(list(0..<1500))))")
    XCTAssertEqual(out.text, "\(String(describing: Array(0..<1500)).count)\n")
  }
}
