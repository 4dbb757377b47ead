// MARK: - TextGrid
//
// A fixed-size grid of terminal cells. Every terminal renderer draws into one, so output can
// never exceed the requested width or height: writes outside the grid are clipped.

struct TextGrid {
  let width: Int
  let height: Int
  private var chars: [Character]
  /// SGR parameter text per cell ("34", "38;5;97;48;5;16"), nil for the default style.
  private var styles: [String?]

  init(width: Int, height: Int) {
    self.width = max(0, width)
    self.height = max(0, height)
    chars = Array(repeating: " ", count: self.width * self.height)
    styles = Array(repeating: nil, count: self.width * self.height)
  }

  func char(atColumn column: Int, row: Int) -> Character? {
    guard column >= 0, column < width, row >= 0, row < height else { return nil }
    return chars[row * width + column]
  }

  mutating func put(_ c: Character, column: Int, row: Int, style: String? = nil) {
    guard column >= 0, column < width, row >= 0, row < height else { return }
    chars[row * width + column] = c
    styles[row * width + column] = style
  }

  /// Writes `text` starting at `column`; characters beyond the grid are dropped.
  mutating func write(_ text: String, column: Int, row: Int, style: String? = nil) {
    var col = column
    for c in text {
      put(c, column: col, row: row, style: style)
      col += 1
    }
  }

  /// Writes `text` centred on the span `[start, start + span)`, truncated to fit the span.
  mutating func writeCentered(_ text: String, start: Int, span: Int, row: Int, style: String? = nil) {
    let clipped = TextGrid.truncate(text, to: span)
    write(clipped, column: start + max(0, (span - clipped.count) / 2), row: row, style: style)
  }

  /// Text truncated to `limit` characters, with an ellipsis when shortened.
  static func truncate(_ text: String, to limit: Int) -> String {
    guard limit > 0 else { return "" }
    guard text.count > limit else { return text }
    if limit == 1 { return "…" }
    return String(text.prefix(limit - 1)) + "…"
  }

  /// Sanitises user text for a single terminal line: control characters become spaces.
  static func clean(_ text: String) -> String {
    String(text.map { c -> Character in
      c.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) ? " " : c
    })
  }

  /// The grid as lines joined by newlines. Trailing unstyled blanks are trimmed and trailing
  /// empty lines dropped; ANSI escapes are emitted only when `color` is true.
  func render(color: Bool) -> String {
    var lines: [String] = []
    lines.reserveCapacity(height)
    for row in 0..<height {
      var end = width
      while end > 0, chars[row * width + end - 1] == " ",
            !color || styles[row * width + end - 1] == nil { end -= 1 }
      var line = ""
      var current: String? = nil
      for column in 0..<end {
        let index = row * width + column
        if color, styles[index] != current {
          line += "\u{1B}[0m"
          if let s = styles[index] { line += "\u{1B}[\(s)m" }
          current = styles[index]
        }
        line.append(chars[index])
      }
      if color, current != nil { line += "\u{1B}[0m" }
      lines.append(line)
    }
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    return lines.joined(separator: "\n")
  }
}
