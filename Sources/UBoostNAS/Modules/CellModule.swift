import UBoostTensor

// MARK: - Cell

/// A two-input cell: 3x3 pre-convs on `xp` and `xpp` (stride 2 on `xpp` when the resolution
/// halved between them), nodes t1...tn (each the sum of its incoming edges), output tn,
/// optionally followed by a 2x2 max-pool.
final class CellModule {
  let name: String
  /// The 3x3 pre-convs (nil in a chain space: the edges read the cell inputs directly).
  let preXp: ConvUnit?
  let preXpp: ConvUnit?
  let edges: [EdgeModule]
  let nodes: Int
  let pool: Bool
  /// Width of every node (full width in the supernets).
  let nodeWidths: [Int]
  /// Index of this cell's alpha set (micro search) or nil.
  let alphaSet: Int?

  init(name: String, preXp: ConvUnit?, preXpp: ConvUnit?, edges: [EdgeModule], nodes: Int, pool: Bool,
       nodeWidths: [Int], alphaSet: Int?) {
    self.name = name; self.preXp = preXp; self.preXpp = preXpp; self.edges = edges; self.nodes = nodes
    self.pool = pool; self.nodeWidths = nodeWidths; self.alphaSet = alphaSet
  }

  var outWidth: Int { nodeWidths.last ?? preXp?.cout ?? 0 }
  var parameters: [Tensor] { [preXp, preXpp].compactMap { $0 }.flatMap(\.parameters) + edges.flatMap(\.parameters) }
  var units: [ConvUnit] {
    [preXp, preXpp].compactMap { $0 } + edges.flatMap { $0.ops.flatMap(\.units) + ($0.lift.map { [$0] } ?? []) }
  }

  /// `g[e]`: the relaxed weights of edge `e` (micro search), indexed like `edges`.
  /// `named`: every cost entry of the cell with its name (`xp_pre`, an edge, `edge/lift`); the
  /// cell's latency is their sum and its utilization their mean.
  func forward(xp: Tensor, xpp: Tensor, cXp: Tensor, cXpp: Tensor, g: [Tensor]?, ctx: ForwardContext)
    throws -> (Tensor, lat: Tensor?, util: Tensor?, named: [(String, LayerCostTensors)]) {
    var costs: [LayerCostTensors] = []
    var names: [String] = []
    var values: [Int: Tensor] = [:]
    var widths: [Int: Tensor] = [:]
    if let pre = preXp {
      let (a, ca, k1) = try pre.forward(xp, cinSoft: cXp, ctx: ctx)
      if let k = k1 { costs.append(k); names.append("xp_pre") }
      values[0] = a; widths[0] = ca
    } else {
      values[0] = xp; widths[0] = cXp
    }
    if let pre = preXpp {
      let (b, cb, k2) = try pre.forward(xpp, cinSoft: cXpp, ctx: ctx)
      if let k = k2 { costs.append(k); names.append("xpp_pre") }
      guard let a = values[0], a.rank == 4, b.rank == 4, a.shape[0] == b.shape[0], a.shape[2] == b.shape[2], a.shape[3] == b.shape[3] else {
        throw NASError.badInput("\(name): the two cell inputs have shapes \(values[0]?.shape ?? []) and \(b.shape) after the pre-convs")
      }
      values[-1] = b; widths[-1] = cb
    }
    var shared = SharedEdgeInputs()
    for t in 1...nodes {
      var ys: [Tensor] = []
      for (i, e) in edges.enumerated() where e.edge.to == t {
        // Big supernet steps take seconds: look for Ctrl-C between edges too.
        try EngineInterrupt.check()
        guard let x = values[e.edge.from], let c = widths[e.edge.from] else { continue }
        try shared.prepare(source: e.edge.from, x: x, edges: edges, g: g)
        let (y, k) = try e.forward(x, cinSoft: c, g: g.map { $0[i] }, ctx: ctx, part: shared.part[e.edge.from],
                                   pre: shared.pre[i] ?? [:])
        shared.pre[i] = nil
        costs += k
        names += k.indices.map { $0 == 0 ? e.edge.name : e.edge.name + "/lift" }
        if let y = y { ys.append(y) }
      }
      guard !ys.isEmpty else { continue }
      let node = ys.count == 1 ? ys[0] : try FusedOps.weightedSum(ys.map { Optional($0) }, weights: Tensor.constant(shape: [ys.count], data: [Float](repeating: 1, count: ys.count)))
      values[t] = node
      // As in the reference, a node's channel count is its full width.
      widths[t] = Tensor(scalar: Float(nodeWidths[t - 1]))
    }
    guard var out = values[nodes] else { throw NASError.emptyCell(cell: name) }
    if pool { out = try maxPool2d(out, kernel: 2, stride: 2, ceilMode: true) }
    guard ctx.cost != nil else { return (out, nil, nil, []) }
    return (out, FusedOps.scalarSum(costs.map(\.latency)), FusedOps.scalarMean(costs.map(\.util)), Array(zip(names, costs)))
  }
}

// MARK: - Convs of edges that leave the same node

/// The edges leaving one node read the same tensor: their candidate convs of equal geometry run
/// as one `conv2dShared` (one unfolding, one stacked GEMM) when the node's value is first used.
struct SharedEdgeInputs {
  /// `pre[edge][op]`: that op's first conv output.
  var pre: [Int: [Int: Tensor]] = [:]
  /// The partial-channel slice of a node read by its mixed edges (made once).
  var part: [Int: Tensor] = [:]
  private var done: Set<Int> = []

  mutating func prepare(source: Int, x: Tensor, edges: [EdgeModule], g: [Tensor]?) throws {
    guard !done.contains(source) else { return }
    done.insert(source)
    // Group (edge, op) pairs by the tensor their first stage's conv reads and its geometry (an op
    // that starts with a pool stage has no such conv: its first conv reads the pooled input).
    var groups: [[Int]: [(edge: Int, op: Int, unit: ConvUnit)]] = [:]
    var order: [[Int]] = []
    for (i, e) in edges.enumerated() where e.edge.from == source {
      let mixed = e.isMixed(g.map { $0[i] })
      if mixed && e.partialChannels > 1 && part[source] == nil { part[source] = try e.mixedInput(x) }
      for (oi, op) in e.ops.enumerated() {
        if !mixed && oi > 0 { break }
        guard let u = op.firstUnit, u.sharesUnfolding else { continue }
        let key = u.unfoldingKey + [mixed && e.partialChannels > 1 ? e.partialChannels : 1]
        if groups[key] == nil { order.append(key) }
        groups[key, default: []].append((i, oi, u))
      }
    }
    for key in order {
      guard let members = groups[key], members.count > 1, let u0 = members.first?.unit else { continue }
      let input = key.last == 1 ? x : (part[source] ?? x)
      let ys = try conv2dShared(input, weights: members.map(\.unit.weight), biases: members.map { $0.unit.bias },
                                stride: u0.stride, padding: u0.padding, dilation: u0.dilation)
      for (m, y) in zip(members, ys) { pre[m.edge, default: [:]][m.op] = y }
    }
  }
}
