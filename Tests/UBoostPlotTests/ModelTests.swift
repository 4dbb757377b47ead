import XCTest
import Foundation
@testable import UBoostPlot

final class ModelTests: XCTestCase {
  // MARK: Errors

  func testInvalidInputThrowsPlotError() {
    XCTAssertThrowsError(try Series(name: "s", x: [1, 2], y: [1])) {
      XCTAssertEqual($0 as? PlotError, .lengthMismatch(series: "s", xCount: 2, yCount: 1))
      XCTAssertEqual(String(describing: $0), "series 's': 2 x values but 1 y values")
    }
    XCTAssertThrowsError(try Heatmap(matrix: [])) { XCTAssertEqual($0 as? PlotError, .emptyMatrix) }
    XCTAssertThrowsError(try Heatmap(matrix: [[]])) { XCTAssertEqual($0 as? PlotError, .emptyMatrix) }
    XCTAssertThrowsError(try Heatmap(matrix: [[1, 2], [3]])) {
      XCTAssertEqual($0 as? PlotError, .raggedMatrix(row: 1, expected: 2, actual: 1))
    }
    XCTAssertThrowsError(try Heatmap(matrix: [[1, 2]], columnLabels: ["a"])) {
      XCTAssertEqual($0 as? PlotError, .labelCountMismatch(what: "heat map columns", expected: 2, actual: 1))
    }
    XCTAssertThrowsError(try Heatmap(matrix: [[1, 2]], rowLabels: ["a", "b"]))
    XCTAssertThrowsError(try BarChart(labels: ["a"], values: [1, 2]))
    XCTAssertThrowsError(try ScatterPlot(x: [1], y: []))
    XCTAssertThrowsError(try ScatterPlot(x: [1], y: [2], labels: ["a", "b"]))
    XCTAssertThrowsError(try Series.sample({ $0 }, from: 0, to: 1, points: 1)) {
      guard case .invalidSampling? = $0 as? PlotError else { return XCTFail("\($0)") }
    }
    XCTAssertThrowsError(try Series.sample({ $0 }, from: 0, to: .infinity))
    var g = GraphPicture()
    XCTAssertNoThrow(try g.addNode("a"))
    XCTAssertThrowsError(try g.addNode("a")) { XCTAssertEqual($0 as? PlotError, .duplicateNode("a")) }
    XCTAssertThrowsError(try g.addEdge(from: "a", to: "zz")) { XCTAssertEqual($0 as? PlotError, .unknownNode("zz")) }
    XCTAssertThrowsError(try GraphPicture(nodes: [.init(id: "a")], edges: [.init(from: "q", to: "a")]))
  }

  func testSampleRethrowsCallerErrors() {
    struct Boom: Error {}
    XCTAssertThrowsError(try Series.sample({ x in if x > 0.5 { throw Boom() }; return x },
                                           from: 0, to: 1, points: 10)) { XCTAssertTrue($0 is Boom) }
  }

  func testSampleHitsBothEndsEvenly() throws {
    let s = try Series.sample({ 2 * $0 }, from: -1, to: 3, points: 5, name: "f")
    XCTAssertEqual(s.x, [-1, 0, 1, 2, 3])
    XCTAssertEqual(s.y, [-2, 0, 2, 4, 6])
    XCTAssertEqual(s.name, "f")
  }

  // MARK: Pareto front

  /// Brute force: a point is on the front if no other point dominates it.
  func bruteFront(_ x: [Double], _ y: [Double], _ ox: Objective, _ oy: Objective) -> [Int] {
    func better(_ a: Double, _ b: Double, _ o: Objective) -> Bool { o == .minimize ? a < b : a > b }
    func noWorse(_ a: Double, _ b: Double, _ o: Objective) -> Bool { o == .minimize ? a <= b : a >= b }
    let finite = x.indices.filter { x[$0].isFinite && y[$0].isFinite }
    return finite.filter { i in
      !finite.contains { j in
        noWorse(x[j], x[i], ox) && noWorse(y[j], y[i], oy)
          && (better(x[j], x[i], ox) || better(y[j], y[i], oy))
      }
    }.sorted { x[$0] != x[$1] ? x[$0] < x[$1] : $0 < $1 }
  }

  func testParetoFrontMatchesBruteForce() {
    var seed: UInt64 = 3
    func next(_ n: UInt64) -> Double {
      seed = seed &* 6364136223846793005 &+ 1442695040888963407
      return Double((seed >> 33) % n)
    }
    for trial in 0..<200 {
      let count = Int(next(25))
      // Small integer grids make ties and duplicates common.
      var x = (0..<count).map { _ in next(8) }
      let y = (0..<count).map { _ in next(8) }
      if trial % 7 == 0, count > 0 { x[0] = .nan }
      for ox in [Objective.minimize, .maximize] {
        for oy in [Objective.minimize, .maximize] {
          XCTAssertEqual(paretoFront(x: x, y: y, x: ox, y: oy), bruteFront(x, y, ox, oy),
                         "x=\(x) y=\(y) \(ox) \(oy)")
        }
      }
    }
  }

  func testParetoFrontKnownCase() {
    // latency (minimize) vs accuracy (maximize)
    XCTAssertEqual(paretoFront(x: [1, 2, 3, 2.5], y: [0.5, 0.4, 0.9, 0.95]), [0, 3])
  }

  // MARK: Graph layout

