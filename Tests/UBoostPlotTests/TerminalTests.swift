import XCTest
@testable import UBoostPlot

final class TerminalTests: XCTestCase {
  // MARK: Braille

  /// Braille dot numbers from the Unicode standard: dots 1-3 and 7 run down the left column,
  /// 4-6 and 8 down the right; dot k is bit k-1 of the offset from U+2800.
  func braille(_ dots: [(x: Int, y: Int)]) -> Character {
    let dotNumber = [[1, 4], [2, 5], [3, 6], [7, 8]]
    let bits = dots.reduce(0) { $0 | (1 << (dotNumber[$1.y][$1.x] - 1)) }
    return Character(Unicode.Scalar(0x2800 + UInt32(bits))!)
  }

  func testStaircaseOnCanvasGivesKnownPattern() {
    // Rise at x=1 from the bottom row to the top, then run right along the top.
    var canvas = BrailleCanvas(columns: 2, rows: 1)
    canvas.line(x0: 0, y0: 3, x1: 1, y1: 3, series: 0)
    canvas.line(x0: 1, y0: 3, x1: 1, y1: 0, series: 0)
    canvas.line(x0: 1, y0: 0, x1: 3, y1: 0, series: 0)
    let expected0 = braille([(0, 3), (1, 3), (1, 2), (1, 1), (1, 0)])
    let expected1 = braille([(0, 0), (1, 0)])
    XCTAssertEqual(expected0, "⣸")
    XCTAssertEqual(canvas.character(column: 0, row: 0)?.0, expected0)
    XCTAssertEqual(canvas.character(column: 1, row: 0)?.0, expected1)
  }

  func testCanvasClipsHugeCoordinatesQuickly() {
    var canvas = BrailleCanvas(columns: 4, rows: 2)
    canvas.line(x0: -1e300, y0: 1, x1: 1e300, y1: 1, series: 0)
    canvas.line(x0: .nan, y0: 0, x1: 3, y1: 3, series: 0)
    for c in 0..<4 { XCTAssertEqual(canvas.character(column: c, row: 0)?.0, braille([(0, 1), (1, 1)])) }
    XCTAssertNil(canvas.character(column: 0, row: 1))
  }

  /// Decodes the plot area of a rendered line plot back into lit dots.
  func litDots(_ text: String) -> (dots: Set<[Int]>, columns: Int, rows: Int) {
    let lines = stripANSI(text).split(separator: "\n").map(Array.init)
    guard let axis = lines.firstIndex(where: { $0.contains("└") }),
          let corner = lines[axis].firstIndex(of: "└") else { return ([], 0, 0) }
    var dots = Set<[Int]>()
    var rows = 0
    for (r, line) in lines[..<axis].enumerated() where line.count > corner && (line[corner] == "│" || line[corner] == "┤") {
      rows = max(rows, r + 1)
      for (c, ch) in line.dropFirst(corner + 1).enumerated() {
        guard let v = ch.unicodeScalars.first?.value, (0x2800...0x28FF).contains(v) else { continue }
        let bits = Int(v - 0x2800)
        let positions = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
        for (k, p) in positions.enumerated() where bits & (1 << k) != 0 {
          dots.insert([2 * c + p.0, 4 * r + p.1])
        }
      }
    }
    return (dots, lines[axis].count - corner - 1, rows)
  }

  func testStaircasePlotShowsThreeTreadsAndTwoRisers() throws {
    let plot = LinePlot(series: [try Series(x: [0, 1, 1, 2, 2, 3], y: [0, 0, 1, 1, 2, 2])])
    let text = plot.renderTerminal(width: 40, height: 12, color: false)
    assertFits(text, width: 40, height: 12)
    let (dots, _, _) = litDots(text)
    XCTAssertFalse(dots.isEmpty)
    var byColumn: [Int: [Int]] = [:]
    for d in dots { byColumn[d[0], default: []].append(d[1]) }
    let risers = byColumn.filter { $0.value.count > 1 }.keys.sorted()
    let treads = byColumn.filter { $0.value.count == 1 }
    XCTAssertEqual(risers.count, 2, "one vertical run per step")
    // Treads: single dots whose row only ever goes up (smaller y) as x grows, three levels.
    let levels = Set(treads.values.map { $0[0] })
    XCTAssertEqual(levels.count, 3)
    let sortedTreads = treads.keys.sorted().map { treads[$0]![0] }
    XCTAssertEqual(sortedTreads, sortedTreads.sorted(by: >))
    // Equal step heights (within one dot of rounding) and equal tread lengths.
    let l = levels.sorted()
    XCTAssertLessThanOrEqual(abs((l[1] - l[0]) - (l[2] - l[1])), 1)
    let xs = byColumn.keys.sorted()
    guard let first = xs.first, let last = xs.last else { return XCTFail("no dots") }
    let third = Double(last - first) / 3
    XCTAssertEqual(Double(risers[0] - first), third, accuracy: 1)
    XCTAssertEqual(Double(risers[1] - first), 2 * third, accuracy: 1)
    // Each riser spans from one tread to the next.
    for (i, x) in risers.enumerated() {
      let ys = byColumn[x]!
      XCTAssertEqual(ys.min(), l[1 - i])
      XCTAssertEqual(ys.max(), l[2 - i])
    }
  }

