import Foundation
import XCTest
@testable import UBoostREPL

// MARK: - The shipped lessons, run through the real interpreter and engine

/// The repository root (this file is Tests/UBoostREPLTests/LessonSmoothCeilTests.swift).
let lessonRepositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()


final class LessonSmoothCeilTests: XCTestCase {
  private func runLesson(terminalCharts: Bool = false) throws -> (LessonRun, CapturedOutput) {
    let backend = try InterpreterLessonBackend(terminalCharts: terminalCharts)
    let out = CapturedOutput()
    let run = try LessonRunner(backend: backend, input: ScriptedLessonInput([]), output: out)
      .run(name: "smooth-ceil", pause: false)
    return (run, out)
  }

  private func output(_ run: LessonRun, step: Int) -> String {
    run.results.first { $0.step.index == step }?.output ?? ""
  }

  func testEveryStepRunsWithoutError() throws {
    let (run, out) = try runLesson()
    XCTAssertEqual(run.lesson.steps.count, 8)
    XCTAssertEqual(run.ending, .finished)
    XCTAssertEqual(run.visits, Array(1...8))
    for result in run.results {
      XCTAssertNil(result.outcome.error, "step \(result.step.index) \(result.step.title)")
      XCTAssertFalse(result.step.paragraphs.isEmpty, "step \(result.step.index) has no explanation")
      XCTAssertFalse(result.step.code.isEmpty, "step \(result.step.index) has no code")
    }
    XCTAssertEqual(out.errors, "")
  }

  func testStepsShowWhatTheTextSays() throws {
    let (run, _) = try runLesson()
    // 1: tiles and utilization, computed independently here.
    for cout in [64, 128, 129, 200, 256, 257] {
      let tiles = (cout + 127) / 128
      let util = String(format: "%.3f", Double(cout) / Double(128 * tiles))
      XCTAssertTrue(output(run, step: 1).contains("cout \(cout): \(tiles) tile(s), utilization \(util)"),
                    output(run, step: 1))
    }
    // 2: the cliff after 128 and 256, and a plot.
    XCTAssertTrue(output(run, step: 2).contains("util(128) = 1  util(129) = 0.504  util(257) = 0.669"),
                  output(run, step: 2))
    XCTAssertEqual(run.results[1].plots.count, 1)
    // 3: no gradient through ceil, a misleading one through utilization.
    XCTAssertTrue(output(run, step: 3).contains("d ceil/dx at 0.5, 1.05, 2.9: 0 0 0"), output(run, step: 3))
    XCTAssertTrue(output(run, step: 3).contains("at 129: \(1.0 / 256)"), output(run, step: 3))
    // 4: the sigmoid sum is 1.5 at 1 whatever T.
    for T in [4, 32, 256] { XCTAssertTrue(output(run, step: 4).contains("T = \(T): f(0.5) = ")) }
    XCTAssertEqual(output(run, step: 4).components(separatedBy: "f(1) = 1.500").count - 1, 3, output(run, step: 4))
    // 5: the reference form's shifted steps and the 5x under-charge.
    XCTAssertTrue(output(run, step: 5).contains("x = 1.0078: reference 1.036, ceil 2"), output(run, step: 5))
    XCTAssertTrue(output(run, step: 5).contains("x = 0.0703: reference 0.202, ceil 1"), output(run, step: 5))
    XCTAssertTrue(output(run, step: 5).contains("ratio 0.20"), output(run, step: 5))
    // 6: the corrected form charges small layers in full.
    XCTAssertTrue(output(run, step: 6).contains("T = 32: f(9/128) = 1.000, f(1) = 1.018"), output(run, step: 6))
    XCTAssertTrue(output(run, step: 6).contains("3x3 depthwise with the corrected form: 1.049 ms"), output(run, step: 6))
    // 7: the gradient points back to 128 just past it and on to 256 further on.
    XCTAssertEqual(run.results[6].plots.count, 2)
    // 8: the search ends near multiples of 128.
    let search = output(run, step: 8)
    for line in search.split(separator: "\n") where line.hasPrefix("start ") {
      let parts = line.split(separator: " ")
      guard parts.count > 10, let found = Double(parts[3]),
            let grid = Double(parts[10].trimmingCharacters(in: .punctuationCharacters)) else {
        return XCTFail("bad line: \(line)")
      }
      XCTAssertLessThan(abs(found - grid), 4, "\(line)")
      XCTAssertEqual(grid.truncatingRemainder(dividingBy: 128), 0, "\(line)")
      XCTAssertTrue(line.hasSuffix("exact utilization 1.000"), "\(line)")
    }
    XCTAssertEqual(search.split(separator: "\n").filter { $0.hasPrefix("start ") }.count, 4, search)
  }

