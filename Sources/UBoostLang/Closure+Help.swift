// MARK: - Documentation of uboost functions

extension Closure {
  /// What `:help name` shows for a function written in uboost: its parameter list as declared
  /// (defaults as written), the `#` comment lines just above its `fn`, and where it is defined.
  ///
  /// ```swift
  /// // stdlib/presets.uboost:
  /// //   # The reference accelerator: a 128x128 systolic array, ...
  /// //   fn paper_hw(ceiling: "corrected") = systolic(...)
  /// closure.help
  /// // paper_hw(ceiling: "corrected")
  /// //   The reference accelerator: a 128x128 systolic array, ...
  /// //   (uboost function, defined at .../stdlib/presets.uboost:24)
  /// ```
  public var help: String {
    var out = declaredSignature
    let doc = docComment
    if !doc.isEmpty { out += "\n" + doc.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") }
    let loc = proto.location
    if loc.file.name.hasPrefix("<") {
      out += "\n  (uboost function, defined in \(loc.file.name) line \(loc.line))"
    } else {
      out += "\n  (uboost function, defined at \(loc.file.name):\(loc.line))"
    }
    return out
  }

  /// `name(a, b: default)` with each default as written in the source; `signature` (defaults
  /// elided) when the declaration cannot be read back.
  public var declaredSignature: String {
    let loc = proto.location
    let file = loc.file
    // The declaration from the `fn` on, possibly over several lines (at most 20).
    var text = String(file.line(loc.line).unicodeScalars.dropFirst(max(0, loc.column - 1)))
    var next = loc.line + 1
    while next < loc.line + 20, !Closure.hasClosedParameterList(text) {
      text += "\n" + file.line(next)
      next += 1
    }
    guard let params = Closure.parameterList(text) else { return signature }
    let flat = params.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    return "\(proto.name)(\(flat))"
  }

  /// The comment block directly above the declaration, without the `#` markers.
  public var docComment: String {
    let loc = proto.location
    var lines: [String] = []
    var n = loc.line - 1
    while n >= loc.file.firstLine, lines.count < 40 {
      let t = loc.file.line(n).trimmingCharacters(in: .whitespaces)
      guard t.hasPrefix("#"), !t.hasPrefix("#%%") else { break }
      lines.insert(String(t.dropFirst()).trimmingCharacters(in: .whitespaces), at: 0)
      n -= 1
    }
    return lines.joined(separator: "\n")
  }

  private static func hasClosedParameterList(_ text: String) -> Bool { parameterList(text) != nil }

  /// The text between the first `(` and its matching `)`, skipping string literals.
  static func parameterList(_ text: String) -> String? {
    let scalars = Array(text.unicodeScalars)
    guard let open = scalars.firstIndex(of: "(") else { return nil }
    var depth = 0
    var inString = false
    var i = open
    while i < scalars.count {
      let c = scalars[i]
      if inString {
        if c == "\\" { i += 2; continue }
        if c == "\"" { inString = false }
      } else if c == "\"" {
        inString = true
      } else if c == "(" || c == "[" || c == "{" {
        depth += 1
      } else if c == ")" || c == "]" || c == "}" {
        depth -= 1
        if depth == 0 { return String(String.UnicodeScalarView(scalars[(open + 1)..<i])) }
      }
      i += 1
    }
    return nil
  }
}
