import Foundation

// MARK: - History

/// The REPL's input history: one entry per submitted line, oldest first, without blank lines,
/// without duplicates (re-entering a line moves it to the end) and at most `capacity` long.
/// It is kept in a text file, one entry per line, so it survives across sessions.
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

  /// Appends a line. Blank lines are ignored, an earlier identical entry is removed, a line
  /// with a newline is stored as its separate lines.
  public func add(_ line: String) {
    for part in TextFile.lines(line) {
      let entry = part.trimmingTrailingWhitespace()
      guard !entry.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
      entries.removeAll { $0 == entry }
      entries.append(entry)
    }
    if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
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
    for line in TextFile.lines(text) { add(line) }
  }

  /// Writes the entries to the file (atomically: a temporary file is renamed over it).
  public func save() throws {
    guard let path else { return }
    let text = entries.isEmpty ? "" : entries.joined(separator: "\n") + "\n"
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
