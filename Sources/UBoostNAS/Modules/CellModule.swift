import UBoostTensor

// MARK: - Cell

/// A two-input cell: 3x3 pre-convs on `xp` and `xpp` (stride 2 on `xpp` when the resolution
/// halved between them), nodes t1...tn (each the sum of its incoming edges), output tn,
/// optionally followed by a 2x2 max-pool.
final class CellModule {
  let name: String
  let preXp: ConvUnit
  let preXpp: ConvUnit
  let edges: [EdgeModule]
  let nodes: Int
  let pool: Bool
  /// Width of every node (full width in the supernets).
  let nodeWidths: [Int]
  /// Index of this cell's alpha set (micro search) or nil.
  let alphaSet: Int?

  init(name: String, preXp: ConvUnit, preXpp: ConvUnit, edges: [EdgeModule], nodes: Int, pool: Bool,
       nodeWidths: [Int], alphaSet: Int?) {
    self.name = name; self.preXp = preXp; self.preXpp = preXpp; self.edges = edges; self.nodes = nodes
    self.pool = pool; self.nodeWidths = nodeWidths; self.alphaSet = alphaSet
  }

  var outWidth: Int { nodeWidths.last ?? preXp.cout }
  var parameters: [Tensor] { preXp.parameters + preXpp.parameters + edges.flatMap(\.parameters) }
  var units: [ConvUnit] {
    [preXp, preXpp] + edges.flatMap { $0.ops.flatMap(\.units) + ($0.lift.map { [$0] } ?? []) }
  }

  /// `g[e]`: the relaxed weights of edge `e` (micro search), indexed like `edges`.
  func forward(xp: Tensor, xpp: Tensor, cXp: Tensor, cXpp: Tensor, g: [Tensor]?, ctx: ForwardContext)
    throws -> (Tensor, lat: Tensor?, util: Tensor?) {
    var costs: [LayerCostTensors] = []
    let (a, ca, k1) = try preXp.forward(xp, cinSoft: cXp, ctx: ctx)
    let (b, cb, k2) = try preXpp.forward(xpp, cinSoft: cXpp, ctx: ctx)
    if let k = k1 { costs.append(k) }
    if let k = k2 { costs.append(k) }
    guard a.rank == 4, b.rank == 4, a.shape[0] == b.shape[0], a.shape[2] == b.shape[2], a.shape[3] == b.shape[3] else {
      throw NASError.badInput("\(name): the two cell inputs have shapes \(a.shape) and \(b.shape) after the pre-convs")
    }
    var values: [Int: Tensor] = [0: a, -1: b]
    var widths: [Int: Tensor] = [0: ca, -1: cb]
    for t in 1...nodes {
      var ys: [Tensor] = []
      for (i, e) in edges.enumerated() where e.edge.to == t {
        // Big supernet steps take seconds: look for Ctrl-C between edges too.
        try EngineInterrupt.check()
        guard let x = values[e.edge.from], let c = widths[e.edge.from] else { continue }
        let (y, k) = try e.forward(x, cinSoft: c, g: g.map { $0[i] }, ctx: ctx)
        costs += k
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
    guard ctx.cost != nil else { return (out, nil, nil) }
    return (out, FusedOps.scalarSum(costs.map(\.latency)), FusedOps.scalarMean(costs.map(\.util)))
  }
}
