import Foundation

// MARK: - Markdown export

/// A lesson run as a Markdown page: the title and introduction, then for each step its
/// heading, its explanation as prose, its code, its output and its pictures (SVG files next
/// to the page, named `NAME-stepK-J.svg`). `docs/lessons/*.md` are generated this way, and a
/// test keeps them in sync with the lessons.
///
/// ```swift
/// let run = try LessonRunner(backend: adapter, input: ScriptedLessonInput([]),
///                            output: CapturedOutput()).run(name: "smooth-ceil", pause: false)
/// try LessonDocument(run: run).write(to: "docs/lessons/smooth-ceil.md")
/// ```
public struct LessonDocument {
  /// One picture of the page.
  public struct Picture: Equatable, Sendable {
    /// The file name, next to the page (also the link in the Markdown).
    public var fileName: String
    public var svg: String
  }

  public private(set) var markdown = ""
  public private(set) var pictures: [Picture] = []

  public init(run: LessonRun) {
    let lesson = run.lesson
    var md = "# \(lesson.title)\n\n"
    md += "<!-- Generated from \(lesson.path) by LessonDocument: edit the lesson, not this page. -->\n"
    for paragraph in lesson.introduction { md += "\n" + paragraph + "\n" }
    md += "\nRun it yourself, one step at a time: `uboost lesson \(lesson.name)` "
    md += "(or `:lesson \(lesson.name)` in the REPL).\n"
    for result in run.results {
      let step = result.step
      md += "\n## \(step.index). \(step.title)\n"
      for paragraph in step.paragraphs { md += "\n" + paragraph + "\n" }
      if !step.code.isEmpty {
        md += "\n" + MarkdownReport.fenced(step.code, language: "uboost")
      }
      var shown = result.output
      if let display = result.outcome.display {
        if !shown.isEmpty, !shown.hasSuffix("\n") { shown += "\n" }
        shown += display + "\n"
      }
      if !shown.isEmpty {
        md += "\nOutput:\n\n" + MarkdownReport.fenced(shown, language: "text")
      }
      if let error = result.outcome.error ?? (result.outcome.interrupted ? "interrupted" : nil) {
        md += "\n**Error:**\n\n" + MarkdownReport.fenced(error, language: "text")
      }
      for (k, plot) in result.plots.enumerated() {
        let name = "\(lesson.name)-step\(step.index)-\(k + 1).svg"
        pictures.append(Picture(fileName: name, svg: plot.svg))
        // The plot's name is a file-friendly form of its title; spaces read better as alt text.
        let alt = plot.name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "]", with: "\\]")
        md += "\n![\(alt)](\(name))\n"
      }
    }
    markdown = md
  }

  /// Writes the page to `path` and its pictures next to it.
  public func write(to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    for picture in pictures {
      let file = directory.isEmpty ? picture.fileName
        : (directory as NSString).appendingPathComponent(picture.fileName)
      try ReportWriter.writeText(picture.svg, to: file)
    }
    try ReportWriter.writeText(markdown, to: path)
  }

  /// Runs the lesson `name` straight through in `backend` (which should collect plots and
  /// not draw charts as text) and writes its page to `path`. Returns the run.
  @discardableResult
  public static func generate(lesson name: String, backend: REPLBackend, to path: String) throws -> LessonRun {
    let runner = LessonRunner(backend: backend, input: ScriptedLessonInput([]), output: CapturedOutput())
    let run = try runner.run(name: name, pause: false)
    try LessonDocument(run: run).write(to: path)
    return run
  }
}
