// MARK: - GraphPicture

/// A small directed graph, e.g. a searched cell genotype: nodes with labels, edges labelled with
/// the chosen operation. Rendered as SVG (layered left-to-right), Graphviz DOT, or text.
///
/// ```swift
/// var g = GraphPicture(title: "normal cell")
/// try g.addNode("c_k-2"); try g.addNode("c_k-1"); try g.addNode("0")
/// try g.addEdge(from: "c_k-2", to: "0", label: "conv3x3 (128ch)")
/// try g.addEdge(from: "c_k-1", to: "0", label: "skip")
/// let svg = g.renderSVG()
/// let dot = g.renderDOT()
/// ```
public struct GraphPicture: Equatable, Sendable {
  /// A node: `id` is referenced by edges, `label` is drawn (defaults to the id).
  public struct Node: Equatable, Sendable {
    /// Unique identifier referenced by edges.
    public var id: String
    /// Text drawn in the node box.
    public var label: String
    /// Creates a node; `label` defaults to `id`.
    public init(id: String, label: String? = nil) { self.id = id; self.label = label ?? id }
  }

  /// A directed edge between node ids, labelled e.g. with the chosen operation.
  public struct Edge: Equatable, Sendable {
    /// Source node id.
    public var from: String
    /// Target node id.
    public var to: String
    /// Text drawn on the edge; empty for none.
    public var label: String
    /// Creates an edge description (validated when added to a graph).
    public init(from: String, to: String, label: String = "") {
      self.from = from; self.to = to; self.label = label
    }
  }

  /// Nodes in declaration order.
  public private(set) var nodes: [Node] = []
  /// Edges in declaration order.
  public private(set) var edges: [Edge] = []
  /// Title above the picture; empty for none.
  public var title: String

  /// Creates an empty graph.
  public init(title: String = "") { self.title = title }

  /// Builds a graph at once; throws `PlotError.duplicateNode` or `PlotError.unknownNode`.
  public init(nodes: [Node], edges: [Edge], title: String = "") throws {
    self.title = title
    for node in nodes { try addNode(node.id, label: node.label) }
    for edge in edges { try addEdge(from: edge.from, to: edge.to, label: edge.label) }
  }

  /// Adds a node; its label defaults to its id. Throws `PlotError.duplicateNode`.
  public mutating func addNode(_ id: String, label: String? = nil) throws {
    guard index(of: id) == nil else { throw PlotError.duplicateNode(id) }
    nodes.append(Node(id: id, label: label))
  }

  /// Adds an edge between declared nodes. Throws `PlotError.unknownNode`.
  public mutating func addEdge(from: String, to: String, label: String = "") throws {
    guard index(of: from) != nil else { throw PlotError.unknownNode(from) }
    guard index(of: to) != nil else { throw PlotError.unknownNode(to) }
    edges.append(Edge(from: from, to: to, label: label))
  }

  func index(of id: String) -> Int? { nodes.firstIndex { $0.id == id } }

  /// Edges as (source index, target index, label); all ids are known by construction.
  var indexedEdges: [(Int, Int, String)] {
    edges.compactMap { e in
      guard let a = index(of: e.from), let b = index(of: e.to) else { return nil }
      return (a, b, e.label)
    }
  }

  /// Colour index per distinct edge label, in order of first appearance.
  var labelColors: [String: Int] {
    var map: [String: Int] = [:]
    for e in edges where map[e.label] == nil { map[e.label] = map.count }
    return map
  }
}

// MARK: - DOT

extension GraphPicture {
  /// Graphviz DOT text (`dot -Tsvg` renders it); ids and labels are quoted and escaped.
  public func renderDOT() -> String {
    func q(_ s: String) -> String {
      var out = "\""
      for c in s.unicodeScalars {
        switch c {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r", "\t": out += " "
        default: out.unicodeScalars.append(c)
        }
      }
      return out + "\""
    }
    var lines = ["digraph \(q(title.isEmpty ? "G" : title)) {", "  rankdir=LR;"]
    if !title.isEmpty { lines.append("  label=\(q(title)); labelloc=t;") }
    lines.append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];")
    lines.append("  edge [fontname=\"Helvetica\", fontsize=10];")
    for node in nodes { lines.append("  \(q(node.id)) [label=\(q(node.label))];") }
    let colors = labelColors
    for e in edges {
      let color = SeriesPalette.color(colors[e.label] ?? 0).hex
      var attributes = "color=\(q(color))"
      if !e.label.isEmpty { attributes = "label=\(q(e.label)), " + attributes }
      lines.append("  \(q(e.from)) -> \(q(e.to)) [\(attributes)];")
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }
}

// MARK: - Terminal

extension GraphPicture {
  /// A text listing, one edge per line grouped by target in layer order:
  /// `c_k-2 ──conv3x3──▶ 0`. Lines are clipped to `width`.
  public func renderTerminal(width: Int = TerminalEnvironment.width(), height: Int = 40,
                             color: Bool = TerminalEnvironment.colorEnabled()) -> String {
    let layout = GraphLayout(self)
    let colors = labelColors
    var lines: [(String, String?)] = []
    if !title.isEmpty { lines.append((TextGrid.clean(title), "1")) }
    let order = nodes.indices.sorted { (layout.layer[$0], layout.rank[$0]) < (layout.layer[$1], layout.rank[$1]) }
    var listed = Set<Int>()
    for target in order {
      for (a, b, label) in indexedEdges where b == target {
        let arrow = label.isEmpty ? "──▶" : "──\(TextGrid.clean(label))──▶"
        lines.append(("\(TextGrid.clean(nodes[a].label)) \(arrow) \(TextGrid.clean(nodes[b].label))",
                      TerminalAxes.seriesStyle(colors[label] ?? 0)))
        listed.insert(a); listed.insert(b)
      }
    }
    for i in nodes.indices where !listed.contains(i) {
      lines.append((TextGrid.clean(nodes[i].label), nil))
    }
    if nodes.isEmpty { lines.append(("(empty graph)", nil)) }
    var grid = TextGrid(width: max(1, width), height: max(1, min(height, lines.count)))
    for (row, line) in lines.enumerated() { grid.write(line.0, column: 0, row: row, style: line.1) }
    return grid.render(color: color)
  }
}
