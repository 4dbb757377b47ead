import Foundation

// MARK: - Catalogue

/// A lesson as listed by `uboost lesson`.
///
/// ```swift
/// Lessons.list().first   // LessonSummary(name: "smooth-ceil", title: "The smooth ceiling", stepCount: 8)
/// ```
public struct LessonSummary: Equatable, Sendable {
  /// What to type: `uboost lesson NAME`, `:lesson NAME`.
  public var name: String
  public var title: String
  public var stepCount: Int

  public init(name: String, title: String, stepCount: Int) {
    self.name = name
    self.title = title
    self.stepCount = stepCount
  }
}

/// The lessons shipped with uboost: `stdlib/lessons/*.uboost`, embedded in the binary so they
/// are found whatever the working directory. Setting `UBOOST_LESSONS` to a directory reads
/// the lessons from there instead (for lesson authors: no rebuild needed).
///
/// ```swift
/// Lessons.list().map(\.name)           // ["smooth-ceil"]
/// let lesson = try Lessons.load("smooth-ceil")
/// let mine = try Lessons.load("./my-lesson.uboost")   // a file path also works
/// ```
public enum Lessons {
  /// Environment variable naming a directory of lesson files that replaces the embedded set.
  public static let directoryVariable = "UBOOST_LESSONS"

  /// Every available lesson, sorted by name.
  public static func list() -> [LessonSummary] {
    sources().map { entry in
      let lesson = Lesson(name: entry.name, path: entry.path, source: entry.source)
      return LessonSummary(name: lesson.name, title: lesson.title, stepCount: lesson.steps.count)
    }
  }

  /// The lesson called `name`; a name containing `/`, or ending in `.uboost` and naming no
  /// installed lesson, is read as a lesson file instead.
  public static func load(_ name: String) throws -> Lesson {
    let trimmed = name.trimmingCharacters(in: .whitespaces)
    let all = sources()
    let key = trimmed.hasSuffix(".uboost") ? String(trimmed.dropLast(".uboost".count)) : trimmed
    let lesson: Lesson
    if !trimmed.contains("/"), let entry = all.first(where: { $0.name == key }) {
      lesson = Lesson(name: entry.name, path: entry.path, source: entry.source)
    } else if trimmed.contains("/") || trimmed.hasSuffix(".uboost") {
      let source: String
      do {
        source = try TextFile.read(trimmed)
      } catch let error as REPLError {
        if case let .cannotRead(_, reason) = error { throw LessonError.cannotRead(path: trimmed, reason: reason) }
        throw error
      }
      let base = ((trimmed as NSString).lastPathComponent as NSString).deletingPathExtension
      lesson = Lesson(name: base, path: trimmed, source: source)
    } else {
      throw LessonError.unknownLesson(name: trimmed, available: all.map(\.name))
    }
    guard !lesson.steps.isEmpty else { throw LessonError.noSteps(path: lesson.path) }
    return lesson
  }

  /// The text of `uboost lesson` with no name: one line per lesson.
  public static func listing() -> String {
    let all = list()
    guard !all.isEmpty else { return "no lessons are installed\n" }
    let width = all.map(\.name.count).max() ?? 0
    var text = "Lessons (run one with `uboost lesson NAME` or `:lesson NAME` in the REPL):\n"
    for l in all {
      text += "  " + l.name.padding(toLength: width, withPad: " ", startingAt: 0)
      text += "  \(l.title) (\(l.stepCount) step\(l.stepCount == 1 ? "" : "s"))\n"
    }
    return text
  }

  // MARK: Sources

  struct Source {
    var name: String
    var path: String
    var source: String
  }

  static func sources() -> [Source] {
    if let dir = ProcessInfo.processInfo.environment[directoryVariable], !dir.isEmpty {
      let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        .filter { $0.hasSuffix(".uboost") }.sorted()
      return files.compactMap { file in
        let path = (dir as NSString).appendingPathComponent(file)
        guard let text = try? TextFile.read(path) else { return nil }
        return Source(name: String(file.dropLast(".uboost".count)), path: path, source: text)
      }
    }
    return EmbeddedLessons.files
      .map { Source(name: $0.name, path: "stdlib/lessons/\($0.name).uboost", source: $0.source) }
      .sorted { $0.name < $1.name }
  }
}
