// MARK: - Source text and positions

/// A named piece of program text. Every position in tokens, the AST and errors refers into one.
///
/// ```swift
/// let src = SourceFile(name: "demo.uboost", text: "let a = 1")
/// src.line(1)   // "let a = 1"
/// ```
public final class SourceFile: @unchecked Sendable {
  /// Display name (a path, or `<repl>`).
  public let name: String
  /// The full text.
  public let text: String
  /// Line number of the text's first line (above 1 when it is a cell of a larger file).
  public let firstLine: Int
  /// Part of the stdlib: an error raised in its code is reported where user code called it.
  public let isLibrary: Bool
  private let lineTexts: [String]

  public init(name: String, text: String, firstLine: Int = 1, isLibrary: Bool = false) {
    self.name = name
    self.text = text
    self.firstLine = firstLine
    self.isLibrary = isLibrary
    self.lineTexts = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
  }

  /// The text of line `n` (numbered from `firstLine`), or "" when out of range.
  public func line(_ n: Int) -> String {
    let i = n - firstLine
    guard i >= 0, i < lineTexts.count else { return "" }
    return lineTexts[i]
  }
}

/// A 1-based line and column (in Unicode scalars) inside a `SourceFile`.
public struct SourceLocation: CustomStringConvertible {
  public let file: SourceFile
  public let line: Int
  public let column: Int

  public init(file: SourceFile, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`
  public var description: String { "\(file.name):\(line):\(column)" }
}

/// A position inside the file being parsed; the file is implied by the compilation unit.
public struct Pos: Equatable {
  public var line: Int32
  public var column: Int32
  public init(line: Int, column: Int) {
    self.line = Int32(clamping: line)
    self.column = Int32(clamping: column)
  }
  static let none = Pos(line: 0, column: 0)
}
