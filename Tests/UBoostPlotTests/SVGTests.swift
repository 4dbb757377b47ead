import XCTest
import Foundation
@testable import UBoostPlot

final class SVGTests: XCTestCase {
  func testEveryChartKindIsWellFormedXML() throws {
    for (name, chart) in try Samples.all() {
      let probe = parseSVG(chart.renderSVG(width: 640, height: 400))
      XCTAssertTrue(probe.texts.contains(chart.title), "\(name) title")
    }
  }

  func testLinePlotSVGHasAxesTicksLegend() throws {
    let probe = parseSVG(try Samples.staircase().renderSVG(width: 640, height: 400))
    XCTAssertEqual(probe.elements.filter { $0 == "polyline" }.count, 2)
    for text in ["ceil", "smooth", "channels", "tiles", "0", "4"] {
      XCTAssertTrue(probe.texts.contains(text), text)
    }
    // Series colours come from the palette, distinct per series.
    let strokes = probe.attributes.compactMap { $0["stroke"] }
    XCTAssertTrue(strokes.contains(SeriesPalette.color(0).hex))
    XCTAssertTrue(strokes.contains(SeriesPalette.color(1).hex))
  }

  func testHeatmapSVGHasCellsAndColourBar() throws {
    let hm = try Samples.alphas()
    let probe = parseSVG(hm.renderSVG(width: 640, height: 400))
    let fills = probe.attributes.compactMap { $0["fill"] }
    // 20 cells + background + colour bar.
    XCTAssertGreaterThanOrEqual(probe.elements.filter { $0 == "rect" }.count, 22)
    XCTAssertTrue(probe.elements.contains("linearGradient"))
    let gradientID = try XCTUnwrap(probe.attributes.first { $0["x1"] == "0" && $0["id"] != nil }?["id"])
    XCTAssertTrue(gradientID.hasSuffix("colour-bar"), gradientID)
    XCTAssertTrue(fills.contains("url(#\(gradientID))"))
    // Range 0...1 fixed: the 0.7 cell has the scale colour at 0.7.
    XCTAssertTrue(fills.contains(ColorScale.sequential.color(at: 0.7).hex))
    for label in ["conv3x3", "zero", "0->2", "0.7", "0.4", "1.0"] {
      XCTAssertTrue(probe.texts.contains(label), label)
    }
  }

  func testScatterSVGHighlightsFront() throws {
    let sc = try Samples.scatter()
    let probe = parseSVG(sc.renderSVG(width: 640, height: 400))
    let frontColor = SeriesPalette.color(1).hex
    let frontDots = probe.attributes.enumerated().filter {
      probe.elements[$0.offset] == "circle" && $0.element["fill"] == frontColor
    }
    XCTAssertEqual(frontDots.count, sc.frontIndices.count)
    XCTAssertEqual(probe.elements.filter { $0 == "polyline" }.count, 1)
    XCTAssertTrue(probe.texts.contains("Pareto front"))
  }

  func testGraphSVGHasBoxesCurvesArrowsAndLabels() throws {
    let g = try Samples.cell()
    let probe = parseSVG(g.renderSVG())
    XCTAssertEqual(probe.elements.filter { $0 == "path" }.count, g.edges.count + Set(g.edges.map(\.label)).count,
                   "one path per edge plus one arrowhead path per marker")
    XCTAssertTrue(probe.elements.contains("marker"))
    for node in g.nodes { XCTAssertTrue(probe.texts.contains(node.label), node.label) }
    XCTAssertEqual(probe.texts.filter { $0 == "conv3x3 (128ch)" }.count, 3)
    // Scaled into a fixed box: the outer size changes, the view box keeps the layout.
    let scaled = parseSVG(g.renderSVG(width: 300, height: 100))
    XCTAssertEqual(scaled.attributes.first?["width"], "300")
  }

  func testDegenerateDataStillProducesValidSVG() throws {
    var charts: [Chart] = [
      .line(LinePlot()),
      .line(LinePlot(series: [try Series(name: "bad", x: [0, 1, 2], y: [.nan, .infinity, -.infinity])])),
      .line(LinePlot(series: [Series(name: "const", y: [3, 3, 3, 3])])),
      .line(LinePlot(series: [try Series(name: "one", x: [1], y: [1])])),
      .heatmap(try Heatmap(matrix: [[.nan]])),
      .heatmap(try Heatmap(matrix: [[2, 2], [2, 2]])),
      .heatmap(try Heatmap(matrix: Array(repeating: Array(repeating: 0.5, count: 60), count: 80))),
      .bars(try BarChart(values: [])),
      .bars(try BarChart(values: [.nan], orientation: .vertical)),
      .bars(try BarChart(values: [0, 0, 0])),
      .scatter(try ScatterPlot(x: [], y: [], pareto: .init())),
      .scatter(try ScatterPlot(x: [1], y: [1], labels: ["only"], pareto: .init())),
      .graph(GraphPicture()),
    ]
    var cyclic = GraphPicture(title: "cycle")
    try cyclic.addNode("a"); try cyclic.addNode("b"); try cyclic.addNode("c")
    try cyclic.addEdge(from: "a", to: "b", label: "x"); try cyclic.addEdge(from: "b", to: "c", label: "y")
    try cyclic.addEdge(from: "c", to: "a", label: "back"); try cyclic.addEdge(from: "b", to: "b", label: "self")
    try cyclic.addEdge(from: "a", to: "b", label: "parallel")
    charts.append(.graph(cyclic))
    for chart in charts {
      for (w, h) in [(640, 400), (1, 1), (50, 30)] {
        let svg = chart.renderSVG(width: w, height: h)
        parseSVG(svg)
        XCTAssertFalse(svg.contains("nan"), "no NaN coordinates")
        XCTAssertFalse(svg.contains("inf\""), "no infinite coordinates")
      }
    }
  }

