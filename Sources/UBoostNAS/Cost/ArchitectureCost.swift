import UBoostHardware

// MARK: - Cost of a derived architecture (no tensors)

/// Prices a derived architecture (genotype + widths) layer by layer with any evaluator, with
/// the same aggregation as the supernet: a separable op is one entry (latencies add, utilization
/// is the mean of its two convs), a cell's latency is the sum and its utilization the mean of
/// its entries, the network's latency the sum over cells and its utilization the mean over
/// cells (`.standard`) or the sum (`.reference`). Stem and classifier are not counted.
///
/// ```swift
/// let exact = HardwareCost(SystolicModel(ceiling: .exact))
/// let r = try ArchitectureCost.evaluate(space: space, genotype: g, stacks: space.channelStacks, evaluator: exact)
/// print(r.latencyMs, r.util)
/// ```
public enum ArchitectureCost {
  public struct Result: Equatable {
    public var latencyMs: Double
    public var util: Double
    public var cells: [(latencyMs: Double, util: Double)]
    public static func == (a: Result, b: Result) -> Bool {
      a.latencyMs == b.latencyMs && a.util == b.util && a.cells.map(\.latencyMs) == b.cells.map(\.latencyMs)
        && a.cells.map(\.util) == b.cells.map(\.util)
    }
  }

  /// One costed entry: one or two layer queries (separable), with the layers' full geometry.
  struct Entry {
    var queries: [CostQuery]
    var layers: [ArchLayer] = []
  }

  /// The entries of every cell of the final network built from `genotype` over `stacks`.
  static func entries(space: SearchSpaceConfig, genotype given: Genotype, stacks: [Int], referenceDilated: Bool) throws -> [[Entry]] {
    let genotype = try space.resolve(given)
    func half(_ s: (Int, Int)) -> (Int, Int) { ((s.0 + 1) / 2, (s.1 + 1) / 2) }
    var sXp = half((space.input.height, space.input.width)), sXpp = sXp
    var cXp = space.stemChannels, cXpp = space.stemChannels
    var out: [[Entry]] = []
    for (i, pool) in stacks.enumerated() {
      let name = "midstage\(i + 1)"
      guard var g = genotype.cell(i, of: stacks.count) else { throw NASError.invalidConfig("empty genotype") }
      try g.prune(nodes: space.nodes, cellName: name)
      let dflt = space.microCellWidth
      let (h, w) = sXp
      var entries: [Entry] = []
      let wXp = g.widths["xp_pre"] ?? dflt, wXpp = g.widths["xpp_pre"] ?? dflt
      let reduce = sXpp != sXp
      func layer(_ kind: ArchLayer.Kind, _ k: Int, _ cin: Int, _ cout: Int, stride: Int = 1, dilation: Int = 1, inHW: (Int, Int)? = nil,
                 _ edge: String) -> ArchLayer {
        ArchLayer(cell: i, edge: edge, kind: kind, k: k, cin: cin, cout: cout, stride: stride, dilation: dilation,
                  groups: kind == .depthwise ? cin : 1, inHW: [inHW?.0 ?? h, inHW?.1 ?? w], outHW: [h, w])
      }
      var src: [Int: Int]
      var outWidth: Int
      if space.isChain {
        // No pre-convs: the edges read the previous cell's output.
        src = [0: cXp]
        outWidth = cXp
      } else {
        // A cell input that no node may read (the space's `inputs`) has no pre-conv.
        src = [:]
        if space.hasPreConv(0) {
          entries.append(Entry(queries: [CostQuery(kind: .conv, kernel: 3, cin: Double(cXp), cout: Double(wXp), outH: h, outW: w)],
                               layers: [layer(.conv, 3, cXp, wXp, "xp_pre")]))
          src[0] = wXp
        }
        if space.hasPreConv(-1) {
          entries.append(Entry(queries: [CostQuery(kind: .conv, kernel: 3, cin: Double(cXpp), cout: Double(wXpp), outH: h, outW: w)],
                               layers: [layer(.conv, 3, cXpp, wXpp, stride: reduce ? 2 : 1, inHW: sXpp, "xpp_pre")]))
          src[-1] = wXpp
        }
        outWidth = src[0] ?? cXp
      }
      for t in 1...space.nodes {
        var incoming: [(Int, Entry?, String)] = []
        for e in g.liveEdges(nodes: space.nodes) where e.to == t {
          guard let cin = src[e.from] else { continue }
          let op = g.op(e)
          let cout = op.hasOutputConv ? (g.widths[e.name] ?? dflt) : cin
          guard op.hasWeights else { incoming.append((cout, nil, e.name)); continue }
          // One entry per op: every conv stage a layer, the convs in a sum's branches included
          // (names: the edge for a one-stage op, else edge/dw, edge/pw, edge/sum1.b2.dw, ...); a
          // pool stage is free, so it is no layer (as identity).
          var queries: [CostQuery] = [], layers: [ArchLayer] = []
          for cs in op.convStages(cin: cin, cout: cout) {
            let st = cs.op
            let name = op.stages.count == 1 && !op.stages[cs.stage].isSum ? e.name : e.name + "/" + cs.path
            let depthwise = st.kind == .depthwise
            let kind: CostLayerKind = depthwise ? .depthwise : st.dilation > 1 && !referenceDilated ? .dilated : .conv
            queries.append(CostQuery(kind: kind, kernel: st.kernel, cin: Double(cs.cin), cout: Double(cs.cout), outH: h, outW: w,
                                     dilation: st.dilation))
            layers.append(layer(depthwise ? .depthwise : .conv, st.kernel, cs.cin, cs.cout, dilation: st.dilation, name))
          }
          incoming.append((cout, Entry(queries: queries, layers: layers), e.name))
        }
        let wNode = incoming.map(\.0).max() ?? 0
        for (wEdge, entry, edgeName) in incoming {
          if let en = entry { entries.append(en) }
          if wEdge < wNode {
            entries.append(Entry(queries: [CostQuery(kind: .conv, kernel: 1, cin: Double(wEdge), cout: Double(wNode), outH: h, outW: w)],
                                 layers: [layer(.conv, 1, wEdge, wNode, edgeName + "/lift")]))
          }
        }
        if wNode > 0 { src[t] = wNode; outWidth = wNode }
      }
      out.append(entries)
      cXpp = cXp; cXp = outWidth
      sXpp = sXp
      if pool == 1 { sXp = half(sXp) }
    }
    _ = sXpp
    return out
  }

