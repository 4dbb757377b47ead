// MARK: - BarChart terminal rendering
//
// Horizontal bars use left-aligned eighth blocks (▏▎▍▌▋▊▉█) for sub-cell resolution, vertical
// bars use lower eighth blocks (▁▂▃▄▅▆▇█). Bars below zero are drawn with whole cells.

extension BarChart {
  static let leftEighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
  static let lowerEighths: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  /// Renders the chart in at most `width` columns and `height` lines.
  public func renderTerminal(width: Int = TerminalEnvironment.width(), height: Int = 20,
                             color: Bool = TerminalEnvironment.colorEnabled()) -> String {
    let width = max(1, width), height = max(1, height)
    var grid = TextGrid(width: width, height: height)
    var row = 0
    if !title.isEmpty {
      grid.writeCentered(TextGrid.clean(title), start: 0, span: width, row: 0, style: "1")
      row = 1
    }
    if values.isEmpty {
      grid.write("(no data)", column: 0, row: row)
      return grid.render(color: color)
    }
    switch orientation {
    case .horizontal: drawHorizontal(into: &grid, row: row)
    case .vertical: drawVertical(into: &grid, row: row)
    }
    return grid.render(color: color)
  }

  // MARK: Horizontal

  private func drawHorizontal(into grid: inout TextGrid, row firstRow: Int) {
    let width = grid.width
    let names = labels.map(TextGrid.clean)
    let texts = values.map(valueText)
    let labelWidth = min(names.map(\.count).max() ?? 1, max(1, width / 3))
    let valueWidth = texts.map(\.count).max() ?? 1
    let column0 = labelWidth + 1
    let barColumns = max(1, width - column0 - valueWidth - 2)
    let scale = valueScale(targetTicks: max(2, min(barColumns / 8, 8)))
    let eighths = Double(barColumns * 8)
    // The mapping is shifted so zero sits on a cell boundary: partial blocks then always start
    // at a bar's base, and a tick labels the cell its value falls in.
    let rawZero = scale.fraction(0) * eighths
    let shift = (rawZero / 8).rounded() * 8 - rawZero
    func position(_ v: Double) -> Int { clampedInt(scale.fraction(v) * eighths + shift) }
    let zero = position(0)

    var row = firstRow
    if !categoryLabel.isEmpty {
      grid.write(TextGrid.clean(categoryLabel), column: 0, row: row)
      row += 1
    }
    let footer = 2 + (valueLabel.isEmpty ? 0 : 1)
    let available = max(1, grid.height - row - footer)
    let shown = values.count <= available ? values.count : max(0, available - 1)
    for i in 0..<shown {
      let label = TextGrid.truncate(names[i], to: labelWidth)
      grid.write(label, column: labelWidth - label.count, row: row)
      grid.put("│", column: labelWidth, row: row)
      let v = values[i]
      let style = TerminalAxes.seriesStyle(BarChart.barColor(v))
      var end = column0
      if v.isFinite {
        let p = position(v)
        if p >= zero {
          // Whole cells from the zero cell, then one partial eighth block.
          var e = zero
          while e + 8 <= p {
            grid.put("█", column: column0 + e / 8, row: row, style: style)
            e += 8
          }
          if p > e {
            grid.put(BarChart.leftEighths[p - e - 1], column: column0 + e / 8, row: row, style: style)
            e = p
          }
          end = column0 + (max(p, zero) + 7) / 8
        } else {
          let from = Int((Double(p) / 8).rounded()), to = zero / 8
          for c in from..<max(from, to) { grid.put("█", column: column0 + c, row: row, style: style) }
          end = column0 + max(to, from)
        }
      }
      grid.write(" " + texts[i], column: max(end, column0 + zero / 8 + 1), row: row)
      row += 1
    }
    if shown < values.count {
      grid.write("… \(values.count - shown) more bars", column: 0, row: row)
      row += 1
    }
    // Value axis.
    grid.put("└", column: labelWidth, row: row)
    for c in 0..<barColumns { grid.put("─", column: column0 + c, row: row) }
    var lastEnd = -1
    for tick in scale.ticks {
      let c = max(0, min(barColumns - 1, position(tick) / 8))
      grid.put("┬", column: column0 + c, row: row)
      let text = scale.label(tick)
      let start = max(0, column0 + c - (text.count - 1) / 2)
      if start > lastEnd {
        grid.write(text, column: start, row: row + 1)
        lastEnd = start + text.count
      }
    }
    if !valueLabel.isEmpty {
      grid.writeCentered(TextGrid.clean(valueLabel), start: column0, span: barColumns, row: row + 2)
    }
  }