  // MARK: Layout

  func testLinePlotFitsManySizesAndShowsTicksAndLegend() throws {
    let plot = try Samples.staircase()
    for width in [12, 20, 40, 80, 133] {
      for height in [3, 8, 24] {
        for color in [false, true] {
          assertFits(plot.renderTerminal(width: width, height: height, color: color),
                     width: width, height: height)
        }
      }
    }
    let text = plot.renderTerminal(width: 80, height: 24, color: false)
    XCTAssertTrue(text.contains("ceil vs smooth"))
    XCTAssertTrue(text.contains("── ceil"))
    XCTAssertTrue(text.contains("── smooth"))
    XCTAssertTrue(text.contains("channels"))
    XCTAssertTrue(text.contains("tiles"))
    XCTAssertTrue(text.contains("┬"))
    XCTAssertTrue(text.contains("┤"))
    let lines = text.split(separator: "\n")
    guard let axis = lines.firstIndex(where: { $0.contains("└") }) else { return XCTFail("no axis") }
    // Tick labels under the axis: evenly spaced 1-2-5 steps covering 0...4.
    let ticks = lines[axis + 1].split(separator: " ").compactMap { Double($0) }
    XCTAssertGreaterThanOrEqual(ticks.count, 3)
    XCTAssertEqual(ticks.first, 0)
    XCTAssertEqual(ticks.last, 4)
    let steps = zip(ticks, ticks.dropFirst()).map { $1 - $0 }
    for step in steps { XCTAssertEqual(step, steps[0], accuracy: 1e-9) }
    XCTAssertTrue([0.5, 1, 2].contains(steps[0]))
    // One tick mark per label on the axis line.
    XCTAssertEqual(lines[axis].filter { $0 == "┬" }.count, ticks.count)
    XCTAssertFalse(text.contains("\u{1B}"))
  }

  func testColorOnlyWhenRequested() throws {
    let plot = try Samples.staircase()
    let colored = plot.renderTerminal(width: 60, height: 16, color: true)
    XCTAssertTrue(colored.contains("\u{1B}[34m"))   // first series
    XCTAssertTrue(colored.contains("\u{1B}[33m"))   // second series
    XCTAssertEqual(stripANSI(colored), plot.renderTerminal(width: 60, height: 16, color: false))
  }

