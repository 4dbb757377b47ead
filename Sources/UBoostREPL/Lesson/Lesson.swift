import Foundation

// MARK: - Lesson steps

/// One step of a lesson: a `#%% Title` cell whose leading `#` comment lines are the
/// explanation shown as prose, followed by the code that is shown and then run.
public struct LessonStep: Equatable, Sendable {
  /// 1-based position among the lesson's steps.
  public var index: Int
  /// The text after `#%%` (or `Step N` when there is none).
  public var title: String
  /// The explanation: paragraphs of prose (comment lines with `# ` removed; a lone `#` line
  /// separates paragraphs). Lines inside a paragraph keep their line breaks.
  public var paragraphs: [String]
  /// The code, without the explanation and surrounding blank lines; may be empty.
  public var code: String
  /// 1-based line in the lesson file where `code` starts (for error messages).
  public var line: Int

  public init(index: Int, title: String, paragraphs: [String], code: String, line: Int) {
    self.index = index
    self.title = title
    self.paragraphs = paragraphs
    self.code = code
    self.line = line
  }
}

// MARK: - Lesson

/// A lesson: a `.uboost` notebook read as a sequence of steps.
///
/// The file's comment lines before the first `#%%` are the lesson's title (the first line) and
/// introduction; every `#%% Title` cell is a step whose leading comment lines are the prose
/// and whose remaining lines are the code.
///
/// ```swift
/// let lesson = Lesson(name: "demo", path: "demo.uboost", source: """
///   # A demo
///   # Shows a step.
///   #%% Add
///   # Two numbers.
///   1 + 2
///   """)
/// lesson.title                 // "A demo"
/// lesson.steps[0].paragraphs   // ["Two numbers."]
/// lesson.steps[0].code         // "1 + 2"
/// ```
public struct Lesson: Equatable, Sendable {
  /// The name used in `uboost lesson NAME` (the file name without `.uboost`).
  public var name: String
  /// Where the lesson came from (used in error messages), e.g. `stdlib/lessons/smooth-ceil.uboost`.
  public var path: String
  public var title: String
  /// Paragraphs shown before the first step.
  public var introduction: [String]
  public var steps: [LessonStep]

  public init(name: String, path: String, source: String) {
    self.name = name
    self.path = path
    let notebook = Notebook(source: source, path: path)
    var cells = notebook.cells
    var header: [String] = []
    let firstLine = TextFile.lines(source).first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    if let first = cells.first, let firstLine, !firstLine.hasPrefix(Notebook.marker) {
      // Code before the first `#%%`: its comments are the title and introduction.
      let split = Self.splitProse(first.source)
      header = split.paragraphs
      cells.removeFirst()
    }
    let firstParagraph = header.first ?? ""
    let titleLine = firstParagraph.split(separator: "\n", maxSplits: 1).first.map(String.init)
    self.title = titleLine ?? name
    var intro = header
    if !intro.isEmpty {
      let rest = firstParagraph.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
      if rest.count > 1 { intro[0] = String(rest[1]) } else { intro.removeFirst() }
    }
    self.introduction = intro
    self.steps = cells.enumerated().map { k, cell in
      let split = Self.splitProse(cell.source)
      return LessonStep(index: k + 1, title: cell.title ?? "Step \(k + 1)", paragraphs: split.paragraphs,
                        code: split.code, line: cell.line + split.codeOffset)
    }
  }

  // MARK: Prose and code

  /// Splits a cell into its leading comment block (as paragraphs) and the code after it.
  /// `codeOffset` is the number of lines before the code.
  static func splitProse(_ source: String) -> (paragraphs: [String], code: String, codeOffset: Int) {
    let lines = TextFile.lines(source)
    var paragraphs: [String] = []
    var current: [String] = []
    var k = 0
    while k < lines.count {
      let trimmed = lines[k].trimmingCharacters(in: .whitespaces)
      guard trimmed.hasPrefix("#") else { break }
      var text = trimmed.dropFirst()
      if text.first == " " { text = text.dropFirst() }
      if text.trimmingCharacters(in: .whitespaces).isEmpty {
        if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
        current = []
      } else {
        current.append(String(text))
      }
      k += 1
    }
    if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
    while k < lines.count, lines[k].trimmingCharacters(in: .whitespaces).isEmpty { k += 1 }
    var end = lines.count
    while end > k, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty { end -= 1 }
    return (paragraphs, lines[k..<end].joined(separator: "\n"), k)
  }
}
