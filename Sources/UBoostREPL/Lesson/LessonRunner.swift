import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Results

/// What one step did the last time it ran.
///
/// ```swift
/// let run = try runner.run(name: "smooth-ceil", pause: false)
/// run.results[1].output          // "util(128) = 1  util(129) = 0.504 ...\n"
/// run.results[1].plots.count     // 1 (when the backend collects plots)
/// ```
public struct LessonStepResult: Equatable, Sendable {
  public var step: LessonStep
  /// Text the step's code printed (including charts drawn as text).
  public var output: String
  /// Its value, error or interrupt.
  public var outcome: EvalOutcome
  /// Plots the step produced (SVG), when the backend collects them.
  public var plots: [PlotImage]

  public init(step: LessonStep, output: String, outcome: EvalOutcome, plots: [PlotImage]) {
    self.step = step
    self.output = output
    self.outcome = outcome
    self.plots = plots
  }
}

/// How a lesson run ended and what each step did.
///
/// ```swift
/// let run = try runner.run(name: "smooth-ceil")    // learner typed Enter, b, Enter, q
/// run.visits     // [1, 2, 1, 2]
/// run.ending     // .quit(afterStep: 2)
/// ```
public struct LessonRun: Equatable, Sendable {
  /// How the run ended.
  public enum Ending: Equatable, Sendable {
    /// Every step ran and the learner went on past the last one.
    case finished
    /// The learner typed `q` (or input ended) after the step with this 1-based index.
    case quit(afterStep: Int)
    /// Ctrl-C stopped the step with this index.
    case interrupted(atStep: Int)
  }

  public var lesson: Lesson
  /// The latest result of every step that ran, in step order.
  public var results: [LessonStepResult]
  public var ending: Ending
  /// Steps in the order they were shown (a step appears again when the learner went back).
  public var visits: [Int]

  public init(lesson: Lesson, results: [LessonStepResult], ending: Ending, visits: [Int]) {
    self.lesson = lesson
    self.results = results
    self.ending = ending
    self.visits = visits
  }

  /// True when a step failed or was interrupted.
  public var failed: Bool { results.contains { $0.outcome.failed } }
}

// MARK: - Runner

/// Runs a lesson step by step in a REPL backend's session: for each step it shows the title,
/// the explanation and the code, runs the code (so every binding stays in the session), shows
/// the output, then pauses for the learner: Enter goes on, `b` goes back one step (showing and
/// running it again), `q` leaves the lesson. Without pauses it runs straight through.
///
/// ```swift
/// let runner = LessonRunner(backend: adapter, input: StandardLessonInput(), output: StandardOutput())
/// let run = try runner.run(name: "smooth-ceil", pause: true)
/// exit(run.failed ? 1 : 0)
/// ```
public final class LessonRunner {
  public let backend: REPLBackend
  public let input: LessonInput
  public let output: REPLOutput

  public init(backend: REPLBackend, input: LessonInput, output: REPLOutput) {
    self.backend = backend
    self.input = input
    self.output = output
  }

  /// Loads the lesson `name` (see ``Lessons/load(_:)``) and runs it.
  @discardableResult
  public func run(name: String, pause: Bool = true, from firstStep: Int = 1) throws -> LessonRun {
    try run(Lessons.load(name), pause: pause, from: firstStep)
  }

  /// What the last screen says about the lesson's bindings afterwards. The default fits a
  /// lesson run inside a REPL session (`:lesson`), where they stay defined.
  public var bindingsAfterwards = "Every binding it made is still defined."

