import Foundation
import UBoostLang

// MARK: - Loading the stdlib
//
// The stdlib (`stdlib/*.uboost`) is embedded in the binary (`Generated/EmbeddedStdlib.swift`,
// made by `scripts/generate`) so it loads whatever the working directory; a directory given in
// the options (`UBOOST_STDLIB=dir`) replaces it for development. Files whose first line is
// `# requires: engine` need the engine builtins and load after them; the others (the language
// helpers in core.uboost) load first.

enum Stdlib {
  static let engineMarker = "# requires: engine"

  /// `(file name, source)` pairs, sorted by name.
  static func sources(_ options: BuiltinOptions) throws -> [(String, String)] {
    guard let dir = options.stdlibDirectory else {
      return EmbeddedStdlib.files.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
    let fm = FileManager.default
    guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else {
      throw LangError(.io, "cannot read the stdlib directory '\(dir.path)' (UBOOST_STDLIB)")
    }
    return try names.filter { $0.hasSuffix(".uboost") }.sorted().map { name in
      let url = dir.appendingPathComponent(name)
      guard let text = try? String(contentsOf: url, encoding: .utf8) else {
        throw LangError(.io, "cannot read stdlib file '\(url.path)'")
      }
      return (name, text)
    }
  }

  static func run(_ files: [(String, String)], into interpreter: Interpreter) throws {
    for (name, text) in files {
      try interpreter.run(source: text, file: "stdlib/\(name)", library: true)
    }
  }

  /// `fn` definitions of the stdlib with the comment lines above them (for the reference).
  static func documentedFunctions() -> [(file: String, signature: String, doc: String)] {
    var out: [(String, String, String)] = []
    for (file, text) in EmbeddedStdlib.files.sorted(by: { $0.key < $1.key }) {
      var comment: [String] = []
      // A signature may run over several lines: it ends at its first ")".
      var pending: String? = nil
      for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let line = raw.trimmingCharacters(in: .whitespaces)
        let sig: String
        if let head = pending {
          sig = head + " " + line
        } else if line.hasPrefix("# ") && !line.hasPrefix("# ----") && !line.hasPrefix(engineMarker) {
          comment.append(String(line.dropFirst(2)))
          continue
        } else if line.hasPrefix("fn "), raw.hasPrefix("fn ") {
          sig = String(line.dropFirst(3))
        } else {
          comment = []
          continue
        }
        guard let close = sig.firstIndex(of: ")") else { pending = sig; continue }
        out.append((file, String(sig[...close]), comment.joined(separator: " ")))
        pending = nil
        comment = []
      }
    }
    return out
  }
}