  func testDegenerateLineData() throws {
    let cases: [LinePlot] = [
      LinePlot(),
      LinePlot(series: [try Series(name: "empty", x: [], y: [])]),
      LinePlot(series: [try Series(name: "nan", x: [0, 1, 2, 3], y: [1, .nan, .infinity, 2])]),
      LinePlot(series: [Series(name: "const", y: [5, 5, 5])]),
      LinePlot(series: [try Series(name: "one", x: [2], y: [7])]),
      LinePlot(series: [try Series(x: [.nan], y: [.nan])]),
      LinePlot(series: [try Series(x: [0, 1e308], y: [-1e308, 1e308])]),
    ]
    for plot in cases {
      let text = plot.renderTerminal(width: 50, height: 12, color: false)
      assertFits(text, width: 50, height: 12)
      XCTAssertTrue(text.contains("└"))
    }
    // The single point is drawn.
    let one = cases[4].renderTerminal(width: 50, height: 12, color: false)
    XCTAssertTrue(one.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
  }

  func testHeatmapTerminal() throws {
    let hm = try Samples.alphas()
    let text = hm.renderTerminal(width: 60, height: 14, color: false)
    assertFits(text, width: 60, height: 14)
    for label in ["conv3x3", "skip", "0->2", "2->3", "alphas", "0.7"] { XCTAssertTrue(text.contains(label), label) }
    // Row 0->3 has its maximum (0.7) in column sep3x3: the densest shade appears there.
    let row = text.split(separator: "\n").first { $0.hasPrefix("0->3") }.map(String.init) ?? ""
    XCTAssertTrue(row.contains("▓▓▓ 0.7") || row.contains("███ 0.7"), row)
    // Narrow terminal: names no longer fit, so a key explains the column numbers.
    let narrow = hm.renderTerminal(width: 30, height: 14, color: false)
    assertFits(narrow, width: 30, height: 14)
    XCTAssertTrue(narrow.contains("0=conv3x3"))
    // Too few lines for all rows: the overflow is announced.
    let short = hm.renderTerminal(width: 60, height: 6, color: false)
    assertFits(short, width: 60, height: 6)
    XCTAssertTrue(short.contains("more rows"))
    let colored = hm.renderTerminal(width: 60, height: 14, color: true)
    XCTAssertTrue(colored.contains("48;5;"))
    assertFits(colored, width: 60, height: 14)
  }

  func testBarsTerminal() throws {
    let h = try Samples.bars(.horizontal).renderTerminal(width: 50, height: 12, color: false)
    assertFits(h, width: 50, height: 12)
    let conv1 = h.split(separator: "\n").first { $0.contains("conv1") }.map(String.init) ?? ""
    let fc = h.split(separator: "\n").first { $0.hasSuffix("0.13") }.map(String.init) ?? ""
    XCTAssertTrue(conv1.hasSuffix("0.92"))
    // Bar lengths in eighths are proportional to the values (0.92 vs 0.13).
    func eighths(_ line: String) -> Int {
      line.reduce(0) { n, c in
        if c == "█" { return n + 8 }
        if let i = BarChart.leftEighths.firstIndex(of: c) { return n + i + 1 }
        return n
      }
    }
    XCTAssertEqual(Double(eighths(conv1)) / Double(eighths(fc)), 0.92 / 0.13, accuracy: 1.2)
    let v = try Samples.bars(.vertical).renderTerminal(width: 50, height: 14, color: false)
    assertFits(v, width: 50, height: 14)
    XCTAssertTrue(v.contains("2=conv3_wide_layer"))
    XCTAssertTrue(v.contains("utilization"))
    for chart in [try BarChart(values: []), try BarChart(values: [.nan, .infinity]),
                  try BarChart(values: [0, 0], orientation: .vertical), try BarChart(values: [-3])] {
      for (w, hgt) in [(1, 1), (10, 4), (40, 10)] {
        assertFits(chart.renderTerminal(width: w, height: hgt, color: true), width: w, height: hgt)
      }
    }
  }

  func testScatterTerminalWithLabelsAndFront() throws {
    let sc = try Samples.scatter()
    let text = sc.renderTerminal(width: 72, height: 20, color: false)
    assertFits(text, width: 72, height: 20)
    XCTAssertTrue(text.contains("Pareto front"))
    XCTAssertTrue(text.contains("latency (ms)"))
    XCTAssertTrue(text.range(of: #"a\d+"#, options: .regularExpression) != nil)
    let colored = sc.renderTerminal(width: 72, height: 20, color: true)
    XCTAssertTrue(colored.contains("\u{1B}[33m"), "front drawn in the second colour")
    let degenerate = try ScatterPlot(x: [1, .nan], y: [2, 3], pareto: .init())
    assertFits(degenerate.renderTerminal(width: 30, height: 8, color: false), width: 30, height: 8)
  }

  func testGraphTerminal() throws {
    let text = try Samples.cell().renderTerminal(width: 40, height: 30, color: false)
    assertFits(text, width: 40, height: 30)
    XCTAssertTrue(text.contains("c_{k-2} ──conv3x3 (128ch)──▶ 0"))
    // Edges are listed in layer order of their targets: node 0's inputs before node 3's.
    let lines = text.split(separator: "\n").map(String.init)
    let into0 = lines.firstIndex { $0.hasSuffix("▶ 0") } ?? -1
    let into3 = lines.firstIndex { $0.hasSuffix("▶ 3") } ?? -1
    XCTAssertLessThan(into0, into3)
  }

  func testControlCharactersInLabelsDoNotBreakLines() throws {
    let plot = LinePlot(series: [Series(name: "a\nb\u{1B}[31m", y: [1, 2])], title: "t\ritle")
    let text = plot.renderTerminal(width: 40, height: 10, color: false)
    XCTAssertFalse(text.contains("\u{1B}"))
    XCTAssertFalse(text.contains("\r"))
    assertFits(text, width: 40, height: 10)
  }

  func testEveryKindFitsEverySize() throws {
    var charts = try Samples.all().map(\.1)
    charts.append(.heatmap(try Heatmap(matrix: [[1]], rowLabels: ["a very long row label indeed"],
                                       columnLabels: ["a very long column label"])))
    charts.append(.bars(try BarChart(labels: ["x"], values: [1e300], orientation: .vertical)))
    charts.append(.scatter(try ScatterPlot(x: [-1e308, 1e308], y: [1e-300, 2e-300])))
    for chart in charts {
      for width in [1, 2, 5, 9, 17, 33, 80, 150] {
        for height in [1, 2, 4, 7, 13, 40] {
          for color in [false, true] {
            assertFits(chart.renderTerminal(width: width, height: height, color: color),
                       width: width, height: height)
          }
        }
      }
    }
  }
}
