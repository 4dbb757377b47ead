// MARK: - BarChart SVG rendering

extension BarChart {
  /// Renders a standalone SVG document of `width` x `height` pixels.
  public func renderSVG(width: Int = 640, height: Int = 400) -> String {
    var doc = SVGDocument(width: width, height: height)
    let W = doc.width, H = doc.height
    if !title.isEmpty { doc.text(title, x: W / 2, y: 26, size: 16, anchor: .middle, bold: true) }
    let top = title.isEmpty ? 16.0 : 44.0
    guard !values.isEmpty else {
      doc.text("(no data)", x: W / 2, y: H / 2, size: 14, anchor: .middle, fill: "#888888")
      return doc.render()
    }
    switch orientation {
    case .horizontal: drawHorizontal(&doc, top: top)
    case .vertical: drawVertical(&doc, top: top)
    }
    return doc.render()
  }

  private func fill(_ v: Double) -> String { SeriesPalette.color(BarChart.barColor(v)).hex }

  // MARK: Horizontal

  private func drawHorizontal(_ doc: inout SVGDocument, top: Double) {
    let W = doc.width, H = doc.height, size = 11.0
    let labelWidth = min(W * 0.3, labels.map { SVGDocument.textWidth($0, size: size) }.max() ?? 0)
    let labelChars = max(1, Int(labelWidth / (size * 0.6)))
    let valueWidth = values.map { SVGDocument.textWidth(valueText($0), size: size) }.max() ?? 0
    let left = 14 + labelWidth + (categoryLabel.isEmpty ? 0 : 22)
    let right = 16 + valueWidth
    let bottom = valueLabel.isEmpty ? 36.0 : 58.0
    let plotWidth = max(10, W - left - right), plotHeight = max(10, H - top - bottom)
    let scale = valueScale(targetTicks: max(2, min(Int(plotWidth / 70), 10)))
    func px(_ v: Double) -> Double { left + scale.fraction(v) * plotWidth }
    for tick in scale.ticks {
      let x = px(tick)
      doc.line(x1: x, y1: top, x2: x, y2: top + plotHeight, stroke: "#e3e3e3")
      doc.line(x1: x, y1: top + plotHeight, x2: x, y2: top + plotHeight + 5, stroke: "#333333")
      doc.text(scale.label(tick), x: x, y: top + plotHeight + 19, size: size, anchor: .middle)
    }
    let slot = plotHeight / Double(values.count)
    let barHeight = slot * 0.72
    let labelStride = max(1, Int((size + 2) / max(slot, 0.001)) + (slot < size + 2 ? 1 : 0))
    for (i, v) in values.enumerated() {
      let y = top + Double(i) * slot + (slot - barHeight) / 2
      if v.isFinite {
        let a = px(min(0, v)), b = px(max(0, v))
        doc.rect(x: a, y: y, width: b - a, height: barHeight, fill: fill(v))
      }
      if i % labelStride == 0 {
        doc.text(TextGrid.truncate(labels[i], to: labelChars), x: left - 8,
                 y: y + barHeight / 2 + 4, size: size, anchor: .end)
        let end = v.isFinite ? px(max(0, v)) : px(0)
        doc.text(valueText(v), x: end + 4, y: y + barHeight / 2 + 4, size: size, fill: "#444444")
      }
    }
    doc.line(x1: px(0), y1: top, x2: px(0), y2: top + plotHeight, stroke: "#333333", width: 1.2)
    doc.line(x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight,
             stroke: "#333333", width: 1.2)
    if !valueLabel.isEmpty {
      doc.text(valueLabel, x: left + plotWidth / 2, y: top + plotHeight + 42, size: 13, anchor: .middle)
    }
    if !categoryLabel.isEmpty {
      doc.text(categoryLabel, x: 16, y: top + plotHeight / 2, size: 13, anchor: .middle, rotate: -90)
    }
  }

  // MARK: Vertical

  private func drawVertical(_ doc: inout SVGDocument, top: Double) {
    let W = doc.width, H = doc.height, size = 11.0
    let plotHeightGuess = max(10, H - top - 60)
    let scale = valueScale(targetTicks: max(2, min(Int(plotHeightGuess / 45), 10)))
    let tickWidth = scale.ticks.map { SVGDocument.textWidth(scale.label($0), size: size) }.max() ?? 0
    let left = 14 + tickWidth + (valueLabel.isEmpty ? 0 : 22)
    let plotWidth = max(10, W - left - 16)
    let slot = plotWidth / Double(values.count)
    let longest = labels.map { SVGDocument.textWidth($0, size: size) }.max() ?? 0
    let rotate = longest > slot - 4
    let labelSpace = rotate ? min(H * 0.3, longest * 0.72 + 10) : 20
    let labelChars = rotate ? max(1, Int((labelSpace - 10) / 0.72 / (size * 0.6))) : Int.max
    let bottom = labelSpace + (categoryLabel.isEmpty ? 8 : 30)
    let plotHeight = max(10, H - top - bottom)
    func py(_ v: Double) -> Double { top + (1 - scale.fraction(v)) * plotHeight }
    for tick in scale.ticks {
      let y = py(tick)
      doc.line(x1: left, y1: y, x2: left + plotWidth, y2: y, stroke: "#e3e3e3")
      doc.line(x1: left - 5, y1: y, x2: left, y2: y, stroke: "#333333")
      doc.text(scale.label(tick), x: left - 8, y: y + 4, size: size, anchor: .end)
    }
    let barWidth = slot * 0.72
    let labelStride = rotate ? max(1, Int((size + 2) / max(slot, 0.001)) + (slot < size + 2 ? 1 : 0)) : 1
    for (i, v) in values.enumerated() {
      let x = left + Double(i) * slot + (slot - barWidth) / 2
      if v.isFinite {
        let a = py(max(0, v)), b = py(min(0, v))
        doc.rect(x: x, y: a, width: barWidth, height: b - a, fill: fill(v))
        let text = valueText(v)
        if SVGDocument.textWidth(text, size: 10) < slot {
          let ty = v >= 0 ? a - 4 : b + 12
          doc.text(text, x: x + barWidth / 2, y: ty, size: 10, anchor: .middle, fill: "#444444")
        }
      }
      guard i % labelStride == 0 else { continue }
      let cx = x + barWidth / 2, ly = top + plotHeight + 16
      if rotate {
        doc.text(TextGrid.truncate(labels[i], to: labelChars), x: cx, y: ly - 4, size: size,
                 anchor: .end, rotate: -45)
      } else {
        doc.text(labels[i], x: cx, y: ly, size: size, anchor: .middle)
      }
    }
    doc.line(x1: left, y1: py(0), x2: left + plotWidth, y2: py(0), stroke: "#333333", width: 1.2)
    doc.line(x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: "#333333", width: 1.2)
    if !valueLabel.isEmpty {
      doc.text(valueLabel, x: 16, y: top + plotHeight / 2, size: 13, anchor: .middle, rotate: -90)
    }
    if !categoryLabel.isEmpty {
      doc.text(categoryLabel, x: left + plotWidth / 2, y: H - 10, size: 13, anchor: .middle)
    }
  }
}