  /// Runs `lesson`; with `pause` false every step runs without waiting (`--no-pause`). With
  /// `firstStep` above 1 the earlier steps run quietly first (their bindings are needed) and
  /// the lesson is shown from that step (`--step N`).
  @discardableResult
  public func run(_ lesson: Lesson, pause: Bool = true, from firstStep: Int = 1) throws -> LessonRun {
    guard !lesson.steps.isEmpty else { throw LessonError.noSteps(path: lesson.path) }
    guard (1...lesson.steps.count).contains(firstStep) else {
      throw LessonError.noSuchStep(lesson: lesson.name, step: firstStep, count: lesson.steps.count)
    }
    _ = backend.takePlots()   // plots made before the lesson belong to no step
    showIntroduction(lesson, pause: pause)
    var latest: [Int: LessonStepResult] = [:]
    var visits: [Int] = []
    if firstStep > 1 {
      for step in lesson.steps[..<(firstStep - 1)] {
        let result = runQuietly(step, of: lesson)
        latest[step.index] = result
        if result.outcome.interrupted {
          showEnding(.interrupted(atStep: step.index), lesson: lesson)
          return LessonRun(lesson: lesson, results: latest.keys.sorted().compactMap { latest[$0] },
                           ending: .interrupted(atStep: step.index), visits: visits)
        }
      }
      output.write("\n(Steps 1 to \(firstStep - 1) ran without being shown, to make their bindings.)\n")
    }
    var position = firstStep - 1
    var ending = LessonRun.Ending.finished
    stepping: while position < lesson.steps.count {
      let step = lesson.steps[position]
      visits.append(step.index)
      let result = show(step, of: lesson)
      latest[step.index] = result
      if result.outcome.interrupted {
        ending = .interrupted(atStep: step.index)
        break stepping
      }
      guard pause else {
        position += 1
        continue
      }
      switch ask(last: position == lesson.steps.count - 1, first: position == 0) {
      case .next:
        position += 1
      case .back:
        position = max(0, position - 1)
      case .quit:
        ending = .quit(afterStep: step.index)
        break stepping
      }
    }
    showEnding(ending, lesson: lesson)
    let results = latest.keys.sorted().compactMap { latest[$0] }
    return LessonRun(lesson: lesson, results: results, ending: ending, visits: visits)
  }

  // MARK: Showing a step

  private func showIntroduction(_ lesson: Lesson, pause: Bool) {
    var text = "\n" + lesson.title + "\n" + String(repeating: "=", count: lesson.title.count) + "\n"
    for paragraph in lesson.introduction { text += "\n" + paragraph + "\n" }
    text += "\n\(lesson.steps.count) steps."
    text += pause ? " At each pause: Enter goes on, b goes back, q leaves (your bindings stay).\n"
                  : "\n"
    output.write(text)
  }

  private func show(_ step: LessonStep, of lesson: Lesson) -> LessonStepResult {
    let heading = "Step \(step.index) of \(lesson.steps.count): \(step.title)"
    var text = "\n" + heading + "\n" + String(repeating: "-", count: heading.count) + "\n"
    for paragraph in step.paragraphs { text += "\n" + paragraph + "\n" }
    if !step.code.isEmpty {
      text += "\n"
      for line in TextFile.lines(step.code) { text += "  | " + line + "\n" }
      text += "\n"
    }
    output.write(text)
    guard !step.code.isEmpty else {
      return LessonStepResult(step: step, output: "", outcome: EvalOutcome(), plots: [])
    }
    let collected = LessonText()
    let sink = output
    let outcome = backend.evaluate(step.code, file: lesson.path, line: step.line, output: { text in
      collected.append(text)
      sink.write(text)
    })
    let printed = collected.text
    if let error = outcome.error {
      if !printed.isEmpty, !printed.hasSuffix("\n") { output.write("\n") }
      output.writeError(REPLSession.line(error))
    } else if let display = outcome.display {
      if !printed.isEmpty, !printed.hasSuffix("\n") { output.write("\n") }
      output.write(display + "\n")
    }
    return LessonStepResult(step: step, output: printed, outcome: outcome, plots: backend.takePlots())
  }

