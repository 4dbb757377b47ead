import Foundation
import XCTest
@testable import UBoostREPL

// MARK: - Lesson format and runner, driven through the fake backend

/// A three-step lesson in the fake backend's tiny language.
private let demoSource = """
  # A demo lesson
  # It binds three names.
  #
  # Second paragraph.

  #%% First
  # Binds a.
  let a = 1
  print(a)
  #%% Second
  # Binds b
  # over two lines.
  #
  # And a plot.
  let b = 2
  plot twos
  #%% Third
  let c = 3
  1 + 2
  """

final class LessonRunnerTests: XCTestCase {
  private func demo() -> Lesson { Lesson(name: "demo", path: "demo.uboost", source: demoSource) }

  private func run(_ answers: [String], pause: Bool = true)
    -> (run: LessonRun, backend: FakeBackend, out: CapturedOutput, input: ScriptedLessonInput) {
    let backend = FakeBackend()
    let out = CapturedOutput()
    let input = ScriptedLessonInput(answers)
    let runner = LessonRunner(backend: backend, input: input, output: out)
    // The lesson has steps, so run cannot throw here.
    let run = (try? runner.run(demo(), pause: pause))
      ?? LessonRun(lesson: demo(), results: [], ending: .finished, visits: [])
    return (run, backend, out, input)
  }

  // MARK: Format

  func testParsesTitleIntroductionAndSteps() {
    let lesson = demo()
    XCTAssertEqual(lesson.title, "A demo lesson")
    XCTAssertEqual(lesson.introduction, ["It binds three names.", "Second paragraph."])
    XCTAssertEqual(lesson.steps.map(\.title), ["First", "Second", "Third"])
    XCTAssertEqual(lesson.steps[0].paragraphs, ["Binds a."])
    XCTAssertEqual(lesson.steps[1].paragraphs, ["Binds b\nover two lines.", "And a plot."])
    XCTAssertEqual(lesson.steps[2].paragraphs, [])
    XCTAssertEqual(lesson.steps[0].code, "let a = 1\nprint(a)")
    XCTAssertEqual(lesson.steps[2].code, "let c = 3\n1 + 2")
    // Line numbers point into the file: `let a = 1` is line 8, `let b = 2` line 15.
    XCTAssertEqual(lesson.steps[0].line, 8)
    XCTAssertEqual(lesson.steps[1].line, 15)
    XCTAssertEqual(lesson.steps[2].line, 18)
  }

  func testLessonWithoutHeaderOrTitles() {
    let lesson = Lesson(name: "bare", path: "bare.uboost", source: "#%%\nlet a = 1\n#%%\n# only prose\n")
    XCTAssertEqual(lesson.title, "bare")
    XCTAssertEqual(lesson.introduction, [])
    XCTAssertEqual(lesson.steps.map(\.title), ["Step 1", "Step 2"])
    XCTAssertEqual(lesson.steps[1].paragraphs, ["only prose"])
    XCTAssertEqual(lesson.steps[1].code, "")
  }

  func testLessonWithoutStepsIsAnError() {
    let lesson = Lesson(name: "empty", path: "empty.uboost", source: "# just a title\n")
    let runner = LessonRunner(backend: FakeBackend(), input: ScriptedLessonInput([]), output: CapturedOutput())
    XCTAssertThrowsError(try runner.run(lesson)) { error in
      XCTAssertEqual(error as? LessonError, .noSteps(path: "empty.uboost"))
      XCTAssertTrue("\(error)".contains("#%% Title"))
    }
  }

  func testCommandParsing() {
    XCTAssertEqual(LessonCommand.parse(""), .next)
    XCTAssertEqual(LessonCommand.parse("  "), .next)
    XCTAssertEqual(LessonCommand.parse("b"), .back)
    XCTAssertEqual(LessonCommand.parse("B "), .back)
    XCTAssertEqual(LessonCommand.parse("q"), .quit)
    XCTAssertEqual(LessonCommand.parse("quit"), .quit)
    XCTAssertNil(LessonCommand.parse("x"))
  }

  // MARK: Running

  func testNoPauseRunsEveryStepWithoutReading() {
    let (run, backend, out, input) = run([], pause: false)
    XCTAssertEqual(run.ending, .finished)
    XCTAssertEqual(run.visits, [1, 2, 3])
    XCTAssertEqual(input.readCount, 0)
    XCTAssertEqual(backend.bindings.map(\.name), ["a", "b", "c"])
    XCTAssertFalse(run.failed)
    XCTAssertEqual(run.results.map(\.output), ["1\n", "", ""])
    XCTAssertEqual(run.results[2].outcome.display, "3 : Number")
    XCTAssertEqual(run.results[1].plots.map(\.name), ["twos"])
    XCTAssertEqual(run.results[0].plots, [])
    // Code is evaluated with the lesson's file name and the line it starts on.
    XCTAssertEqual(backend.evaluated.map(\.file), ["demo.uboost", "demo.uboost", "demo.uboost"])
    XCTAssertEqual(backend.evaluated.map(\.line), [8, 15, 18])
    // The learner sees prose, code in a gutter, output and the value.
    XCTAssertTrue(out.text.contains("Step 2 of 3: Second"))
    XCTAssertTrue(out.text.contains("Binds b\nover two lines.\n"))
    XCTAssertTrue(out.text.contains("  | let a = 1\n  | print(a)\n"))
    XCTAssertTrue(out.text.contains("3 : Number\n"))
    XCTAssertFalse(out.text.contains("[Enter"))
    XCTAssertTrue(out.text.hasSuffix("Every binding it made is still defined.\n"))
  }

