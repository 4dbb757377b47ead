import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
import Foundation
@testable import UBoostPlot

// MARK: - Terminal helpers

/// Removes ANSI SGR escape sequences.
func stripANSI(_ text: String) -> String {
  var out = ""
  var iterator = text.makeIterator()
  while let c = iterator.next() {
    if c == "\u{1B}" {
      // Skip "[" parameters up to the final letter.
      while let d = iterator.next(), !(d.isLetter) {}
      continue
    }
    out.append(c)
  }
  return out
}

/// Asserts that no line is longer than `width` characters and there are at most `height` lines.
func assertFits(_ text: String, width: Int, height: Int, file: StaticString = #filePath,
                line: UInt = #line) {
  let lines = stripANSI(text).split(separator: "\n", omittingEmptySubsequences: false)
  XCTAssertLessThanOrEqual(lines.count, height, "too many lines", file: file, line: line)
  for l in lines {
    XCTAssertLessThanOrEqual(l.count, width, "line too long: '\(l)'", file: file, line: line)
  }
}

// MARK: - XML helpers

/// Parses XML and records element names, the root, attributes and character data.
final class XMLProbe: NSObject, XMLParserDelegate {
  var elements: [String] = []
  var attributes: [[String: String]] = []
  var text = ""
  var texts: [String] = []
  private var current = ""
  var error: Error?

  func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
              qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
    elements.append(elementName)
    attributes.append(attributeDict)
    current = ""
  }
  func parser(_ parser: XMLParser, foundCharacters string: String) {
    text += string
    current += string
  }
  func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
              qualifiedName qName: String?) {
    if elementName == "text" { texts.append(current) }
    current = ""
  }
  func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
}

/// Parses `svg` and fails the test if it is not well-formed XML with an `svg` root.
@discardableResult
func parseSVG(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> XMLProbe {
  let probe = XMLProbe()
  let parser = XMLParser(data: Data(svg.utf8))
  parser.delegate = probe
  let ok = parser.parse()
  XCTAssertTrue(ok, "SVG is not well-formed: \(String(describing: probe.error ?? parser.parserError))",
                file: file, line: line)
  XCTAssertEqual(probe.elements.first, "svg", file: file, line: line)
  return probe
}

// MARK: - Sample charts

enum Samples {
  static func staircase() throws -> LinePlot {
    var plot = LinePlot(title: "ceil vs smooth", xLabel: "channels", yLabel: "tiles")
    plot.add(try Series.sample({ $0.rounded(.up) }, from: 0, to: 4, points: 401, name: "ceil"))
    plot.add(try Series.sample({ x in
      // A sigmoid-sum smooth ceiling: sum of logistic steps at each integer.
      (0..<5).reduce(0.0) { $0 + 1 / (1 + exp(-12 * (x - Double($1)))) }
    }, from: 0, to: 4, points: 401, name: "smooth"))
    return plot
  }

  static func alphas() throws -> Heatmap {
    try Heatmap(matrix: [[0.1, 0.6, 0.2, 0.05, 0.05], [0.3, 0.3, 0.2, 0.1, 0.1],
                         [0.02, 0.08, 0.7, 0.1, 0.1], [0.2, 0.2, 0.2, 0.2, 0.2]],
                rowLabels: ["0->2", "1->2", "0->3", "2->3"],
                columnLabels: ["conv3x3", "conv5x5", "sep3x3", "skip", "zero"],
                title: "alphas", xLabel: "operation", yLabel: "edge", range: 0...1)
  }

  static func bars(_ orientation: BarChart.Orientation) throws -> BarChart {
    try BarChart(labels: ["conv1", "conv2", "conv3_wide_layer", "fc"], values: [0.92, 0.51, -0.2, 0.13],
                 title: "utilization", valueLabel: "util", categoryLabel: "layer",
                 orientation: orientation)
  }

  static func scatter() throws -> ScatterPlot {
    var xs: [Double] = [], ys: [Double] = [], labels: [String] = []
    var seed: UInt64 = 42
    func rnd() -> Double {
      seed = seed &* 6364136223846793005 &+ 1442695040888963407
      return Double(seed >> 11) / Double(UInt64(1) << 53)
    }
    for i in 0..<30 {
      let latency = 0.5 + rnd() * 3
      xs.append(latency)
      ys.append(85 + 8 * (1 - 1 / (1 + latency)) + rnd() * 3 - 3)
      labels.append("a\(i)")
    }
    return try ScatterPlot(x: xs, y: ys, labels: labels, title: "latency vs accuracy",
                           xLabel: "latency (ms)", yLabel: "accuracy (%)", pareto: .init())
  }

  static func cell() throws -> GraphPicture {
    var g = GraphPicture(title: "normal cell")
    for n in ["c_{k-2}", "c_{k-1}", "0", "1", "2", "3", "c_{k}"] { try g.addNode(n) }
    try g.addEdge(from: "c_{k-2}", to: "0", label: "conv3x3 (128ch)")
    try g.addEdge(from: "c_{k-1}", to: "0", label: "skip")
    try g.addEdge(from: "c_{k-1}", to: "1", label: "sep5x5 (64ch)")
    try g.addEdge(from: "0", to: "1", label: "conv3x3 (128ch)")
    try g.addEdge(from: "c_{k-2}", to: "2", label: "dil3x3")
    try g.addEdge(from: "1", to: "2", label: "skip")
    try g.addEdge(from: "0", to: "3", label: "sep3x3")
    try g.addEdge(from: "2", to: "3", label: "conv3x3 (128ch)")
    for n in ["0", "1", "2", "3"] { try g.addEdge(from: n, to: "c_{k}") }
    return g
  }

  static func all() throws -> [(String, Chart)] {
    [("line", .line(try staircase())), ("heatmap", .heatmap(try alphas())),
     ("bars_h", .bars(try bars(.horizontal))), ("bars_v", .bars(try bars(.vertical))),
     ("scatter", .scatter(try scatter())), ("graph", .graph(try cell()))]
  }
}
