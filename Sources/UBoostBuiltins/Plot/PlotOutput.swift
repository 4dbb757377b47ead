import Foundation
import UBoostLang
import UBoostPlot

// MARK: - Where plots go

/// Where one interpreter's charts go (`interpreter.engine.plots`): the notebook writer and
/// the lesson runner set these on *their* interpreter.
///
/// ```swift
/// interp.engine.plots.sink = { name, svg in try? svg.write(toFile: dir + "/" + name + ".svg", atomically: true, encoding: .utf8) }
/// interp.engine.plots.terminal = false    // keep charts out of the captured text
/// ```
public struct PlotCapture {
  /// When set, every chart also hands its SVG to the sink with a file-friendly name
  /// (the `file:` base name, else the title, else `plot-N`).
  public var sink: ((_ name: String, _ svg: String) -> Void)?
  /// Whether charts without `file:` are drawn as text through the interpreter output.
  public var terminal = true
  /// Terminal chart size (default: the terminal width, 20 lines).
  public var size: (width: Int, height: Int)?
  /// Colour in terminal charts (default: when stdout is a colour terminal).
  public var color: Bool?
  /// Charts made so far (names untitled charts `plot-N`).
  var counter = 0

  public init() {}
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
    let engine = a.interpreter.engine
    engine.plots.counter += 1
    let capture = engine.plots
    if let sink = capture.sink {
      sink(name(file: file, title: chart.title, counter: capture.counter), svg)
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
    if capture.terminal {
      let size = capture.size
      let width = w ?? size?.width ?? min(TerminalEnvironment.width(), 100)
      let height = h ?? size?.height ?? 20
      let color = capture.color ?? TerminalEnvironment.colorEnabled()
      var text = chart.renderTerminal(width: width, height: height, color: color)
      if !text.hasSuffix("\n") { text += "\n" }
      a.interpreter.write(text)
    }
    return .nil_
  }

  static func name(file: String?, title: String, counter: Int) -> String {
    if let f = file { return ((f as NSString).lastPathComponent as NSString).deletingPathExtension }
    let cleaned = title.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
    let t = String(cleaned).split(separator: "-").joined(separator: "-")
    return t.isEmpty ? "plot-\(counter)" : t
  }
}
