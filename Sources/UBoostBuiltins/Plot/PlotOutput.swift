import Foundation
import UBoostLang
import UBoostPlot

// MARK: - Where plots go

/// Hooks for hosts that collect plots (the notebook writer).
///
/// ```swift
/// PlotCapture.sink = { name, svg in try? svg.write(toFile: dir + "/" + name + ".svg", atomically: true, encoding: .utf8) }
/// PlotCapture.terminal = false    // keep charts out of the captured text
/// ```
public enum PlotCapture {
  /// When set, every chart also hands its SVG to the sink with a file-friendly name
  /// (the `file:` base name, else the title, else `plot-N`).
  nonisolated(unsafe) public static var sink: ((_ name: String, _ svg: String) -> Void)?
  /// Whether charts without `file:` are drawn as text through the interpreter output.
  nonisolated(unsafe) public static var terminal = true
  /// Terminal chart size (default: the terminal width, 20 lines).
  nonisolated(unsafe) public static var size: (width: Int, height: Int)?
  /// Colour in terminal charts (default: when stdout is a colour terminal).
  nonisolated(unsafe) public static var color: Bool?
  nonisolated(unsafe) static var counter = 0
}

extension Builtins {
  /// Receives every chart's SVG (same as `PlotCapture.sink`): the notebook writer's hook.
  public static var plotSink: ((_ name: String, _ svg: String) -> Void)? {
    get { PlotCapture.sink }
    set { PlotCapture.sink = newValue }
  }
}

enum PlotOutput {
  /// Shows a chart: to `file` (SVG, or DOT/text for graphs by extension) or as terminal text.
  static func emit(_ chart: Chart, file: String?, a: Arguments) throws -> Value {
    let w = try a.optionalInt("width"), h = try a.optionalInt("height")
    if let w = w, !(10...1000).contains(w) { throw LangError(.value, "\(a.function.name)(width:): must be in 10...1000, got \(w)") }
    if let h = h, !(3...500).contains(h) { throw LangError(.value, "\(a.function.name)(height:): must be in 3...500, got \(h)") }
    // width:/height: are terminal columns and lines; the SVG gets 8 and 20 px per unit
    // (the default 80 x 20 is 640 x 400 px).
    let svg = chart.renderSVG(width: (w ?? 80) * 8, height: (h ?? 20) * 20)
    PlotCapture.counter += 1
    if let sink = PlotCapture.sink {
      sink(name(file: file, title: chart.title), svg)
    }
    if let path = file {
      let text: String
      if path.hasSuffix(".dot"), case .graph(let g) = chart {
        text = g.renderDOT()
      } else if path.hasSuffix(".txt") {
        text = chart.renderTerminal(width: w ?? 80, height: h ?? 20, color: false)
      } else {
        text = svg
      }
      do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw LangError(.io, "\(a.function.name)(file:): cannot write '\(path)': \(error.localizedDescription)")
      }
      a.interpreter.write("[\(a.function.name) written to \(path)]\n")
      return .nil_
    }
    if PlotCapture.terminal {
      let size = PlotCapture.size
      let width = w ?? size?.width ?? min(TerminalEnvironment.width(), 100)
      let height = h ?? size?.height ?? 20
      let color = PlotCapture.color ?? TerminalEnvironment.colorEnabled()
      var text = chart.renderTerminal(width: width, height: height, color: color)
      if !text.hasSuffix("\n") { text += "\n" }
      a.interpreter.write(text)
    }
    return .nil_
  }

  static func name(file: String?, title: String) -> String {
    if let f = file { return ((f as NSString).lastPathComponent as NSString).deletingPathExtension }
    let cleaned = title.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
    let t = String(cleaned).split(separator: "-").joined(separator: "-")
    return t.isEmpty ? "plot-\(PlotCapture.counter)" : t
  }
}