  func testEnterGoesOn() {
    let (run, _, out, input) = run(["", "", ""])
    XCTAssertEqual(run.ending, .finished)
    XCTAssertEqual(run.visits, [1, 2, 3])
    XCTAssertEqual(input.readCount, 3)
    XCTAssertEqual(out.text.components(separatedBy: "[Enter: next step, b: back, q: quit]").count - 1, 2)
    XCTAssertEqual(out.text.components(separatedBy: "[Enter: finish, b: back, q: quit]").count - 1, 1)
  }

  func testBackShowsAndRunsThePreviousStepAgain() {
    let (run, backend, _, _) = run(["", "b", "", "", ""])
    XCTAssertEqual(run.visits, [1, 2, 1, 2, 3])
    XCTAssertEqual(run.ending, .finished)
    XCTAssertEqual(backend.evaluated.map(\.line), [8, 15, 8, 15, 18])
    // One result per step (the latest run).
    XCTAssertEqual(run.results.map(\.step.index), [1, 2, 3])
  }

  func testBackAtTheFirstStepStaysThere() {
    let (run, _, out, _) = run(["b", "", "", ""])
    XCTAssertEqual(run.visits, [1, 1, 2, 3])
    XCTAssertTrue(out.text.contains("This is the first step"))
  }

  func testQuitLeavesAndKeepsBindings() {
    let (run, backend, out, _) = run(["", "q"])
    XCTAssertEqual(run.ending, .quit(afterStep: 2))
    XCTAssertEqual(run.visits, [1, 2])
    XCTAssertEqual(backend.bindings.map(\.name), ["a", "b"])
    XCTAssertEqual(run.results.map(\.step.index), [1, 2])
    XCTAssertTrue(out.text.contains("Left the lesson 'demo' after step 2 of 3"))
    XCTAssertFalse(out.text.contains("Step 3 of 3"))
    // The session goes on with the lesson's bindings.
    XCTAssertEqual(backend.evaluate("b", file: "<repl>", output: { _ in }).display, "2 : Number")
  }

  func testEndOfInputQuits() {
    let (run, _, _, _) = run([""])
    XCTAssertEqual(run.ending, .quit(afterStep: 2))
  }

  func testUnknownAnswerAsksAgain() {
    let (run, _, out, input) = run(["what", "", "", ""])
    XCTAssertEqual(run.visits, [1, 2, 3])
    XCTAssertEqual(input.readCount, 4)
    XCTAssertTrue(out.text.contains("Type Enter to go on, b to go back or q to leave the lesson."))
  }

  func testFailingStepIsShownAndTheLessonGoesOn() {
    let source = "#%% Bad\nfail\n#%% Good\nlet z = 5\n"
    let lesson = Lesson(name: "bad", path: "bad.uboost", source: source)
    let out = CapturedOutput()
    let run = try? LessonRunner(backend: FakeBackend(), input: ScriptedLessonInput([]), output: out)
      .run(lesson, pause: false)
    XCTAssertEqual(run?.visits, [1, 2])
    XCTAssertEqual(run?.failed, true)
    XCTAssertEqual(out.errors, "bad.uboost:2:1: error: boom\n  fail\n  ^\n")
  }

  func testInterruptStopsTheLesson() {
    let lesson = Lesson(name: "loop", path: "loop.uboost",
                        source: "#%% Set\nlet k = 1\n#%% Spin\nwhile true {}\n#%% Never\nlet never = 1\n")
    let backend = FakeBackend()
    let out = CapturedOutput()
    let runner = LessonRunner(backend: backend, input: ScriptedLessonInput([]), output: out)
    let done = DispatchSemaphore(value: 0)
    // Written by the lesson's thread before `done` is signalled, read after the wait.
    final class Result: @unchecked Sendable { var run: LessonRun? }
    let result = Result()
    Thread.detachNewThread {
      result.run = try? runner.run(lesson, pause: false)
      done.signal()
    }
    XCTAssertEqual(backend.loopStarted.wait(timeout: .now() + 10), .success)
    backend.requestInterrupt()
    XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
    let run = result.run
    XCTAssertEqual(run?.ending, .interrupted(atStep: 2))
    XCTAssertEqual(run?.visits, [1, 2])
    XCTAssertEqual(backend.bindings.map(\.name), ["k"])
    XCTAssertTrue(out.text.contains("The lesson stopped at step 2 (interrupted)"))
  }

  func testPauseHookInput() {
    var calls = 0
    let input = PauseHookLessonInput(pause: { calls += 1; return calls < 2 })
    XCTAssertFalse(input.printsPrompt)
    let out = CapturedOutput()
    let run = try? LessonRunner(backend: FakeBackend(), input: input, output: out).run(demo())
    XCTAssertEqual(run?.ending, .quit(afterStep: 2))
    XCTAssertFalse(out.text.contains("[Enter"))
  }

  func testCommandLine() {
    let out = CapturedOutput()
    XCTAssertEqual(LessonCommandLine.run(name: nil, pause: true, backend: FakeBackend(), output: out), 0)
    XCTAssertTrue(out.text.hasPrefix("Lessons (run one with"))
    XCTAssertTrue(out.text.contains("  smooth-ceil  The smooth ceiling (8 steps)\n"))
    let bad = CapturedOutput()
    XCTAssertEqual(LessonCommandLine.run(name: "nope", pause: false, backend: FakeBackend(),
                                         input: ScriptedLessonInput([]), output: bad), 1)
    XCTAssertEqual(bad.errors, "no lesson named 'nope' (lessons: smooth-ceil)\n")
  }

  func testRunFromREPLReportsUnknownLessons() {
    let message = LessonRunner.runFromREPL("no-such-lesson", backend: FakeBackend(), output: { _ in },
                                           pause: { true }, input: ScriptedLessonInput([]))
    XCTAssertEqual(message, "no lesson named 'no-such-lesson' (lessons: smooth-ceil)")
  }
}