  func testLayoutPutsForwardEdgesLeftToRightAndReservesLanes() throws {
    let g = try Samples.cell()
    let layout = GraphLayout(g)
    for (i, e) in g.edges.enumerated() {
      guard let a = g.index(of: e.from), let b = g.index(of: e.to) else { return XCTFail() }
      XCTAssertLessThan(layout.layer[a], layout.layer[b])
      // One vertex per layer along the chain: long edges got dummies.
      let chain = try XCTUnwrap(layout.chains[i])
      XCTAssertEqual(chain.count, layout.layer[b] - layout.layer[a] + 1)
      for (u, v) in zip(chain, chain.dropFirst()) { XCTAssertEqual(layout.layer[v], layout.layer[u] + 1) }
    }
    // Inputs are in the first layer, the output in the last.
    XCTAssertEqual(layout.layer[try XCTUnwrap(g.index(of: "c_{k-2}"))], 0)
    XCTAssertEqual(layout.layer[try XCTUnwrap(g.index(of: "c_{k}"))], layout.layerCount - 1)
    // Ranks within each layer are a permutation.
    for m in layout.members { XCTAssertEqual(m.map { layout.rank[$0] }.sorted(), Array(0..<m.count)) }
  }

  func testLayoutHandlesCycles() throws {
    let g = try GraphPicture(nodes: [.init(id: "a"), .init(id: "b"), .init(id: "c")],
                             edges: [.init(from: "a", to: "b"), .init(from: "b", to: "c"),
                                     .init(from: "c", to: "a"), .init(from: "c", to: "c")])
    let layout = GraphLayout(g)
    XCTAssertEqual(Array(layout.layer.prefix(3)), [0, 1, 2])
    XCTAssertNil(layout.chains[2], "back edge")
    XCTAssertNil(layout.chains[3], "self-loop")
  }

  func testDOTOutput() throws {
    var g = GraphPicture(title: "cell \"A\"")
    try g.addNode("in", label: "input\nx")
    try g.addNode("out")
    try g.addEdge(from: "in", to: "out", label: "conv3x3 (128ch)")
    try g.addEdge(from: "in", to: "out")
    let dot = g.renderDOT()
    XCTAssertTrue(dot.hasPrefix("digraph \"cell \\\"A\\\"\" {"))
    XCTAssertTrue(dot.contains("rankdir=LR;"))
    XCTAssertTrue(dot.contains("\"in\" [label=\"input\\nx\"];"))
    XCTAssertTrue(dot.contains("\"in\" -> \"out\" [label=\"conv3x3 (128ch)\", color=\"#"))
    XCTAssertTrue(dot.contains("\"in\" -> \"out\" [color=\"#"))
    XCTAssertTrue(dot.hasSuffix("}\n"))
    // Braces balance and every statement line ends with ';'.
    XCTAssertEqual(dot.filter { $0 == "{" }.count, dot.filter { $0 == "}" }.count)
    for line in dot.split(separator: "\n").dropFirst().dropLast() { XCTAssertTrue(line.hasSuffix(";"), String(line)) }
  }

  // MARK: Colour scale

  func testColorScaleEndpointsAndHex() {
    XCTAssertEqual(ColorScale.sequential.color(at: 0), RGB(68, 1, 84))
    XCTAssertEqual(ColorScale.sequential.color(at: 1), RGB(253, 231, 37))
    XCTAssertEqual(ColorScale.sequential.color(at: 5), ColorScale.sequential.color(at: 1))
    XCTAssertEqual(ColorScale.sequential.color(at: .nan), RGB(68, 1, 84))
    XCTAssertEqual(RGB(255, 0, 16).hex, "#ff0010")
    XCTAssertEqual(RGB(255, 0, 0).ansi256, 196)
  }

  func testChartWrapsEveryKind() throws {
    for (_, chart) in try Samples.all() {
      let text = chart.renderTerminal(width: 64, height: 18, color: false)
      assertFits(text, width: 64, height: 18)
      XCTAssertTrue(text.contains(chart.title))
    }
  }

  // MARK: Environment

  func testTerminalEnvironmentDefaults() {
    if !TerminalEnvironment.isTTY {
      XCTAssertEqual(TerminalEnvironment.width(), 80)
      XCTAssertEqual(TerminalEnvironment.width(fallback: 100), 100)
      XCTAssertFalse(TerminalEnvironment.colorEnabled())
    }
    let saved = getenv("NO_COLOR").map { String(cString: $0) }
    setenv("NO_COLOR", "1", 1)
    XCTAssertFalse(TerminalEnvironment.colorEnabled())
    if let saved { setenv("NO_COLOR", saved, 1) } else { unsetenv("NO_COLOR") }
  }

  // MARK: Decimation

  func testDecimationKeepsExtremesAndOrder() {
    // 10 points per pixel column, a spike in column 3 and a cliff between columns 5 and 6.
    let points = (0..<100).map { i -> (Double, Double) in
      let x = Double(i) / 10
      let y: Double = i == 34 ? 50 : (x < 6 ? 1 : 9)
      return (x, y)
    }
    let out = Decimation.columns(points)
    XCTAssertLessThanOrEqual(out.count, 40)
    XCTAssertEqual(out.first?.0, 0)
    XCTAssertEqual(out.last?.0, 9.9)
    XCTAssertTrue(out.contains { $0 == (3.4, 50) }, "spike kept")
    XCTAssertTrue(out.contains { $0 == (5.9, 1) } && out.contains { $0 == (6.0, 9) }, "cliff kept")
    XCTAssertEqual(out.map(\.0), out.map(\.0).sorted(), "order kept")
  }

  func testLargeSeriesGiveCompactSVG() throws {
    let s = try Series.sample({ ($0 / 128).rounded(.up) }, from: 1, to: 1024, points: 100_000)
    let svg = LinePlot(series: [s]).renderSVG(width: 640, height: 400)
    XCTAssertLessThan(svg.utf8.count, 60_000)
    parseSVG(svg)
    let sc = try ScatterPlot(x: s.x, y: s.y)
    XCTAssertLessThan(sc.renderSVG().utf8.count, 400_000)
  }
}