  /// Every costed layer of the final network built from `genotype` over `stacks`, in order
  /// (what `final_arch.json` lists; stem and classifier are not costed).
  public static func layers(space: SearchSpaceConfig, genotype: Genotype, stacks: [Int]) throws -> [ArchLayer] {
    try entries(space: space, genotype: genotype, stacks: stacks, referenceDilated: false).flatMap { $0.flatMap(\.layers) }
  }

  /// Latency and utilization of the final network built from `genotype` over `stacks`.
  public static func evaluate(space: SearchSpaceConfig, genotype: Genotype, stacks: [Int], evaluator: LayerCostEvaluator,
                              mode: AggregationMode = .standard) throws -> Result {
    let cells = try entries(space: space, genotype: genotype, stacks: stacks, referenceDilated: mode == .reference)
    var perCell: [(latencyMs: Double, util: Double)] = []
    for entries in cells {
      var lat = 0.0, utilSum = 0.0, n = 0
      for e in entries {
        let answers = try e.queries.map { try evaluator.evaluate($0) }
        let l = answers.reduce(0) { $0 + $1.latencyMs }
        guard l > 0 else { continue }
        lat += l
        utilSum += answers.reduce(0) { $0 + $1.util } / Double(answers.count)
        n += 1
      }
      perCell.append((lat, n > 0 ? utilSum / Double(n) : 0))
    }
    let total = perCell.reduce(0) { $0 + $1.latencyMs }
    let us = perCell.reduce(0) { $0 + $1.util }
    let util = mode == .reference ? us : (perCell.isEmpty ? 0 : us / Double(perCell.count))
    return Result(latencyMs: total, util: util, cells: perCell)
  }

  /// The costed layers of every cell as cost-model specs (stride included), in pricing order (a
  /// separable op gives its depthwise and its 1x1 layer), e.g. to write them as a SCALE-Sim
  /// topology. Stem and classifier are not included (they are not priced either).
  public static func layerSpecs(space: SearchSpaceConfig, genotype: Genotype, stacks: [Int]) throws -> [[LayerSpec]] {
    let all = try layers(space: space, genotype: genotype, stacks: stacks)
    return stacks.indices.map { c in all.filter { $0.cell == c }.map(\.spec) }
  }
}
