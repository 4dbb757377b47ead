// MARK: - LinePlot

/// A line chart of one or several series with title, axis labels and legend.
///
/// ```swift
/// var plot = LinePlot(title: "ceil vs smooth", xLabel: "x", yLabel: "y")
/// plot.add(try Series.sample({ $0.rounded(.up) }, from: 0, to: 4, name: "ceil"))
/// print(plot.renderTerminal(width: 72, height: 18, color: false))
/// let svg = plot.renderSVG(width: 640, height: 400)
/// ```
public struct LinePlot: Equatable, Sendable {
  /// The series, drawn in order with palette colours.
  public var series: [Series]
  /// Title above the chart; empty for none.
  public var title: String
  /// Label under the x axis; empty for none.
  public var xLabel: String
  /// Label of the y axis; empty for none.
  public var yLabel: String
  /// Show the legend; by default it is shown when at least one series has a name.
  public var showLegend: Bool?
  /// Log axes and fixed ranges (default: linear, fitted to the data).
  public var axes: AxisOptions = .linear

  /// Creates a line plot; series can also be added later with `add(_:)`.
  public init(series: [Series] = [], title: String = "", xLabel: String = "", yLabel: String = "",
              showLegend: Bool? = nil) {
    self.series = series
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.showLegend = showLegend
  }

  /// Appends a series; it gets the next palette colour.
  public mutating func add(_ s: Series) { series.append(s) }

  var legendVisible: Bool { showLegend ?? series.contains { !$0.name.isEmpty } }

  func legendName(_ index: Int) -> String {
    series[index].name.isEmpty ? "series \(index + 1)" : series[index].name
  }

  /// The series in axis space (log10 on log axes).
  var plotted: [Series] { axes.isDefault ? series : series.map { $0.mapped(axes.tx, axes.ty) } }

  var xBounds: (Double, Double)? {
    axes.xRange(plotted.reduce(nil) { merge($0, finiteBounds(zip($1.x, $1.y).filter { $0.1.isFinite }.map(\.0))) })
  }
  var yBounds: (Double, Double)? {
    axes.yRange(plotted.reduce(nil) { merge($0, finiteBounds(zip($1.x, $1.y).filter { $0.0.isFinite }.map(\.1))) })
  }
}

// MARK: - Terminal

extension LinePlot {
  /// Renders with braille lines; no output line is longer than `width` and there are at most
  /// `height` lines. `color` adds ANSI colours per series.
  public func renderTerminal(width: Int = TerminalEnvironment.width(), height: Int = 20,
                             color: Bool = TerminalEnvironment.colorEnabled()) -> String {
    let legend = legendVisible
      ? series.indices.map { LegendEntry(name: legendName($0), marker: "──", series: $0) } : []
    return TerminalAxes.render(
      title: title, xLabel: xLabel, yLabel: yLabel, legend: legend,
      xBounds: xBounds, yBounds: yBounds, xLog: axes.xLog, yLog: axes.yLog, xFixed: axes.xLimits != nil, yFixed: axes.yLimits != nil, width: width, height: height, color: color,
      draw: { canvas, map in
        for (index, s) in plotted.enumerated() {
          for piece in s.segments {
            guard var previous = piece.first else { continue }
            canvas.line(x0: map.x(previous.0), y0: map.y(previous.1),
                        x1: map.x(previous.0), y1: map.y(previous.1), series: index)
            for point in piece.dropFirst() {
              canvas.line(x0: map.x(previous.0), y0: map.y(previous.1),
                          x1: map.x(point.0), y1: map.y(point.1), series: index)
              previous = point
            }
          }
        }
      })
  }
}

// MARK: - SVG

extension LinePlot {
  /// Renders a standalone SVG document of `width` x `height` pixels.
  public func renderSVG(width: Int = 640, height: Int = 400) -> String {
    let legend = legendVisible
      ? series.indices.map {
        SVGLegendEntry(name: legendName($0), color: SeriesPalette.color($0).hex, marker: .line)
      } : []
    return SVGAxes.render(
      title: title, xLabel: xLabel, yLabel: yLabel, legend: legend,
      xBounds: xBounds, yBounds: yBounds, xLog: axes.xLog, yLog: axes.yLog, xFixed: axes.xLimits != nil, yFixed: axes.yLimits != nil, width: width, height: height,
      draw: { doc, area in
        for (index, s) in plotted.enumerated() {
          let color = SeriesPalette.color(index).hex
          for piece in s.segments {
            if piece.count == 1, let p = piece.first {
              guard axes.inside(p.0, p.1) else { continue }
              doc.circle(cx: area.px(p.0), cy: area.py(p.1), r: 2.5, fill: color)
            } else {
              let pixels = Decimation.columns(piece.map { (area.px($0.0), area.py($0.1)) })
              doc.polyline(pixels, stroke: color, clip: SVGPlotArea.clipID)
            }
          }
        }
      })
  }
}
