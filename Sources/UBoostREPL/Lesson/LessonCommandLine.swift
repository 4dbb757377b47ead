import Foundation

// MARK: - `uboost lesson`

/// What `uboost lesson [NAME] [--no-pause] [--markdown PAGE]` does, for the command-line tool.
///
/// ```swift
/// // uboost lesson                      -> lists the lessons
/// // uboost lesson smooth-ceil          -> runs it, pausing after each step
/// let status = LessonCommandLine.run(name: "smooth-ceil", pause: true, backend: adapter)
/// exit(status)
/// ```
public enum LessonCommandLine {
  /// What happens after the lesson, which its last screen must say truthfully.
  public enum Afterwards: Sendable {
    /// A REPL with the lesson's bindings follows (standard input is a terminal).
    case repl
    /// The command ends and the bindings with it.
    case exit
  }

  /// Lists the lessons when `name` is nil; otherwise runs the lesson from step `firstStep`
  /// (reading answers from `input`, by default standard input) or, with `markdownPath`, writes
  /// its page and pictures instead. Returns the exit status: 0, or 1 when the lesson is
  /// unknown, a step failed or was interrupted, or the page cannot be written (the reason goes
  /// to `output.writeError`). `ran` is set when the lesson itself ran.
  public static func run(name: String?, pause: Bool, backend: REPLBackend,
                         markdownPath: String? = nil, firstStep: Int = 1,
                         afterwards: Afterwards = .exit,
                         input: LessonInput = StandardLessonInput(),
                         output: REPLOutput = StandardOutput()) -> Int32 {
    runLesson(name: name, pause: pause, backend: backend, markdownPath: markdownPath, firstStep: firstStep,
              afterwards: afterwards, input: input, output: output).status
  }

  /// `run`, also saying whether the lesson ran (then `afterwards` is due).
  public static func runLesson(name: String?, pause: Bool, backend: REPLBackend,
                               markdownPath: String? = nil, firstStep: Int = 1,
                               afterwards: Afterwards = .exit,
                               input: LessonInput = StandardLessonInput(),
                               output: REPLOutput = StandardOutput()) -> (status: Int32, ran: Bool) {
    guard let name else {
      output.write(Lessons.listing())
      return (0, false)
    }
    do {
      if let markdownPath {
        let run = try LessonDocument.generate(lesson: name, backend: backend, to: markdownPath)
        output.write("wrote \(markdownPath)\n")
        return (run.failed ? 1 : 0, false)
      }
      let runner = LessonRunner(backend: backend, input: input, output: output)
      switch afterwards {
      case .repl:
        runner.bindingsAfterwards = "Its bindings stay defined in the REPL that starts now (:vars lists them, Ctrl-D leaves)."
      case .exit:
        runner.bindingsAfterwards = "Its bindings end with this command (standard input is not a terminal, so no REPL follows); "
          + "inside uboost, :lesson \(name) keeps them."
      }
      let run = try runner.run(name: name, pause: pause, from: firstStep)
      if case .interrupted = run.ending { return (1, true) }
      return (run.failed ? 1 : 0, true)
    } catch {
      output.writeError("\(error)\n")
      return (1, false)
    }
  }
}
