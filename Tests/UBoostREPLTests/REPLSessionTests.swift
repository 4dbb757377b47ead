import XCTest
@testable import UBoostREPL

final class REPLSessionTests: XCTestCase {
  private var backend: FakeBackend!
  private var out: CapturedOutput!
  private var session: REPLSession!

  override func setUp() {
    backend = FakeBackend()
    out = CapturedOutput()
    session = REPLSession(backend: backend, output: out)
  }

  // MARK: Statements

  func testValuesPrintWithTheirTypeAndOutputStreams() {
    XCTAssertEqual(session.feed("1 + 2"), .ready)
    XCTAssertEqual(session.feed("let a = 5"), .ready)
    XCTAssertEqual(session.feed("print(a)"), .ready)
    XCTAssertEqual(session.feed("a"), .ready)
    XCTAssertEqual(out.text, "3 : Number\n5\n5 : Number\n")
    XCTAssertEqual(out.errors, "")
    XCTAssertEqual(session.errorCount, 0)
  }

  func testMultiLineContinuesWhileIncomplete() {
    XCTAssertEqual(session.feed("let r = {a: 1,"), .needMore)
    XCTAssertTrue(session.isContinuing)
    XCTAssertEqual(session.feed("b: 2}"), .ready)
    XCTAssertFalse(session.isContinuing)
    XCTAssertEqual(backend.evaluated.last?.source, "let r = {a: 1,\nb: 2}")
    XCTAssertEqual(backend.variables().map(\.name), ["r"])
  }

  func testBlankLineRunsAnUnfinishedStatementInteractively() {
    XCTAssertEqual(session.feed("let x = (1"), .needMore)
    XCTAssertEqual(session.feed("", blankLineRuns: true), .ready)
    XCTAssertEqual(backend.evaluated.count, 1)
    // Piped: blank lines stay inside the statement.
    XCTAssertEqual(session.feed("let y = {a: 1,"), .needMore)
    XCTAssertEqual(session.feed("", blankLineRuns: false), .needMore)
    XCTAssertEqual(session.feed("b: 2}", blankLineRuns: false), .ready)
    XCTAssertEqual(backend.evaluated.last?.source, "let y = {a: 1,\n\nb: 2}")
  }

  func testErrorsDoNotEndTheSessionAndCarryLineNumbers() {
    session.feed("let a = 1")
    session.feed("fail")
    XCTAssertEqual(out.errors, "<repl>:2:1: error: boom\n  fail\n  ^\n")
    XCTAssertEqual(session.errorCount, 1)
    session.feed("print(a)")
    XCTAssertEqual(out.text, "1\n")
  }

  func testDiscardPending() {
    session.feed("let a = [1,")
    session.discardPending()
    XCTAssertFalse(session.isContinuing)
    XCTAssertEqual(session.feed("2"), .ready)
    XCTAssertEqual(out.text, "2 : Number\n")
  }

  // MARK: Meta commands

  func testParse() throws {
    XCTAssertEqual(try MetaCommand.parse(":help"), .help(nil))
    XCTAssertEqual(try MetaCommand.parse(" :help  smooth_ceil "), .help("smooth_ceil"))
    XCTAssertEqual(try MetaCommand.parse(":type w @ x"), .type("w @ x"))
    XCTAssertEqual(try MetaCommand.parse(":time f(1)"), .time("f(1)"))
    XCTAssertEqual(try MetaCommand.parse(":load \"my file.uboost\""), .load("my file.uboost"))
    XCTAssertEqual(try MetaCommand.parse(":cell nb.uboost 3"), .cell(path: "nb.uboost", index: 3))
    XCTAssertEqual(try MetaCommand.parse(":q"), .quit)
    XCTAssertEqual(try MetaCommand.parse(":va"), .vars)
    XCTAssertEqual(try MetaCommand.parse(":lesson smooth-ceil"), .lesson("smooth-ceil"))
    XCTAssertThrowsError(try MetaCommand.parse(":t x")) { error in   // type or time
      XCTAssertEqual(error as? REPLError, .unknownCommand("t"))
    }
    XCTAssertThrowsError(try MetaCommand.parse(":cell nb.uboost")) { error in
      XCTAssertEqual((error as? REPLError)?.description, "usage: :cell FILE N")
    }
    XCTAssertThrowsError(try MetaCommand.parse(":type"))
    XCTAssertThrowsError(try MetaCommand.parse(":load"))
  }

