import XCTest
import Foundation
@testable import UBoostPlot
final class ZScratch: XCTestCase {
  func testDump() throws {
    let c = LinePlot(series: [try Series(name: "const", y: [3, 3, 3, 3]), try Series(name: "one", x: [1.5], y: [3.1])], title: "constant + single point")
    print(c.renderTerminal(width: 50, height: 12, color: false))
    try c.renderSVG(width: 500, height: 300).write(toFile: "/tmp/d_line.svg", atomically: true, encoding: .utf8)
    let h = try Heatmap(matrix: [[.nan, 1], [2, 2]], title: "nan cell")
    print(h.renderTerminal(width: 50, height: 12, color: false))
    try h.renderSVG(width: 400, height: 300).write(toFile: "/tmp/d_heat.svg", atomically: true, encoding: .utf8)
    let b = try BarChart(labels: (0..<24).map { "layer\($0)" }, values: (0..<24).map { Double($0 % 7) * 0.13 + 0.05 }, title: "per-layer util", orientation: .vertical)
    print(b.renderTerminal(width: 80, height: 14, color: false))
    try b.renderSVG(width: 640, height: 400).write(toFile: "/tmp/d_bars.svg", atomically: true, encoding: .utf8)
    var bh = b; bh.orientation = .horizontal
    print(bh.renderTerminal(width: 80, height: 14, color: false))
    let util = try Series.sample({ c in let t = (c / 128).rounded(.up); return c / (t * 128) }, from: 8, to: 512, points: 505, name: "util")
    var lp = LinePlot(series: [util], title: "utilization cliff (128 columns)", xLabel: "cout", yLabel: "util")
    lp.showLegend = false
    print(lp.renderTerminal(width: 72, height: 16, color: false))
    print(try Samples.staircase().renderTerminal(width: 72, height: 18, color: false))
    print(try Samples.alphas().renderTerminal(width: 72, height: 12, color: false))
    print(try Samples.scatter().renderTerminal(width: 72, height: 18, color: false))
  }
}
