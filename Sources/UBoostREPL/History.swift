import Foundation

// MARK: - History

/// The REPL's input history: one entry per submitted statement (a multi-line definition is one
/// entry, recalled whole, as in IPython), oldest first, without blank entries, without
/// duplicates (re-entering one moves it to the end) and at most `capacity` long. It is kept in
/// a text file so it survives across sessions: a `#uboost-history 2` header, then one entry per
/// line with `\` written `\\` and a newline inside an entry written `\n`. A file without the
/// header (an older history) is read one entry per line.
///
/// ```swift
/// let history = History(path: History.defaultPath())
/// try? history.load()
/// history.add("let a = 1")
/// try? history.save()
/// ```
public final class History {
  /// Entries, oldest first.
  public private(set) var entries: [String] = []
  /// Where the history is kept; nil keeps it in memory only.
  public let path: String?
  /// The most entries kept; older ones are dropped first.
  public let capacity: Int

  public init(path: String?, capacity: Int = 1000) {
    self.path = path
    self.capacity = max(1, capacity)
  }

  /// `$UBOOST_HISTORY` when set and non-empty, else `~/.uboost_history`.
  public static func defaultPath(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> String {
    if let path = environment["UBOOST_HISTORY"], !path.isEmpty { return path }
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? NSHomeDirectory()
    return (home as NSString).appendingPathComponent(".uboost_history")
  }

  // MARK: Editing

  /// Appends a statement (one line or several joined by newlines). Blank statements are
  /// ignored, trailing whitespace of each line and blank trailing lines are dropped, and an
  /// earlier identical entry is removed.
  public func add(_ statement: String) {
    var lines = TextFile.lines(statement).map { $0.trimmingTrailingWhitespace() }
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    while let first = lines.first, first.isEmpty { lines.removeFirst() }
    guard !lines.isEmpty else { return }
    let entry = lines.joined(separator: "\n")
    entries.removeAll { $0 == entry }
    entries.append(entry)
    if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
  }

  /// First line of a history file in the current format.
  static let header = "#uboost-history 2"

  static func encode(_ entry: String) -> String {
    entry.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
  }

  static func decode(_ line: String) -> String {
    var out = ""
    var escaped = false
    for c in line {
      if escaped {
        out.append(c == "n" ? "\n" : c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else {
        out.append(c)
      }
    }
    if escaped { out.append("\\") }
    return out
  }

  /// Forgets every entry (the file is untouched until ``save()``).
  public func clear() { entries.removeAll() }

  // MARK: File

  /// Reads the file, replacing the entries. A missing file is an empty history.
  public func load() throws {
    guard let path else { return }
    guard FileManager.default.fileExists(atPath: path) else {
      entries = []
      return
    }
    let text = try TextFile.read(path)
    entries = []
    var lines = TextFile.lines(text)
    let current = lines.first == History.header
    if current { lines.removeFirst() }
    for line in lines { add(current ? History.decode(line) : line) }
  }

  /// Writes the entries to the file (atomically: a temporary file is renamed over it).
  public func save() throws {
    guard let path else { return }
    let text = ([History.header] + entries.map(History.encode)).joined(separator: "\n") + "\n"
    do {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw REPLError.cannotWrite(path: path, reason: ReportWriter.reason(error))
    }
  }
}

extension String {
  func trimmingTrailingWhitespace() -> String {
    var scalars = Substring(self)
    while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
    return String(scalars)
  }
}