  /// Runs a step's code without showing it; only an error is shown.
  private func runQuietly(_ step: LessonStep, of lesson: Lesson) -> LessonStepResult {
    guard !step.code.isEmpty else {
      return LessonStepResult(step: step, output: "", outcome: EvalOutcome(), plots: [])
    }
    let collected = LessonText()
    let outcome = backend.evaluate(step.code, file: lesson.path, line: step.line, output: { collected.append($0) })
    if let error = outcome.error {
      output.writeError("Step \(step.index) (run without being shown) failed:\n" + REPLSession.line(error))
    }
    return LessonStepResult(step: step, output: collected.text, outcome: outcome, plots: backend.takePlots())
  }

  // MARK: Pausing

  private func ask(last: Bool, first: Bool) -> LessonCommand {
    let prompt = last ? "[Enter: finish, b: back, q: quit] " : "[Enter: next step, b: back, q: quit] "
    while true {
      if input.printsPrompt { output.write("\n" + prompt) }
      guard let answer = input.readLine() else {
        if input.printsPrompt { output.write("\n") }
        return .quit
      }
      guard let command = LessonCommand.parse(answer) else {
        output.write("Type Enter to go on, b to go back or q to leave the lesson.")
        if !input.printsPrompt { output.write("\n") }
        continue
      }
      if command == .back, first {
        output.write("This is the first step; showing it again.\n")
      }
      return command
    }
  }

  private func showEnding(_ ending: LessonRun.Ending, lesson: Lesson) {
    switch ending {
    case .finished:
      output.write("\nEnd of the lesson '\(lesson.name)'. \(bindingsAfterwards)\n")
    case let .quit(step):
      output.write("\nLeft the lesson '\(lesson.name)' after step \(step) of \(lesson.steps.count). "
                   + "\(bindingsAfterwards)\n")
    case let .interrupted(step):
      output.write("\nThe lesson stopped at step \(step) (interrupted). \(bindingsAfterwards)\n")
    }
  }
}

// MARK: - REPL glue

extension LessonRunner {
  /// The body of `REPLBackend.runLesson` for a backend adapter: runs the lesson `name` in
  /// `backend`'s session, writing through `output` and reading the learner's answers from
  /// `input`. By default that is the terminal when standard input is one (so `b` works), and
  /// otherwise the REPL's `pause` hook (piped input is never eaten as answers). Returns an
  /// error message or nil.
  ///
  /// ```swift
  /// func runLesson(_ name: String, output: @escaping (String) -> Void,
  ///                pause: @escaping () -> Bool) -> String? {
  ///   LessonRunner.runFromREPL(name, backend: self, output: output, pause: pause)
  /// }
  /// ```
  public static func runFromREPL(_ name: String, backend: REPLBackend,
                                 output: @escaping (String) -> Void,
                                 pause: @escaping () -> Bool,
                                 input: LessonInput? = nil) -> String? {
    let sink = LessonClosureOutput(output)
    let answers = input ?? (isatty(STDIN_FILENO) != 0 ? StandardLessonInput() : PauseHookLessonInput(pause: pause))
    let runner = LessonRunner(backend: backend, input: answers, output: sink)
    do {
      let run = try runner.run(name: name, pause: true)
      if case let .interrupted(step) = run.ending { return "lesson '\(name)' interrupted at step \(step)" }
      return nil
    } catch {
      return "\(error)"
    }
  }
}

/// A ``REPLOutput`` that sends program output and errors to one closure.
///
/// ```swift
/// let out = LessonClosureOutput { text in print(text, terminator: "") }
/// ```
public final class LessonClosureOutput: REPLOutput {
  private let write: (String) -> Void

  public init(_ write: @escaping (String) -> Void) {
    self.write = write
  }

  public func write(_ text: String) { write(text) }
  public func writeError(_ text: String) { write(text) }
}

// Program output may arrive on another thread.
final class LessonText: @unchecked Sendable {
  private let lock = NSLock()
  private var buffer = ""

  func append(_ text: String) {
    lock.lock()
    buffer += text
    lock.unlock()
  }

  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return buffer
  }
}