  // MARK: Vertical

  private func drawVertical(into grid: inout TextGrid, row firstRow: Int) {
    let width = grid.width
    let names = labels.map(TextGrid.clean)
    var row = firstRow
    if !valueLabel.isEmpty {
      grid.write(TextGrid.clean(valueLabel), column: 0, row: row)
      row += 1
    }
    // Bar geometry first decides whether names fit under the bars.
    let guessGutter = 6
    let slotGuess = max(1, (width - guessGutter - 1) / values.count)
    let namesFit = (names.map(\.count).max() ?? 0) <= slotGuess
    let keyItems = namesFit ? [] : names.enumerated().map { "\($0.offset)=\($0.element)" }
    let keyLines = keyItems.isEmpty ? [] : TerminalAxes.wrap(keyItems, width: width)
    let footer = 2 + (categoryLabel.isEmpty ? 0 : 1) + keyLines.count
    let plotRows = max(1, grid.height - row - footer)
    let scale = valueScale(targetTicks: max(2, min(plotRows / 2 + 1, 8)))
    let tickLabels = scale.ticks.map { scale.label($0) }
    let gutter = min(tickLabels.map(\.count).max() ?? 1, max(1, width / 3))
    let column0 = gutter + 1
    let slot = max(1, (width - column0) / values.count)
    let barWidth = slot >= 3 ? slot - 1 : slot
    let eighths = Double(plotRows * 8)
    // Eighth-rows measured from the bottom of the plot area.
    // Shifted so zero sits on a cell boundary (see the horizontal case).
    let rawZero = scale.fraction(0) * eighths
    let shift = (rawZero / 8).rounded() * 8 - rawZero
    func level(_ v: Double) -> Int { clampedInt(scale.fraction(v) * eighths + shift) }
    let zero = level(0)

    for r in 0..<plotRows { grid.put("│", column: gutter, row: row + r) }
    var usedRows = Set<Int>()
    for (tick, text) in zip(scale.ticks, tickLabels) {
      let r = plotRows - 1 - max(0, min(plotRows - 1, level(tick) / 8))
      guard !usedRows.contains(r) else { continue }
      usedRows.insert(r)
      grid.put("┤", column: gutter, row: row + r)
      let t = TextGrid.truncate(text, to: gutter)
      grid.write(t, column: gutter - t.count, row: row + r)
    }
    for (i, v) in values.enumerated() where v.isFinite {
      let x = column0 + i * slot
      let style = TerminalAxes.seriesStyle(BarChart.barColor(v))
      let top = level(v)
      if top >= zero {
        var e = zero
        while e + 8 <= top {
          let r = row + plotRows - 1 - e / 8
          for k in 0..<barWidth { grid.put("█", column: x + k, row: r, style: style) }
          e += 8
        }
        if top > e {
          let r = row + plotRows - 1 - e / 8
          for k in 0..<barWidth {
            grid.put(BarChart.lowerEighths[top - e - 1], column: x + k, row: r, style: style)
          }
        }
      } else {
        let from = Int((Double(top) / 8).rounded()), to = zero / 8
        for cellRow in from..<max(from, to) {
          let r = row + plotRows - 1 - cellRow
          for k in 0..<barWidth { grid.put("█", column: x + k, row: r, style: style) }
        }
      }
    }
    row += plotRows
    grid.put("└", column: gutter, row: row)
    for c in column0..<max(column0, min(width, column0 + slot * values.count)) {
      grid.put("─", column: c, row: row)
    }
    row += 1
    for i in values.indices {
      let text = namesFit ? names[i] : String(i)
      grid.writeCentered(text, start: column0 + i * slot, span: barWidth, row: row)
    }
    row += 1
    if !categoryLabel.isEmpty {
      grid.writeCentered(TextGrid.clean(categoryLabel), start: column0, span: slot * values.count,
                         row: row)
      row += 1
    }
    for line in keyLines {
      grid.write(line.joined(separator: "   "), column: 0, row: row)
      row += 1
    }
  }
}
