// MARK: - Genotype: a found architecture

/// The architecture of one cell: the op of every live edge (edges absent or `.zero` carry
/// nothing) and the width of every conv (`xp_pre`, `xpp_pre`, and edge names; absent: the
/// default width).
///
/// ```swift
/// var cell = CellGenotype(ops: ["xp_t1": .conv3x3, "xpp_t1": .sep3x3, "t1_t2": .identity,
///                               "t2_t3": .dil3x3], widths: ["xp_pre": 64])
/// try cell.prune(nodes: 3, cellName: "c1")   // drops nothing here
/// ```
public struct CellGenotype: Codable, Equatable, Sendable {
  public var ops: [String: CandidateOp]
  public var widths: [String: Int]

  public init(ops: [String: CandidateOp], widths: [String: Int] = [:]) {
    self.ops = ops; self.widths = widths
  }

  /// The op on `edge` (`.zero` when absent).
  public func op(_ edge: CellEdge) -> CandidateOp { ops[edge.name] ?? .zero }

  /// The live edges in cell order.
  public func liveEdges(nodes: Int) -> [CellEdge] {
    CellEdge.all(nodes: nodes).filter { op($0) != .zero }
  }

  /// Removes dead structure (method.md §4): a node whose incoming edges are all zero (or come from
  /// dead nodes) is dead, and so are the edges it feeds; a node that does not reach the output
  /// node is useless, and so are the edges into it. Throws `NASError.emptyCell` when the output
  /// node is dead.
  public mutating func prune(nodes: Int, cellName: String) throws {
    let edges = CellEdge.all(nodes: nodes)
    // Forward: which nodes receive something.
    var alive: Set<Int> = [0, -1]
    for t in 1...max(nodes, 1) {
      if edges.contains(where: { $0.to == t && alive.contains($0.from) && op($0) != .zero }) { alive.insert(t) }
    }
    guard alive.contains(nodes) else { throw NASError.emptyCell(cell: cellName) }
    // Backward: which nodes reach the output through live edges.
    var useful: Set<Int> = [nodes]
    for t in stride(from: nodes - 1, through: 1, by: -1) {
      if edges.contains(where: { $0.from == t && useful.contains($0.to) && alive.contains(t) && op($0) != .zero }) {
        useful.insert(t)
      }
    }
    var kept: [String: CandidateOp] = [:]
    for e in edges {
      let o = op(e)
      guard o != .zero, alive.contains(e.from), useful.contains(e.to) else { continue }
      if e.from >= 1 && !useful.contains(e.from) { continue }
      kept[e.name] = o
    }
    ops = kept
    widths = widths.filter { k, _ in k == "xp_pre" || k == "xpp_pre" || kept[k] != nil }
  }
}

/// A whole architecture: one `CellGenotype` per cell (or one shared by all cells).
public struct Genotype: Codable, Equatable, Sendable, CustomStringConvertible {
  public var cells: [CellGenotype]
  public init(cells: [CellGenotype]) { self.cells = cells }

  /// The genotype of cell `i` of a network with `count` cells: cell i when the counts match,
  /// the only cell when there is one, otherwise proportionally mapped.
  public func cell(_ i: Int, of count: Int) -> CellGenotype? {
    guard !cells.isEmpty, count > 0 else { return nil }
    if cells.count == count { return cells[i] }
    if cells.count == 1 { return cells[0] }
    return cells[min(cells.count - 1, i * cells.count / count)]
  }

  public var description: String {
    cells.enumerated().map { i, c in
      let ops = c.ops.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }.joined(separator: " ")
      let ws = c.widths.isEmpty ? "" : " widths{" + c.widths.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "}"
      return "cell\(i + 1): \(ops)\(ws)"
    }.joined(separator: "\n")
  }
}
