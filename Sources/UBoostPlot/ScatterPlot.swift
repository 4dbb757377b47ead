// MARK: - ScatterPlot

/// Points with optional labels, with optional Pareto-front highlighting.
///
/// ```swift
/// var sc = try ScatterPlot(x: [1.2, 0.8, 2.0], y: [91, 88, 93], labels: ["a", "b", "c"],
///                          title: "latency vs accuracy", xLabel: "ms", yLabel: "%")
/// sc.pareto = .init(x: .minimize, y: .maximize)
/// print(sc.renderTerminal(width: 70, height: 18, color: false))
/// ```
public struct ScatterPlot: Equatable, Sendable {
  /// Which direction is better on each axis; the front is drawn connected.
  public struct Pareto: Equatable, Sendable {
    /// Better direction along x (default: minimize, e.g. latency).
    public var x: Objective
    /// Better direction along y (default: maximize, e.g. accuracy).
    public var y: Objective
    /// Creates front directions.
    public init(x: Objective = .minimize, y: Objective = .maximize) { self.x = x; self.y = y }
  }

  /// Point x coordinates; points with a non-finite coordinate are skipped.
  public private(set) var x: [Double]
  /// Point y coordinates.
  public private(set) var y: [Double]
  /// One label per point, or empty for no labels.
  public private(set) var labels: [String]
  /// Title above the chart; empty for none.
  public var title: String
  /// Label under the x axis; empty for none.
  public var xLabel: String
  /// Label of the y axis; empty for none.
  public var yLabel: String
  /// Highlight the Pareto front; nil draws points only.
  public var pareto: Pareto?
  /// Legend name of the points.
  public var name: String
  /// Log axes and fixed ranges (default: linear, fitted to the data).
  public var axes: AxisOptions = .linear

  /// Throws `PlotError.lengthMismatch` for x/y of different lengths and
  /// `PlotError.labelCountMismatch` when non-empty labels do not match the point count.
  public init(x: [Double], y: [Double], labels: [String] = [], title: String = "",
              xLabel: String = "", yLabel: String = "", pareto: Pareto? = nil,
              name: String = "points") throws {
    guard x.count == y.count else {
      throw PlotError.lengthMismatch(series: name, xCount: x.count, yCount: y.count)
    }
    if !labels.isEmpty, labels.count != x.count {
      throw PlotError.labelCountMismatch(what: "scatter points", expected: x.count,
                                         actual: labels.count)
    }
    self.x = x
    self.y = y
    self.labels = labels
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.pareto = pareto
    self.name = name
  }

  /// Indices of the Pareto-optimal points sorted by x (empty when `pareto` is nil).
  public var frontIndices: [Int] {
    guard let pareto else { return [] }
    return paretoFront(x: x, y: y, x: pareto.x, y: pareto.y)
  }

  var finitePoints: [Int] { x.indices.filter { x[$0].isFinite && y[$0].isFinite } }
  var xBounds: (Double, Double)? { axes.xRange(finiteBounds(finitePoints.map { x[$0] })) }
  var yBounds: (Double, Double)? { axes.yRange(finiteBounds(finitePoints.map { y[$0] })) }

  /// The points in axis space (log10 on log axes; points outside the limits become NaN).
  var plotted: ScatterPlot {
    guard !axes.isDefault else { return self }
    var p = self
    p.x = x.map(axes.tx); p.y = y.map(axes.ty)
    for i in p.x.indices where !axes.inside(p.x[i], p.y[i]) { p.x[i] = .nan; p.y[i] = .nan }
    return p
  }
  static let frontSeries = 1
  static let frontName = "Pareto front"
}

// MARK: - Terminal

extension ScatterPlot {
  /// Renders points as braille dots (2x2 blocks so they stand out), the front as a braille line
  /// and point labels next to their points where there is free space.
  public func renderTerminal(width: Int = TerminalEnvironment.width(), height: Int = 20,
                             color: Bool = TerminalEnvironment.colorEnabled()) -> String {
    plotted.drawTerminal(width: width, height: height, color: color)
  }

