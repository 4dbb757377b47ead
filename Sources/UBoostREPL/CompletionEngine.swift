import Foundation

// MARK: - Completion engine

/// Decides what TAB completes at the cursor: meta commands after a leading `:`, file paths
/// after `:load`/`:cell` and inside string literals, members after `expr.`, and otherwise
/// global names (bindings, builtins, keywords).
///
/// ```swift
/// let engine = CompletionEngine(globalNames: { ["print", "param"] }, members: { _ in [] })
/// engine.complete("pr", cursor: 2)   // Completion(start: 0, candidates: ["print"])
/// ```
public struct CompletionEngine {
  private let globalNames: () -> [String]
  private let members: (String) -> [String]
  private let directory: String?

  /// - Parameters:
  ///   - globalNames: names visible at top level.
  ///   - members: field/method names of the value of a dotted path expression.
  ///   - directory: base for relative paths; nil means the current directory.
  public init(globalNames: @escaping () -> [String], members: @escaping (String) -> [String],
              directory: String? = nil) {
    self.globalNames = globalNames
    self.members = members
    self.directory = directory
  }

  /// Completion over a backend's names.
  public init(backend: REPLBackend, directory: String? = nil) {
    self.init(globalNames: { [weak backend] in backend?.globalNames() ?? [] },
              members: { [weak backend] in backend?.members(ofExpression: $0) ?? [] },
              directory: directory)
  }

  // MARK: Dispatch

  /// Candidates replacing the text from `start` to `cursor` (Unicode-scalar offsets).
  public func complete(_ line: String, cursor: Int) -> Completion {
    let all = Array(line.unicodeScalars)
    let cursor = max(0, min(cursor, all.count))
    let before = Array(all[..<cursor])
    let leading = before.prefix { $0 == " " || $0 == "\t" }.count
    if leading < before.count, before[leading] == ":" {
      return completeMeta(before, commandStart: leading + 1)
    }
    return completeCode(before, codeStart: 0)
  }

  // `:cmd args`: the command word, then paths for :load/:cell, code for :type/:time/:help.
  private func completeMeta(_ before: [Unicode.Scalar], commandStart: Int) -> Completion {
    var end = commandStart
    while end < before.count, !before[end].properties.isWhitespace { end += 1 }
    let word = string(before[commandStart..<end])
    if end == before.count {
      return Completion(start: commandStart,
                        candidates: MetaCommand.names.filter { $0.hasPrefix(word) })
    }
    var argStart = end
    while argStart < before.count, before[argStart].properties.isWhitespace { argStart += 1 }
    switch word {
    case "load", "cell", "l", "lo", "loa", "c", "ce", "cel":
      // Only the first argument of :cell is a path.
      let quoted = argStart < before.count && before[argStart] == "\""
      let start = quoted ? argStart + 1 : argStart
      let partial = string(before[start...])
      if partial.contains(quoted ? "\"" : " ") {
        return Completion(start: before.count, candidates: [])
      }
      return Completion(start: start, candidates: paths(matching: partial))
    case "help", "type", "time", "h", "he", "hel", "ty", "typ", "ti", "tim":
      return completeCode(before, codeStart: argStart)
    default:
      return Completion(start: before.count, candidates: [])
    }
  }

  // MARK: Code

  private func completeCode(_ before: [Unicode.Scalar], codeStart: Int) -> Completion {
    if let quote = openStringStart(before, from: codeStart) {
      let partial = string(before[(quote + 1)...])
      return Completion(start: quote + 1, candidates: paths(matching: partial))
    }
    var start = before.count
    while start > codeStart, Self.isIdentifier(before[start - 1]) { start -= 1 }
    let prefix = string(before[start...])
    if start > codeStart, before[start - 1] == "." {
      guard let expr = pathExpression(before, endingAt: start - 1, from: codeStart) else {
        return Completion(start: start, candidates: [])
      }
      let names = members(expr).filter { $0.hasPrefix(prefix) }
      return Completion(start: start, candidates: names)
    }
    if let first = prefix.unicodeScalars.first, ("0"..."9").contains(first) {
      return Completion(start: start, candidates: [])
    }
    return Completion(start: start, candidates: globalNames().filter { $0.hasPrefix(prefix) })
  }

  // The dotted path before a `.` at `dot` (e.g. `net.cfg` in `net.cfg.r`), or nil when it is
  // not a plain path (a call, an index, a number).
  private func pathExpression(_ s: [Unicode.Scalar], endingAt dot: Int, from lower: Int) -> String? {
    var start = dot
    while start > lower, Self.isIdentifier(s[start - 1]) || s[start - 1] == "." { start -= 1 }
    let expr = string(s[start..<dot])
    let parts = expr.split(separator: ".", omittingEmptySubsequences: false)
    guard !expr.isEmpty, parts.allSatisfy({ part in
      guard let first = part.unicodeScalars.first else { return false }
      return !("0"..."9").contains(first)
    }) else { return nil }
    return expr
  }

  // Index of the opening quote when the cursor is inside a string literal.
  private func openStringStart(_ s: [Unicode.Scalar], from lower: Int) -> Int? {
    var open: Int?
    var i = lower
    while i < s.count {
      let c = s[i]
      if open != nil, c == "\\" { i += 2; continue }
      if c == "\"" { open = open == nil ? i : nil }
      if open == nil, c == "#" { return nil }   // a comment: nothing to complete
      i += 1
    }
    return open
  }

  // MARK: Paths

  /// Files and directories whose path starts with `partial` (directories end in `/`).
  func paths(matching partial: String) -> [String] {
    let fm = FileManager.default
    let slash = partial.lastIndex(of: "/")
    let dirPart = slash.map { String(partial[...$0]) } ?? ""
    let namePrefix = slash.map { String(partial[partial.index(after: $0)...]) } ?? partial
    var dirPath = dirPart.isEmpty ? "." : dirPart
    if dirPath.hasPrefix("~") { dirPath = (dirPath as NSString).expandingTildeInPath }
    if !dirPath.hasPrefix("/"), let directory {
      dirPath = (directory as NSString).appendingPathComponent(dirPath)
    }
    guard let names = try? fm.contentsOfDirectory(atPath: dirPath) else { return [] }
    return names
      .filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }
      .map { name -> String in
        var isDir: ObjCBool = false
        let full = (dirPath as NSString).appendingPathComponent(name)
        let dir = fm.fileExists(atPath: full, isDirectory: &isDir) && isDir.boolValue
        return dirPart + name + (dir ? "/" : "")
      }
      .sorted()
  }

  // MARK: Helpers

  static func isIdentifier(_ c: Unicode.Scalar) -> Bool {
    c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c)
  }

  private func string<S: Sequence>(_ s: S) -> String where S.Element == Unicode.Scalar {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: s)
    return String(view)
  }
}