  func testTextIsEscaped() throws {
    let nasty = "a<b & \"c\" 'd' > e\u{07}"
    let plot = LinePlot(series: [Series(name: nasty, y: [1, 2])], title: nasty, xLabel: nasty)
    let svg = plot.renderSVG(width: 640, height: 300)
    XCTAssertTrue(svg.contains("a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt; e"))
    let probe = parseSVG(svg)
    // The parser decodes entities back; the bell control character is dropped.
    XCTAssertEqual(probe.texts.filter { $0 == "a<b & \"c\" 'd' > e" }.count, 3)

    var g = GraphPicture(title: nasty)
    try g.addNode("</svg>", label: "<node & co>")
    try g.addNode("b")
    try g.addEdge(from: "</svg>", to: "b", label: "op \"x\"")
    let graphProbe = parseSVG(g.renderSVG())
    XCTAssertTrue(graphProbe.texts.contains("<node & co>"))
    parseSVG(try Heatmap(matrix: [[1]], rowLabels: [nasty], columnLabels: ["&"], title: nasty).renderSVG())
    parseSVG(try BarChart(labels: [nasty], values: [1], title: nasty).renderSVG())
    parseSVG(try ScatterPlot(x: [1], y: [2], labels: [nasty], title: nasty).renderSVG())
  }

  // MARK: PNG rendering with rsvg-convert

  func testRsvgConvertRendersEveryKind() throws {
    let tool = "/usr/bin/rsvg-convert"
    guard FileManager.default.isExecutableFile(atPath: tool) else {
      throw XCTSkip("rsvg-convert is not installed")
    }
    let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("uboost-plot-png")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for (name, chart) in try Samples.all() {
      let svgURL = dir.appendingPathComponent("\(name).svg")
      let pngURL = dir.appendingPathComponent("\(name).png")
      try chart.renderSVG(width: 640, height: 400).write(to: svgURL, atomically: true, encoding: .utf8)
      try? FileManager.default.removeItem(at: pngURL)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: tool)
      process.arguments = [svgURL.path, "-o", pngURL.path]
      let errors = Pipe()
      process.standardError = errors
      try process.run()
      process.waitUntilExit()
      let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      XCTAssertEqual(process.terminationStatus, 0, "\(name): \(message)")
      XCTAssertTrue(message.isEmpty, "\(name) warnings: \(message)")
      let png = try Data(contentsOf: pngURL)
      XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], name)
      XCTAssertGreaterThan(png.count, 2000, name)
    }
  }

  /// Every id is unique per document and deterministic, and every reference points at an id of
  /// the same document (several SVGs inline in one notebook page used to share `plot-area`).
  func testElementIDsAreUniquePerDocumentAndDeterministic() throws {
    func ids(_ svg: String) -> [String] {
      parseSVG(svg).attributes.compactMap { $0["id"] }
    }
    let a = try LinePlot(series: [Series(name: "a", x: [0, 1], y: [0, 1])]).renderSVG()
    let b = try LinePlot(series: [Series(name: "b", x: [0, 1], y: [1, 0])]).renderSVG()
    let ia = ids(a), ib = ids(b)
    XCTAssertFalse(ia.isEmpty)
    XCTAssertTrue(Set(ia).isDisjoint(with: ib), "\(ia) \(ib)")
    XCTAssertEqual(try LinePlot(series: [Series(name: "a", x: [0, 1], y: [0, 1])]).renderSVG(), a)
    for id in ia { XCTAssertTrue(a.contains("url(#\(id))"), id) }
    XCTAssertFalse(a.contains("\u{1}"))
    let hm = try Samples.alphas().renderSVG(width: 640, height: 400)
    XCTAssertTrue(Set(ids(hm)).isDisjoint(with: ia))
  }

  /// Log axes label decades with data values; limits fix the range.
  func testLogAxesAndLimits() throws {
    var p = LinePlot(series: [try Series(name: "y", x: [1, 10, 100, 1000], y: [1, 100, 10000, 1e6])])
    p.axes = try AxisOptions(xLog: true, yLog: true)
    let probe = parseSVG(p.renderSVG())
    for label in ["1", "10", "100", "1000"] { XCTAssertTrue(probe.texts.contains(label), "\(label) in \(probe.texts)") }
    XCTAssertTrue(probe.texts.contains("1e+06") || probe.texts.contains("1e6"), "\(probe.texts)")
    let text = p.renderTerminal(width: 60, height: 14, color: false)
    XCTAssertTrue(text.contains("1000"), text)
    p.axes = try AxisOptions(xLimits: (0, 2000), yLimits: (-10, 10))
    let lim = parseSVG(p.renderSVG())
    XCTAssertTrue(lim.texts.contains("2000") && lim.texts.contains("-10") && lim.texts.contains("10"), "\(lim.texts)")
    XCTAssertThrowsError(try AxisOptions(xLimits: (3, 1)))
    XCTAssertThrowsError(try AxisOptions(yLog: true, yLimits: (0, 1)))
    var sc = try ScatterPlot(x: [1, 10, 100], y: [5, 6, 7])
    sc.axes = try AxisOptions(xLog: true, xLimits: (1, 50))
    let sp = parseSVG(sc.renderSVG())
    XCTAssertEqual(sp.elements.filter { $0 == "circle" }.count, 3, "2 points and the legend dot: x = 100 lies outside the limits")
  }
}