  func drawTerminal(width: Int, height: Int, color: Bool) -> String {
    let front = frontIndices
    var legend = [LegendEntry(name: name, marker: "⣿", series: 0)]
    if pareto != nil { legend.append(LegendEntry(name: ScatterPlot.frontName, marker: "──", series: 1)) }
    return TerminalAxes.render(
      title: title, xLabel: xLabel, yLabel: yLabel, legend: legend,
      xBounds: xBounds, yBounds: yBounds, xLog: axes.xLog, yLog: axes.yLog, xFixed: axes.xLimits != nil, yFixed: axes.yLimits != nil, width: width, height: height, color: color,
      draw: { canvas, map in
        for pair in zip(front, front.dropFirst()) {
          canvas.line(x0: map.x(x[pair.0]), y0: map.y(y[pair.0]),
                      x1: map.x(x[pair.1]), y1: map.y(y[pair.1]), series: ScatterPlot.frontSeries)
        }
        let onFront = Set(front)
        for i in finitePoints {
          let px = clampedInt(map.x(x[i])), py = clampedInt(map.y(y[i]))
          let series = onFront.contains(i) ? ScatterPlot.frontSeries : 0
          canvas.set(x: px, y: py, series: series)
          canvas.set(x: px + 1, y: py, series: series)
          canvas.set(x: px, y: py + 1, series: series)
          canvas.set(x: px + 1, y: py + 1, series: series)
        }
      },
      annotate: { grid, map, column0, row0 in
        guard !labels.isEmpty else { return }
        let plotEnd = grid.width
        for i in finitePoints {
          let text = TextGrid.clean(labels[i])
          guard !text.isEmpty else { continue }
          let c = column0 + clampedInt(map.x(x[i])) / 2 + 1
          let r = row0 + clampedInt(map.y(y[i])) / 4
          // Only write where every target cell is blank, so labels never hide data.
          let cells = (c..<(c + text.count))
          guard c + text.count <= plotEnd,
                cells.allSatisfy({ grid.char(atColumn: $0, row: r) == " " }) else { continue }
          grid.write(text, column: c, row: r)
        }
      })
  }
}

// MARK: - SVG

extension ScatterPlot {
  /// Renders a standalone SVG document of `width` x `height` pixels.
  public func renderSVG(width: Int = 640, height: Int = 400) -> String {
    plotted.drawSVG(width: width, height: height)
  }

  func drawSVG(width: Int, height: Int) -> String {
    let front = frontIndices
    let pointColor = SeriesPalette.color(0).hex
    let frontColor = SeriesPalette.color(ScatterPlot.frontSeries).hex
    var legend = [SVGLegendEntry(name: name, color: pointColor, marker: .dot)]
    if pareto != nil {
      legend.append(SVGLegendEntry(name: ScatterPlot.frontName, color: frontColor, marker: .line))
    }
    return SVGAxes.render(
      title: title, xLabel: xLabel, yLabel: yLabel, legend: legend,
      xBounds: xBounds, yBounds: yBounds, xLog: axes.xLog, yLog: axes.yLog, xFixed: axes.xLimits != nil, yFixed: axes.yLimits != nil, width: width, height: height,
      draw: { doc, area in
        if front.count > 1 {
          doc.polyline(front.map { (area.px(x[$0]), area.py(y[$0])) }, stroke: frontColor,
                       width: 2, clip: SVGPlotArea.clipID)
        }
        let onFront = Set(front)
        let others = finitePoints.filter { !onFront.contains($0) }
        let pixels = others.map { (area.px(x[$0]), area.py(y[$0])) }
        for k in Decimation.distinctPixels(pixels) {
          doc.circle(cx: pixels[k].0, cy: pixels[k].1, r: 3.5, fill: pointColor,
                     stroke: "#ffffff", strokeWidth: 0.8)
        }
        for i in front {
          doc.circle(cx: area.px(x[i]), cy: area.py(y[i]), r: 4.5, fill: frontColor,
                     stroke: "#ffffff", strokeWidth: 1)
        }
        if !labels.isEmpty {
          for i in finitePoints where !labels[i].isEmpty {
            doc.text(labels[i], x: area.px(x[i]) + 6, y: area.py(y[i]) - 6, size: 10,
                     fill: "#333333")
          }
        }
      })
  }
}
