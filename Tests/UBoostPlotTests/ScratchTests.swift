import XCTest
@testable import UBoostPlot

final class ScratchTests: XCTestCase {
  func testPrint() throws {
    let hm = try Heatmap(matrix: [[0.1, 0.6, 0.2, 0.05, 0.05], [0.3, 0.3, 0.2, 0.1, 0.1], [0.02, 0.08, 0.7, 0.1, 0.1], [0.2,0.2,0.2,0.2,0.2]],
      rowLabels: ["0->2", "1->2", "0->3", "2->3"], columnLabels: ["conv3x3", "conv5x5", "sep3x3", "skip", "zero"], title: "alphas", xLabel: "op", yLabel: "edge")
    print(hm.renderTerminal(width: 60, height: 14, color: false))
    print(hm.renderTerminal(width: 60, height: 14, color: true))
    try hm.renderSVG().write(toFile: "/tmp/plot_heat.svg", atomically: true, encoding: .utf8)
    let b = try BarChart(labels: ["conv1", "conv2", "conv3_long_name", "fc"], values: [0.92, 0.51, -0.2, 0.13], title: "utilization", valueLabel: "util", categoryLabel: "layer")
    print(b.renderTerminal(width: 60, height: 12, color: false))
    var bv = b; bv.orientation = .vertical
    print(bv.renderTerminal(width: 60, height: 14, color: false))
    try b.renderSVG().write(toFile: "/tmp/plot_barh.svg", atomically: true, encoding: .utf8)
    try bv.renderSVG().write(toFile: "/tmp/plot_barv.svg", atomically: true, encoding: .utf8)
    var xs: [Double] = [], ys: [Double] = [], ls: [String] = []
    var seed: UInt64 = 42
    func rnd() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53) }
    for i in 0..<30 { let lat = 0.5 + rnd() * 3; xs.append(lat); ys.append(85 + 8 * (1 - 1 / (1 + lat)) + rnd() * 3 - 3); ls.append("a\(i)") }
    let sc = try ScatterPlot(x: xs, y: ys, labels: ls, title: "latency vs accuracy", xLabel: "latency (ms)", yLabel: "accuracy (%)", pareto: .init())
    print(sc.renderTerminal(width: 72, height: 20, color: false))
    try sc.renderSVG().write(toFile: "/tmp/plot_scatter.svg", atomically: true, encoding: .utf8)
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
    print(g.renderTerminal(width: 60, height: 30, color: false))
    print(g.renderDOT())
    try g.renderSVG().write(toFile: "/tmp/plot_graph.svg", atomically: true, encoding: .utf8)
  }
}
