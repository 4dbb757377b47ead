// MARK: - Heatmap terminal rendering
//
// One text row per matrix row. With colour, cells are 256-colour backgrounds (values printed on
// top when they fit); without colour, cells are shade characters "·░▒▓█" followed by the value
// when it fits, with a blank column between cells.

extension Heatmap {
  static let shades: [Character] = ["·", "░", "▒", "▓", "█"]

  static func shade(_ t: Double?) -> Character {
    guard let t else { return "?" }
    let i = min(shades.count - 1, Int(t * Double(shades.count)))
    return shades[max(0, i)]
  }

  func cellStyle(_ t: Double?) -> String? {
    guard let t else { return nil }
    let rgb = scale.color(at: t)
    let fg = rgb.luminance > 0.55 ? 16 : 231
    return "38;5;\(fg);48;5;\(rgb.ansi256)"
  }

  /// Renders the heat map in at most `width` columns and `height` lines.
  public func renderTerminal(width: Int = TerminalEnvironment.width(), height: Int = 24,
                             color: Bool = TerminalEnvironment.colorEnabled()) -> String {
    let width = max(1, width), height = max(1, height)
    let rows = rowLabels.map(TextGrid.clean), cols = columnLabels.map(TextGrid.clean)
    let bounds = valueBounds
    let labelWidth = min(rows.map(\.count).max() ?? 1, max(1, width / 3))
    let column0 = labelWidth + 1
    let cellWidth = max(1, min(8, (width - column0) / max(1, columnCount)))
    let longestColumn = cols.map(\.count).max() ?? 0
    let namesFit = longestColumn <= cellWidth - 1
    let indexFit = String(columnCount - 1).count <= cellWidth - 1

    // Key lines explaining column indices when names do not fit in the header.
    var keyItems: [String] = []
    if !namesFit {
      keyItems = cols.enumerated().map { "\($0.offset)=\($0.element)" }
    }
    let keyLines = keyItems.isEmpty ? [] : TerminalAxes.wrap(keyItems, width: width)

    var grid = TextGrid(width: width, height: height)
    var row = 0
    let contentWidth = min(width, column0 + cellWidth * columnCount)
    if !title.isEmpty {
      grid.writeCentered(TextGrid.clean(title), start: 0, span: contentWidth, row: row, style: "1")
      row += 1
    }
    if !yLabel.isEmpty {
      grid.write(TextGrid.clean(yLabel), column: 0, row: row)
      row += 1
    }
    if namesFit || indexFit {
      for c in 0..<columnCount {
        let text = namesFit ? cols[c] : String(c)
        grid.writeCentered(text, start: column0 + c * cellWidth, span: cellWidth, row: row)
      }
      row += 1
    }

    // Rows that fit; the remaining lines hold the scale, x label and key.
    let footer = 1 + (xLabel.isEmpty ? 0 : 1) + keyLines.count
    let available = max(1, height - row - footer)
    let shownRows = rowCount <= available ? rowCount : max(0, available - 1)
    for r in 0..<shownRows {
      let label = TextGrid.truncate(rows[r], to: labelWidth)
      grid.write(label, column: labelWidth - label.count, row: row)
      for c in 0..<columnCount {
        let value = values[r][c]
        let t = position(value, in: bounds)
        let x = column0 + c * cellWidth
        if color {
          let style = cellStyle(t)
          let text = valueText(value)
          let inner = showValues && text.count <= cellWidth - 1
            ? String(repeating: " ", count: cellWidth - 1 - text.count) + text + " "
            : String(repeating: t == nil ? "?" : " ", count: cellWidth)
          grid.write(inner, column: x, row: row, style: style)
        } else {
          // Shade, then " value" when it fits; one blank column separates cells.
          let body = cellWidth >= 3 ? cellWidth - 1 : cellWidth
          let text = valueText(value)
          let shadeCount = showValues && body >= text.count + 3 ? body - text.count - 1 : body
          grid.write(String(repeating: Heatmap.shade(t), count: shadeCount), column: x, row: row)
          if shadeCount < body { grid.write(" " + text, column: x + shadeCount, row: row) }
        }
      }
      row += 1
    }
    if shownRows < rowCount {
      grid.write("… \(rowCount - shownRows) more rows", column: 0, row: row)
      row += 1
    }
    if !xLabel.isEmpty {
      grid.writeCentered(TextGrid.clean(xLabel), start: column0, span: cellWidth * columnCount,
                         row: row)
      row += 1
    }

    // Colour scale: "lo ░▒▓█ hi".
    let (lo, hi) = bounds
    let loText = NumberFormat.general(lo, significant: 3), hiText = NumberFormat.general(hi, significant: 3)
    grid.write("scale " + loText + " ", column: 0, row: row)
    var x = 7 + loText.count
    let rampLength = max(5, min(20, width - x - hiText.count - 1))
    for i in 0..<rampLength {
      let t = Double(i) / Double(rampLength - 1)
      if color {
        grid.put(" ", column: x, row: row, style: cellStyle(t))
      } else {
        grid.put(Heatmap.shade(t), column: x, row: row)
      }
      x += 1
    }
    grid.write(" " + hiText, column: x, row: row)
    row += 1

    for line in keyLines {
      grid.write(line.joined(separator: "   "), column: 0, row: row)
      row += 1
    }
    return grid.render(color: color)
  }
}