  func testTypeVarsResetHelpQuit() {
    session.feed("let a = 1")
    session.feed("let cfg = {rows: 1}")
    session.feed(":type cfg")
    session.feed(":vars")
    XCTAssertEqual(out.text, "cfg : Record\na   : Number\ncfg : Record\n")
    session.feed(":type nope")
    XCTAssertEqual(out.errors, "unknown name 'nope'\n")
    session.feed(":reset")
    XCTAssertEqual(backend.resetCount, 1)
    session.feed(":vars")
    XCTAssertTrue(out.text.hasSuffix("all bindings forgotten\nno bindings\n"))
    session.feed(":help print")
    XCTAssertTrue(out.text.hasSuffix("help for print\n"))
    session.feed(":help :load")
    XCTAssertTrue(out.text.hasSuffix(":load FILE        run a .uboost file in this session\n"))
    session.feed(":help")
    XCTAssertTrue(out.text.contains(":cell FILE N"))
    XCTAssertTrue(out.text.hasSuffix("builtins: print, plot\n"))
    XCTAssertEqual(session.feed(":quit"), .quit)
    XCTAssertEqual(session.feed(":bogus"), .ready)
    XCTAssertTrue(out.errors.hasSuffix("unknown command ':bogus' (try :help)\n"))
  }

  func testTimePrintsValueAndDuration() {
    session.feed(":time 2 + 3")
    let lines = out.text.split(separator: "\n")
    XCTAssertEqual(lines.first, "5 : Number")
    XCTAssertEqual(lines.count, 2)
    XCTAssertTrue(lines.last?.hasPrefix("time: ") == true && lines.last?.hasSuffix(" ms") == true)
    XCTAssertEqual(REPLSession.formatDuration(0.0123), "12.3 ms")
    XCTAssertEqual(REPLSession.formatDuration(2.345), "2.35 s")
  }

  func testLoadAndCell() throws {
    let dir = try makeTemporaryDirectory(self)
    let script = dir + "/s.uboost"
    try "let a = 4\nprint(a)\n".write(toFile: script, atomically: true, encoding: .utf8)
    let nb = dir + "/nb.uboost"
    try "#%% one\nlet b = 7\n#%% two\n\nfail\n".write(toFile: nb, atomically: true, encoding: .utf8)
    session.feed(":load \(script)")
    XCTAssertEqual(out.text, "4\n")
    XCTAssertEqual(backend.evaluated.last?.file, script)
    session.feed(":cell \"\(nb)\" 1")
    XCTAssertEqual(backend.variables().map(\.name), ["a", "b"])
    session.feed(":cell \(nb) 2")
    XCTAssertEqual(out.errors, "\(nb):5:1: error: boom\n  fail\n  ^\n")
    session.feed(":cell \(nb) 3")
    XCTAssertTrue(out.errors.hasSuffix("has 2 cells; there is no cell 3\n"))
    session.feed(":load \(dir)/missing.uboost")
    XCTAssertTrue(out.errors.hasSuffix("missing.uboost': No such file or directory\n"))
    XCTAssertEqual(session.errorCount, 3)
  }

  func testLessonHook() {
    var pauses = 0
    session.pauseForLearner = { pauses += 1; return true }
    session.feed(":lesson smooth-ceil")
    XCTAssertEqual(out.text, "step 1\nstep 2\n")
    XCTAssertEqual(pauses, 1)
    session.feed(":lesson nope")
    XCTAssertEqual(out.errors, "no lesson named 'nope'\n")
    XCTAssertEqual(backend.lessons, ["smooth-ceil", "nope"])
  }

  // MARK: Interrupt

  func testCtrlCInterruptsTheEvaluationAndKeepsBindings() {
    InterruptTrap.install(exitWhenIdle: false)
    defer { InterruptTrap.uninstall() }
    session.feed("let kept = 42")
    let backend = self.backend!
    DispatchQueue.global().async {
      _ = backend.loopStarted.wait(timeout: .now() + 10)
      kill(getpid(), SIGINT)
    }
    let start = Date()
    session.feed("while true {}")
    XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    XCTAssertEqual(out.errors, "interrupted\n")
    session.feed("kept")
    XCTAssertEqual(out.text, "42 : Number\n")
  }

  // MARK: Piped mode

  func testPipedModeReadsWithoutPromptsAndReportsFailure() {
    var lines = ["print(1)", "let r = {a: 1,", "", "b: 2}", "r", ":vars", "2 + 2"][...]
    let status = REPL(backend: backend, options: .init(historyPath: nil, interactive: false),
                      output: out).runPiped { lines.popFirst() }
    XCTAssertEqual(status, 0)
    XCTAssertEqual(out.text, "1\n{a: 1,\n\nb: 2} : Record\nr : Record\n4 : Number\n")
    XCTAssertEqual(backend.evaluated.first?.file, "<stdin>")

    let failing = FakeBackend()
    var more = ["fail", "print(2)", "let unfinished = (1"][...]
    let out2 = CapturedOutput()
    let status2 = REPL(backend: failing, options: .init(historyPath: nil), output: out2)
      .runPiped { more.popFirst() }
    XCTAssertEqual(status2, 1)
    XCTAssertEqual(out2.text, "2\n")
    XCTAssertEqual(failing.evaluated.last?.source, "let unfinished = (1")   // flushed at the end
  }

  func testPipedQuitStops() {
    var lines = ["print(1)", ":quit", "print(2)"][...]
    _ = REPL(backend: backend, output: out).runPiped { lines.popFirst() }
    XCTAssertEqual(out.text, "1\n")
  }
}
