import XCTest
@testable import UBoostPlot

final class ScratchTests: XCTestCase {
  func testPrint() throws {
    var p = LinePlot(title: "ceil vs smooth ceil", xLabel: "x", yLabel: "y")
    p.add(try Series.sample({ $0.rounded(.up) }, from: 0, to: 4, points: 400, name: "ceil"))
    p.add(try Series.sample({ x in x + 0.5 - 0.5 * (1 - 2 * (x - x.rounded(.down))) }, from: 0, to: 4, points: 400, name: "smooth"))
    print(p.renderTerminal(width: 72, height: 20, color: false))
    try p.renderSVG().write(toFile: "/tmp/plot_line.svg", atomically: true, encoding: .utf8)
  }
}