  func testTerminalModeWithPausesAndGoingBack() throws {
    let backend = try InterpreterLessonBackend(terminalCharts: true)
    let out = CapturedOutput()
    // Next through step 3, back to 2, then on to the end.
    let answers = ["", "", "b", "", "", "", "", "", "", ""]
    let run = try LessonRunner(backend: backend, input: ScriptedLessonInput(answers), output: out)
      .run(name: "smooth-ceil", pause: true)
    XCTAssertFalse(run.failed)
    XCTAssertEqual(run.ending, .finished)
    XCTAssertEqual(run.visits, [1, 2, 3, 2, 3, 4, 5, 6, 7, 8])
    // Braille dots of the line charts appear in the learner's output.
    XCTAssertTrue(out.text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
    XCTAssertEqual(out.errors, "")
    if let path = ProcessInfo.processInfo.environment["LESSON_TRANSCRIPT"] {
      try out.text.write(toFile: path, atomically: true, encoding: .utf8)
    }
  }

  func testCommandLineRunsTheLessonAndWritesThePage() throws {
    let out = CapturedOutput()
    let status = LessonCommandLine.run(name: "smooth-ceil", pause: false,
                                       backend: try InterpreterLessonBackend(terminalCharts: false),
                                       input: ScriptedLessonInput([]), output: out)
    XCTAssertEqual(status, 0)
    XCTAssertTrue(out.text.contains("Step 8 of 8: A tiny channel search"))
    let dir = try makeTemporaryDirectory(self)
    let page = (dir as NSString).appendingPathComponent("page.md")
    let pageOut = CapturedOutput()
    XCTAssertEqual(LessonCommandLine.run(name: "smooth-ceil", pause: false,
                                         backend: try InterpreterLessonBackend(terminalCharts: false),
                                         markdownPath: page, output: pageOut), 0)
    XCTAssertEqual(pageOut.text, "wrote \(page)\n")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    XCTAssertTrue(files.contains("page.md"))
    XCTAssertTrue(files.contains("smooth-ceil-step2-1.svg"))
  }

  // MARK: The REPL's :lesson

  func testLessonFromTheREPLKeepsBindingsAfterQuitting() throws {
    let backend = try InterpreterLessonBackend(terminalCharts: false)
    let out = CapturedOutput()
    let session = REPLSession(backend: backend, output: out)
    var pauses = 0
    session.pauseForLearner = { pauses += 1; return pauses < 2 }   // go on once, then quit
    XCTAssertEqual(session.feed(":lesson smooth-ceil"), .ready)
    XCTAssertEqual(pauses, 2)
    XCTAssertTrue(out.text.contains("Left the lesson 'smooth-ceil' after step 2 of 8"), out.text)
    XCTAssertFalse(out.text.contains("Step 3 of 8"))
    XCTAssertEqual(out.errors, "")
    session.feed("util(129) * 256")
    XCTAssertTrue(out.text.hasSuffix("129 : number\n") || out.text.hasSuffix("129 : Number\n"), out.text)
    session.feed("hw.rows")
    XCTAssertTrue(out.text.lowercased().hasSuffix("128 : number\n"), out.text)
  }

  func testRunFromREPLWithTypedAnswers() throws {
    let backend = try InterpreterLessonBackend(terminalCharts: false)
    var text = ""
    let message = LessonRunner.runFromREPL("smooth-ceil", backend: backend, output: { text += $0 },
                                           pause: { true }, input: ScriptedLessonInput(["", "b", "", "q"]))
    XCTAssertNil(message)
    XCTAssertEqual(text.components(separatedBy: "Step 1 of 8").count - 1, 2)
    XCTAssertEqual(text.components(separatedBy: "Step 2 of 8").count - 1, 2)
    XCTAssertTrue(text.contains("Left the lesson 'smooth-ceil' after step 2 of 8"))
    // The try-it-yourself of step 8 holds: a sharper ceiling loses the cliff from 150.
    // (Steps 1 and 2 ran; 7 and 8 define soft_util, loss and descend.)
    let steps = try Lessons.load("smooth-ceil").steps
    let outcome = backend.evaluate("""
      \(steps[6].code)
      \(steps[7].code)
      let hw = systolic(temp: 128)
      last(descend(loss, 150))
      """, file: "t", line: 1, output: { _ in })
    let found = try XCTUnwrap(Double(outcome.value ?? ""), outcome.error ?? "")
    XCTAssertEqual(found, 183, accuracy: 1)
  }

  func testUnknownLessonFromTheREPL() throws {
    let backend = try InterpreterLessonBackend(terminalCharts: false)
    let out = CapturedOutput()
    let session = REPLSession(backend: backend, output: out)
    session.feed(":lesson nope")
    XCTAssertEqual(out.errors, "no lesson named 'nope' (lessons: smooth-ceil)\n")
  }

  // MARK: Catalogue

  func testListingNamesTheLesson() {
    let list = Lessons.list()
    XCTAssertEqual(list, [LessonSummary(name: "smooth-ceil", title: "The smooth ceiling", stepCount: 8)])
    XCTAssertTrue(Lessons.listing().contains("smooth-ceil  The smooth ceiling (8 steps)"))
  }

  func testLoadByPath() throws {
    let path = lessonRepositoryRoot.appendingPathComponent("stdlib/lessons/smooth-ceil.uboost").path
    let lesson = try Lessons.load(path)
    XCTAssertEqual(lesson.name, "smooth-ceil")
    XCTAssertEqual(lesson.steps.count, 8)
    XCTAssertEqual(try Lessons.load("smooth-ceil.uboost").path, "stdlib/lessons/smooth-ceil.uboost")
    XCTAssertThrowsError(try Lessons.load("/no/such/lesson.uboost")) { error in
      XCTAssertEqual(error as? LessonError,
                     .cannotRead(path: "/no/such/lesson.uboost", reason: "No such file or directory"))
    }
    XCTAssertThrowsError(try Lessons.load("nope")) { error in
      XCTAssertEqual("\(error)", "no lesson named 'nope' (lessons: smooth-ceil)")
    }
  }

  // Generated files (the embedded lessons, docs/lessons/smooth-ceil.md): GeneratedFilesTests.

}
