// MARK: - Chart

/// Any chart, for code that handles charts uniformly (the language binding, notebooks).
///
/// ```swift
/// let chart = Chart.bars(try BarChart(labels: ["a", "b"], values: [1, 2]))
/// print(chart.renderTerminal(width: 60, height: 12, color: false))
/// try chart.renderSVG(width: 640, height: 400).write(toFile: "bars.svg", ...)
/// ```
public enum Chart: Equatable, Sendable {
  case line(LinePlot)
  case heatmap(Heatmap)
  case bars(BarChart)
  case scatter(ScatterPlot)
  case graph(GraphPicture)

  /// Terminal text no wider than `width` and at most `height` lines.
  public func renderTerminal(width: Int = TerminalEnvironment.width(), height: Int = 20,
                             color: Bool = TerminalEnvironment.colorEnabled()) -> String {
    switch self {
    case .line(let c): return c.renderTerminal(width: width, height: height, color: color)
    case .heatmap(let c): return c.renderTerminal(width: width, height: height, color: color)
    case .bars(let c): return c.renderTerminal(width: width, height: height, color: color)
    case .scatter(let c): return c.renderTerminal(width: width, height: height, color: color)
    case .graph(let c): return c.renderTerminal(width: width, height: height, color: color)
    }
  }

  /// A standalone SVG document. Graphs are laid out at their natural size and scaled into
  /// `width` x `height`.
  public func renderSVG(width: Int = 640, height: Int = 400) -> String {
    switch self {
    case .line(let c): return c.renderSVG(width: width, height: height)
    case .heatmap(let c): return c.renderSVG(width: width, height: height)
    case .bars(let c): return c.renderSVG(width: width, height: height)
    case .scatter(let c): return c.renderSVG(width: width, height: height)
    case .graph(let c): return c.renderSVG(width: width, height: height)
    }
  }

  /// The chart's title.
  public var title: String {
    switch self {
    case .line(let c): return c.title
    case .heatmap(let c): return c.title
    case .bars(let c): return c.title
    case .scatter(let c): return c.title
    case .graph(let c): return c.title
    }
  }
}
