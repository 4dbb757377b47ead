// MARK: - SVGAxes
//
// The shared SVG frame for line and scatter plots: title, grid, axes with 1-2-5 ticks, axis
// labels and a legend to the right of the plot area.

struct SVGLegendEntry {
  enum Marker { case line, dot, dashedLine }
  var name: String
  var color: String
  var marker: Marker
}

/// The plot rectangle and data-to-pixel mapping of a laid-out SVG frame.
struct SVGPlotArea {
  let left: Double, top: Double, width: Double, height: Double
  let xScale: NiceScale, yScale: NiceScale
  static let clipID = SVGDocument.idPrefix + "plot-area"

  func px(_ x: Double) -> Double { left + xScale.fraction(x) * width }
  func py(_ y: Double) -> Double { top + (1 - yScale.fraction(y)) * height }
}

enum SVGAxes {
  static func render(
    title: String, xLabel: String, yLabel: String, legend: [SVGLegendEntry],
    xBounds: (Double, Double)?, yBounds: (Double, Double)?, xLog: Bool = false, yLog: Bool = false, xFixed: Bool = false, yFixed: Bool = false, width: Int, height: Int,
    draw: (inout SVGDocument, SVGPlotArea) -> Void
  ) -> String {
    var doc = SVGDocument(width: width, height: height)
    let W = doc.width, H = doc.height
    let (x0, x1) = xBounds ?? (0, 1)
    let (y0, y1) = yBounds ?? (0, 1)
    let top = title.isEmpty ? 20.0 : 44.0
    let bottom = xLabel.isEmpty ? 40.0 : 60.0
    let plotHeightGuess = max(20, H - top - bottom)
    let yTarget = max(2, min(Int(plotHeightGuess / 45), 10))
    let yScale = yFixed ? NiceScale(fixedMin: y0, max: y1, targetTicks: yTarget) : NiceScale(min: y0, max: y1, targetTicks: yTarget)
    let yLabels = yScale.ticks.map { yLog ? NiceScale.logLabel($0) : yScale.label($0) }
    let tickLabelWidth = yLabels.map { SVGDocument.textWidth($0, size: 11) }.max() ?? 10
    let legendWidth = legend.isEmpty ? 0.0
      : 36 + (legend.map { SVGDocument.textWidth($0.name, size: 12) }.max() ?? 0)
    let left = 14 + tickLabelWidth + (yLabel.isEmpty ? 0 : 22)
    let right = 20 + min(legendWidth, W * 0.35)
    let area0Width = max(20, W - left - right)
    let xTarget = max(2, min(Int(area0Width / 70), 12))
    let xScale = xFixed ? NiceScale(fixedMin: x0, max: x1, targetTicks: xTarget) : NiceScale(min: x0, max: x1, targetTicks: xTarget)
    let area = SVGPlotArea(left: left, top: top, width: area0Width, height: plotHeightGuess,
                           xScale: xScale, yScale: yScale)

    doc.def("<clipPath id=\"\(SVGPlotArea.clipID)\"><rect x=\"\(SVGDocument.n(area.left - 4))\" y=\"\(SVGDocument.n(area.top - 4))\" width=\"\(SVGDocument.n(area.width + 8))\" height=\"\(SVGDocument.n(area.height + 8))\"/></clipPath>")
    if !title.isEmpty {
      doc.text(title, x: W / 2, y: 26, size: 16, anchor: .middle, bold: true)
    }
    doc.rect(x: area.left, y: area.top, width: area.width, height: area.height, fill: "#fbfbfb")

    // Grid and ticks.
    for (value, label) in zip(yScale.ticks, yLabels) {
      let y = area.py(value)
      doc.line(x1: area.left, y1: y, x2: area.left + area.width, y2: y, stroke: "#e3e3e3")
      doc.line(x1: area.left - 5, y1: y, x2: area.left, y2: y, stroke: "#333333")
      doc.text(label, x: area.left - 8, y: y + 4, size: 11, anchor: .end)
    }
    for value in xScale.ticks {
      let x = area.px(value)
      doc.line(x1: x, y1: area.top, x2: x, y2: area.top + area.height, stroke: "#e3e3e3")
      doc.line(x1: x, y1: area.top + area.height, x2: x, y2: area.top + area.height + 5,
               stroke: "#333333")
      doc.text(xLog ? NiceScale.logLabel(value) : xScale.label(value), x: x, y: area.top + area.height + 19, size: 11, anchor: .middle)
    }
    doc.line(x1: area.left, y1: area.top + area.height, x2: area.left + area.width,
             y2: area.top + area.height, stroke: "#333333", width: 1.2)
    doc.line(x1: area.left, y1: area.top, x2: area.left, y2: area.top + area.height,
             stroke: "#333333", width: 1.2)
    if !xLabel.isEmpty {
      doc.text(xLabel, x: area.left + area.width / 2, y: area.top + area.height + 42, size: 13,
               anchor: .middle)
    }
    if !yLabel.isEmpty {
      let x = 16.0, y = area.top + area.height / 2
      doc.text(yLabel, x: x, y: y, size: 13, anchor: .middle, rotate: -90)
    }

    draw(&doc, area)

    // Legend.
    if !legend.isEmpty {
      let lx = area.left + area.width + 16
      for (i, entry) in legend.enumerated() {
        let y = area.top + 10 + Double(i) * 20
        switch entry.marker {
        case .line:
          doc.line(x1: lx, y1: y, x2: lx + 20, y2: y, stroke: entry.color, width: 2.5)
        case .dashedLine:
          doc.line(x1: lx, y1: y, x2: lx + 20, y2: y, stroke: entry.color, width: 2.5, dash: "5,3")
        case .dot:
          doc.circle(cx: lx + 10, cy: y, r: 4, fill: entry.color)
        }
        let chars = max(1, Int((right - 20 - 26) / (12 * 0.6)))
        doc.text(TextGrid.truncate(entry.name, to: chars), x: lx + 26, y: y + 4, size: 12)
      }
    }
    return doc.render()
  }
}
