import Foundation

// MARK: - Embedding lesson files in the binary

/// Writes `EmbeddedLessons.swift` from the lesson files: each file's text as a raw string
/// literal, so lessons are found whatever the working directory. `scripts/generate` writes it
/// (with the other generated files); the freshness test fails while it is stale.
enum LessonEmbedding {
  /// The Swift source embedding `files` (name without `.uboost`, text), sorted by name.
  static func swiftSource(_ files: [(name: String, source: String)]) -> String {
    var out = """
      // Generated from stdlib/lessons/*.uboost by scripts/generate (LessonEmbedding).
      // Do not edit.

      // MARK: - Embedded lessons

      enum EmbeddedLessons {
        /// Lesson name (file name without `.uboost`) and the file's text.
        static let files: [(name: String, source: String)] = [

      """
    for file in files.sorted(by: { $0.name < $1.name }) {
      let hashes = String(repeating: "#", count: longestHashRun(file.source) + 1)
      out += "    (\(literal(file.name)), \(hashes)\"\"\"\n"
      out += file.source + "\n"
      out += "\"\"\"\(hashes)),\n"
    }
    out += "  ]\n}\n"
    return out
  }

  private static func longestHashRun(_ text: String) -> Int {
    var longest = 0
    var run = 0
    for c in text {
      run = c == "#" ? run + 1 : 0
      longest = max(longest, run)
    }
    return longest
  }

  private static func literal(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      default: out.unicodeScalars.append(c)
      }
    }
    return out + "\""
  }
}
