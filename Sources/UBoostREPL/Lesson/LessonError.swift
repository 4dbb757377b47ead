// MARK: - Errors

/// Failures a learner or lesson author can cause, each with a message fit to show.
///
/// ```swift
/// do { _ = try Lessons.load("nope") } catch { print(error) }
/// // no lesson named 'nope' (lessons: smooth-ceil)
/// ```
public enum LessonError: Error, CustomStringConvertible, Equatable {
  /// No embedded lesson (and no file) has this name.
  case unknownLesson(name: String, available: [String])
  /// The lesson file has no `#%%` step.
  case noSteps(path: String)
  /// A lesson file given by path could not be read.
  case cannotRead(path: String, reason: String)
  /// `--step N` outside the lesson's steps.
  case noSuchStep(lesson: String, step: Int, count: Int)

  public var description: String {
    switch self {
    case let .unknownLesson(name, available):
      let list = available.isEmpty ? "none are installed" : "lessons: " + available.joined(separator: ", ")
      return "no lesson named '\(name)' (\(list))"
    case let .noSteps(path):
      return "'\(path)' has no steps: a lesson needs cells that start with '#%% Title'"
    case let .cannotRead(path, reason):
      return "cannot read lesson '\(path)': \(reason)"
    case let .noSuchStep(lesson, step, count):
      return "lesson '\(lesson)' has steps 1 to \(count); there is no step \(step)"
    }
  }
}
