// MARK: - TerminalAxes
//
// The shared terminal frame for line and scatter plots: title, y-axis label, y ticks on the left,
// a braille plot area, an x axis with tick marks and labels, an x-axis label and a legend.

/// One legend item: a marker drawn in the series colour followed by the name.
struct LegendEntry {
  var name: String
  var marker: String
  var series: Int
}

/// Maps data coordinates to braille dot coordinates for a laid-out plot area.
struct DotMapping {
  let xScale: NiceScale
  let yScale: NiceScale
  let dotWidth: Int
  let dotHeight: Int

  func x(_ value: Double) -> Double { xScale.fraction(value) * Double(dotWidth - 1) }
  func y(_ value: Double) -> Double { (1 - yScale.fraction(value)) * Double(dotHeight - 1) }
}

enum TerminalAxes {
  static func seriesStyle(_ series: Int) -> String? {
    series < 0 ? nil : String(SeriesPalette.ansiCode(series))
  }

  /// Lays out and renders a frame. `draw` paints data onto the canvas; `annotate` may then write
  /// text labels into the grid (it receives the plot area's first column and row).
  static func render(
    title: String, xLabel: String, yLabel: String, legend: [LegendEntry],
    xBounds: (Double, Double)?, yBounds: (Double, Double)?, xLog: Bool = false, yLog: Bool = false, xFixed: Bool = false, yFixed: Bool = false,
    width: Int, height: Int, color: Bool,
    draw: (inout BrailleCanvas, DotMapping) -> Void,
    annotate: ((inout TextGrid, DotMapping, _ column0: Int, _ row0: Int) -> Void)? = nil
  ) -> String {
    let width = max(1, width), height = max(1, height)
    let title = TextGrid.clean(title), xLabel = TextGrid.clean(xLabel), yLabel = TextGrid.clean(yLabel)
    let legendItems = legend.map { "\($0.marker) \(TextGrid.clean($0.name))" }
    let legendLines = wrap(legendItems, width: width)

    // Vertical budget.
    let titleRows = title.isEmpty ? 0 : 1
    let yLabelRows = yLabel.isEmpty ? 0 : 1
    let xLabelRows = xLabel.isEmpty ? 0 : 1
    let fixedRows = titleRows + yLabelRows + 2 + xLabelRows + legendLines.count
    let plotRows = max(1, height - fixedRows)

    // Scales and horizontal budget.
    let (y0, y1) = yBounds ?? (0, 1)
    let yTarget = max(2, min(plotRows / 3 + 1, 8))
    let yScale = yFixed ? NiceScale(fixedMin: y0, max: y1, targetTicks: yTarget) : NiceScale(min: y0, max: y1, targetTicks: yTarget)
    let yTicks = yScale.ticks
    let yTickLabels = yTicks.map { yLog ? NiceScale.logLabel($0) : yScale.label($0) }
    let gutter = min(yTickLabels.map(\.count).max() ?? 1, max(1, width / 3))
    let (x0, x1) = xBounds ?? (0, 1)
    let guessColumns = max(4, width - gutter - 4)
    let xTarget = max(2, min(guessColumns / 10, 10))
    let xScale = xFixed ? NiceScale(fixedMin: x0, max: x1, targetTicks: xTarget) : NiceScale(min: x0, max: x1, targetTicks: xTarget)
    let xTicks = xScale.ticks
    let xTickLabels = xTicks.map { xLog ? NiceScale.logLabel($0) : xScale.label($0) }
    let rightMargin = (xTickLabels.last?.count ?? 0) / 2
    let plotColumns = max(1, width - gutter - 1 - rightMargin)
    let column0 = gutter + 1

    var grid = TextGrid(width: width, height: height)
    var row = 0
    if titleRows > 0 {
      grid.writeCentered(title, start: 0, span: width, row: row, style: "1")
      row += 1
    }
    if yLabelRows > 0 {
      grid.write(TextGrid.truncate(yLabel, to: width), column: 0, row: row)
      row += 1
    }
    let row0 = row

    // Data.
    var canvas = BrailleCanvas(columns: plotColumns, rows: plotRows)
    let mapping = DotMapping(xScale: xScale, yScale: yScale,
                             dotWidth: canvas.dotWidth, dotHeight: canvas.dotHeight)
    draw(&canvas, mapping)
    for r in 0..<plotRows {
      for c in 0..<plotColumns {
        if let (ch, series) = canvas.character(column: c, row: r) {
          grid.put(ch, column: column0 + c, row: row0 + r, style: seriesStyle(series))
        }
      }
    }

    // Y axis with ticks.
    for r in 0..<plotRows { grid.put("│", column: gutter, row: row0 + r) }
    var usedRows = Set<Int>()
    for (value, label) in zip(yTicks, yTickLabels) {
      let r = clampedInt(mapping.y(value)) / 4
      guard r >= 0, r < plotRows, !usedRows.contains(r) else { continue }
      usedRows.insert(r)
      grid.put("┤", column: gutter, row: row0 + r)
      let text = TextGrid.truncate(label, to: gutter)
      grid.write(text, column: gutter - text.count, row: row0 + r)
    }

    // X axis with ticks.
    let axisRow = row0 + plotRows
    grid.put("└", column: gutter, row: axisRow)
    for c in 0..<plotColumns { grid.put("─", column: column0 + c, row: axisRow) }
    var lastLabelEnd = -1
    for (value, label) in zip(xTicks, xTickLabels) {
      let c = clampedInt(mapping.x(value)) / 2
      guard c >= 0, c < plotColumns else { continue }
      grid.put("┬", column: column0 + c, row: axisRow)
      let start = max(0, column0 + c - (label.count - 1) / 2)
      guard start > lastLabelEnd else { continue }
      grid.write(label, column: start, row: axisRow + 1)
      lastLabelEnd = start + label.count
    }
    row = axisRow + 2
    if xLabelRows > 0 {
      grid.writeCentered(xLabel, start: column0, span: plotColumns, row: row)
      row += 1
    }

    annotate?(&grid, mapping, column0, row0)

    // Legend: markers coloured like their series.
    var entryIndex = 0
    for line in legendLines {
      var column = 0
      for item in line {
        let entry = legend[entryIndex]
        let markerLength = entry.marker.count
        grid.write(String(item.prefix(markerLength)), column: column, row: row,
                   style: seriesStyle(entry.series))
        grid.write(String(item.dropFirst(markerLength)), column: column + markerLength, row: row)
        column += item.count + 3
        entryIndex += 1
      }
      row += 1
    }
    return grid.render(color: color)
  }

  /// Greedy line wrapping of legend items separated by three spaces.
  static func wrap(_ items: [String], width: Int) -> [[String]] {
    var lines: [[String]] = []
    var current: [String] = []
    var used = 0
    for item in items {
      let needed = current.isEmpty ? item.count : used + 3 + item.count
      if !current.isEmpty, needed > width {
        lines.append(current)
        current = [item]; used = item.count
      } else {
        current.append(item); used = needed
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }
}
