// MARK: - Heatmap SVG rendering
//
// Cells as rectangles, row labels at the left, column labels on top (rotated when long), a
// vertical colour bar with ticks at the right.

extension Heatmap {
  /// Renders a standalone SVG document of `width` x `height` pixels.
  public func renderSVG(width: Int = 640, height: Int = 400) -> String {
    var doc = SVGDocument(width: width, height: height)
    let W = doc.width, H = doc.height
    let labelSize = 11.0
    let rowLabelWidth = min(W * 0.3, rowLabels.map { SVGDocument.textWidth($0, size: labelSize) }.max() ?? 0)
    let rowChars = max(1, Int(rowLabelWidth / (labelSize * 0.6)))
    let barWidth = 16.0
    let bounds = valueBounds
    let (lo, hi) = bounds
    let barScale = NiceScale(min: lo, max: hi, targetTicks: 6)
    let inside = barScale.ticks.filter { $0 >= lo - 1e-12 * abs(lo) && $0 <= hi + 1e-12 * abs(hi) }
    let barTicks = inside.isEmpty ? [lo] : inside
    let barLabelWidth = barTicks.map { SVGDocument.textWidth(barScale.label($0), size: labelSize) }.max() ?? 20

    let left = 12 + rowLabelWidth + 8 + (yLabel.isEmpty ? 0 : 22)
    let right = 24 + barWidth + 8 + barLabelWidth + 8
    let gridWidth = max(10, W - left - right)
    let cellWidth = gridWidth / Double(columnCount)
    let longestColumn = columnLabels.map { SVGDocument.textWidth($0, size: labelSize) }.max() ?? 0
    let rotate = longestColumn > cellWidth - 4
    let titleHeight = title.isEmpty ? 12.0 : 40.0
    let headerHeight = rotate ? min(H * 0.3, longestColumn * 0.72 + 12) : 20
    let columnChars = rotate ? max(1, Int((headerHeight - 12) / 0.72 / (labelSize * 0.6))) : Int.max
    let top = titleHeight + headerHeight
    let bottom = xLabel.isEmpty ? 16.0 : 40.0
    let gridHeight = max(10, H - top - bottom)
    let cellHeight = gridHeight / Double(rowCount)

    if !title.isEmpty { doc.text(title, x: W / 2, y: 26, size: 16, anchor: .middle, bold: true) }

    // Cells.
    for r in 0..<rowCount {
      for c in 0..<columnCount {
        let value = values[r][c]
        let x = left + Double(c) * cellWidth, y = top + Double(r) * cellHeight
        guard let t = position(value, in: bounds) else {
          doc.rect(x: x, y: y, width: cellWidth, height: cellHeight, fill: "#d9d9d9",
                   stroke: "#ffffff", strokeWidth: 1)
          continue
        }
        let rgb = scale.color(at: t)
        doc.rect(x: x, y: y, width: cellWidth, height: cellHeight, fill: rgb.hex,
                 stroke: "#ffffff", strokeWidth: 1)
        let text = valueText(value)
        let size = min(12, cellHeight * 0.5)
        if showValues, size >= 7, SVGDocument.textWidth(text, size: size) < cellWidth - 4 {
          doc.text(text, x: x + cellWidth / 2, y: y + cellHeight / 2 + size * 0.35, size: size,
                   anchor: .middle, fill: rgb.luminance > 0.55 ? "#111111" : "#ffffff")
        }
      }
    }

    // Row labels: skip some when rows are too thin to hold text.
    let rowStride = max(1, Int((labelSize + 2) / max(cellHeight, 0.001)) + (cellHeight < labelSize + 2 ? 1 : 0))
    for r in Swift.stride(from: 0, to: rowCount, by: rowStride) {
      doc.text(TextGrid.truncate(rowLabels[r], to: rowChars), x: left - 8,
               y: top + (Double(r) + 0.5) * cellHeight + 4, size: labelSize, anchor: .end)
    }
    // Column labels.
    let columnStride = rotate ? max(1, Int((labelSize + 2) / max(cellWidth, 0.001)) + (cellWidth < labelSize + 2 ? 1 : 0)) : 1
    for c in Swift.stride(from: 0, to: columnCount, by: columnStride) {
      let x = left + (Double(c) + 0.5) * cellWidth
      if rotate {
        doc.text(TextGrid.truncate(columnLabels[c], to: columnChars), x: x + 3, y: top - 6,
                 size: labelSize, anchor: .start, rotate: -45)
      } else {
        doc.text(columnLabels[c], x: x, y: top - 6, size: labelSize, anchor: .middle)
      }
    }
    if !xLabel.isEmpty {
      doc.text(xLabel, x: left + gridWidth / 2, y: top + gridHeight + 28, size: 13, anchor: .middle)
    }
    if !yLabel.isEmpty {
      doc.text(yLabel, x: 16, y: top + gridHeight / 2, size: 13, anchor: .middle, rotate: -90)
    }

    // Colour bar: a vertical gradient, high values at the top.
    let barX = left + gridWidth + 24
    let stops = scale.anchors.enumerated().map { i, rgb in
      "<stop offset=\"\(SVGDocument.n(Double(i) / Double(max(1, scale.anchors.count - 1))))\" stop-color=\"\(rgb.hex)\"/>"
    }.joined()
    doc.def("<linearGradient id=\"\(SVGDocument.idPrefix)colour-bar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\(stops)</linearGradient>")
    doc.rect(x: barX, y: top, width: barWidth, height: gridHeight, fill: "url(#\(SVGDocument.idPrefix)colour-bar)",
             stroke: "#555555", strokeWidth: 0.8)
    for tick in barTicks {
      let t = hi > lo ? (tick - lo) / (hi - lo) : 0.5
      let y = top + (1 - t) * gridHeight
      doc.line(x1: barX + barWidth, y1: y, x2: barX + barWidth + 4, y2: y, stroke: "#333333")
      doc.text(barScale.label(tick), x: barX + barWidth + 7, y: y + 4, size: labelSize)
    }
    return doc.render()
  }
}
