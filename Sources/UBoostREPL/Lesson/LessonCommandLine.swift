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
  /// Lists the lessons when `name` is nil; otherwise runs the lesson (reading answers from
  /// `input`, by default standard input) or, with `markdownPath`, writes its page and pictures
  /// instead. Returns the exit status: 0, or 1 when the lesson is unknown, a step failed or was
  /// interrupted, or the page cannot be written (the reason goes to `output.writeError`).
  public static func run(name: String?, pause: Bool, backend: REPLBackend,
                         markdownPath: String? = nil,
                         input: LessonInput = StandardLessonInput(),
                         output: REPLOutput = StandardOutput()) -> Int32 {
    guard let name else {
      output.write(Lessons.listing())
      return 0
    }
    do {
      if let markdownPath {
        let run = try LessonDocument.generate(lesson: name, backend: backend, to: markdownPath)
        output.write("wrote \(markdownPath)\n")
        return run.failed ? 1 : 0
      }
      let run = try LessonRunner(backend: backend, input: input, output: output).run(name: name, pause: pause)
      if case .interrupted = run.ending { return 1 }
      return run.failed ? 1 : 0
    } catch {
      output.writeError("\(error)\n")
      return 1
    }
  }
}
