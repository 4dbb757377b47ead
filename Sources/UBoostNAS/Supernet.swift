import UBoostTensor

// MARK: - Output

/// What a supernet forward returns: logits [N, classes] and the network's latency (ms) and
/// utilization as 0-d tensors, differentiable w.r.t. the edge and channel alphas.
public struct SupernetOutput {
  public var logits: Tensor
  public var latency: Tensor
  public var util: Tensor
  /// Every costed entry of the forward, in order: a cell's pre-convs and edges (a mixed edge's
  /// entry is its expected cost under the relaxed weights). `latency` is the sum of their
  /// latencies; a cell's utilization is the mean over its entries.
  public var costs: [CostEntry]
  public init(logits: Tensor, latency: Tensor, util: Tensor, costs: [CostEntry] = []) {
    self.logits = logits; self.latency = latency; self.util = util; self.costs = costs
  }

  /// One costed entry of a forward: `cell` (`midstage1`), `name` (`xp_pre`, `xp_t1`, `t1_t2/lift`).
  public struct CostEntry {
    public var cell: String
    public var name: String
    public var latency: Tensor
    public var util: Tensor
    /// A mixed edge's candidates (micro search); nil for a single op, a pre-conv or a lift.
    public var mix: MixedCost? = nil
  }

  /// The candidates of a mixed edge: `ops` (names, in the space's order), their relaxed weights
  /// `weights` [n] (on the tape w.r.t. the alphas), and each candidate's own `latency` and `util`
  /// [n] (0 for ops without convs). The edge's entry is the weighted mean of these.
  public struct MixedCost {
    public var ops: [String]
    public var weights: Tensor
    public var latency: Tensor
    public var util: Tensor
  }
}

// MARK: - Supernet

/// A U-Boost NAS network: stem (3x3 conv + BN + ReLU, 2x2 max-pool), cells, classifier (flatten +
/// linear). The same class is the micro-search supernet (mixed edges), the channel-search
/// supernet (one op per edge, masked widths) and the final network (fixed ops and widths).
///
/// ```swift
/// var space = SearchSpaceConfig()
/// space.input = .fashionMNIST; space.stemChannels = 16
/// let net = try Supernet(space: space, stage: .micro, seed: 1, cost: HardwareCost.systolic())
/// let out = try net.forward(x, training: true)       // logits, latency, util
/// let loss = try crossEntropy(out.logits, labels) + out.latency - out.util
/// try loss.backward()
/// print(try net.genotype)
/// ```
public final class Supernet {
  public let space: SearchSpaceConfig
  public let stage: SearchStage
  /// Gumbel-softmax temperature (annealed by the search loop).
  public var tau: Float = 1
  /// Gumbel noise when relaxing alphas (off: deterministic softmax(alpha / tau)).
  public var gumbelNoise: Bool = true
  /// How edge alphas become op weights (softmax or Fair-DARTS' sigmoids).
  public var relaxation: ArchRelaxation = .gumbelSoftmax
  /// DARTS-'s auxiliary skip weight on every mixed edge (the search loop decays it; 0: none).
  public var auxSkip: Float = 0
  /// P-DARTS' cap on identity edges per cell when deriving the micro genotype (nil: no cap).
  public var maxIdentityEdges: Int? = nil
  /// The hardware model pricing every layer (nil: latency and util are 0).
  public var cost: LayerCostEvaluator?
  /// How layer costs aggregate (reference or standard).
  public var aggregation: AggregationMode
  /// The genotype the network was built from (channel / final stage).
  public let sourceGenotype: Genotype?

  var rng: RandomSource
  let stem: ConvUnit
  let cells: [CellModule]
  let classifierWeight: Tensor
  let classifierBias: Tensor
  /// Micro search: alpha sets (1 when shared, else one per cell), each one tensor per edge.
  let edgeAlphas: [[Tensor]]
  let edgeList: [CellEdge]

  /// Builds a supernet. `genotype` is required for `.channel` and `.final` (ops per edge; for
  /// `.final` also widths). Weights and initial alphas come from `seed`.
  public init(space: SearchSpaceConfig, stage: SearchStage, genotype: Genotype? = nil, seed: UInt64 = 0,
              cost: LayerCostEvaluator? = nil, aggregation: AggregationMode = .standard) throws {
    try space.validate()
    let genotype = try genotype.map { try space.resolve($0) }
    try Supernet.checkMemory(space: space, stage: stage, genotype: genotype)
    self.space = space; self.stage = stage; self.cost = cost; self.aggregation = aggregation
    self.sourceGenotype = genotype
    var rng = RandomSource(seed: seed)
    edgeList = space.edges
    let inC = space.input.channels
    stem = try ConvUnit(name: "stem", kind: .full, cin: inC, cout: space.stemChannels, kernel: 3, rng: &rng)
    func half(_ s: (Int, Int)) -> (Int, Int) { ((s.0 + 1) / 2, (s.1 + 1) / 2) }
    var sXp = half((space.input.height, space.input.width)), sXpp = sXp
    var cXp = space.stemChannels, cXpp = space.stemChannels
    var cells: [CellModule] = []
    var alphas: [[Tensor]] = []
    let stacks = stage == .micro ? space.microStacks : space.channelStacks
    if stage != .micro && genotype == nil {
      throw NASError.invalidConfig("the \(stage.rawValue) stage needs a genotype (derive one from the micro search)")
    }
    if stage == .micro {
      let sets = space.sharedAlphas ? 1 : stacks.count
      for _ in 0..<sets {
        alphas.append(try edgeList.map { e in
          let a = try Tensor.randn([space.ops.count], rng: &rng).trainable()
          a.name = e.name
          return a
        })
      }
    }
    for (i, pool) in stacks.enumerated() {
      let name = "midstage\(i + 1)"
      let reduce = sXpp != sXp
      let cell: CellModule
      switch stage {
      case .micro:
        let w = space.microCellWidth
        let k = space.partialChannels
        let preXp = !space.hasPreConv(0) ? nil : try ConvUnit(name: name + "/xp_pre", kind: .full, cin: cXp, cout: w, kernel: 3, rng: &rng)
        let preXpp = !space.hasPreConv(-1) ? nil : try ConvUnit(name: name + "/xpp_pre", kind: .full, cin: cXpp, cout: w, kernel: 3,
                                                  stride: reduce ? 2 : 1, rng: &rng)
        let edges = try edgeList.map { e in
          EdgeModule(edge: e, ops: try space.ops.map { op in
            try OpInstance(op: op, name: "\(name)/\(e.name)/\(op.rawValue)", cin: w / k, cout: w / k, channelChoices: nil,
                           costWidthScale: k, rng: &rng)
          }, partialChannels: k)
        }
        cell = CellModule(name: name, preXp: preXp, preXpp: preXpp, edges: edges, nodes: space.nodes, pool: pool == 1,
                          nodeWidths: [Int](repeating: w, count: space.nodes), alphaSet: space.sharedAlphas ? 0 : i)
      case .channel:
        guard let g = genotype?.cell(i, of: stacks.count) else { throw NASError.invalidConfig("empty genotype") }
        let w = space.channels.maxWidth, ch = space.channels
        let chain = space.isChain
        if chain && i == 0 && space.stemChannels != w {
          throw NASError.invalidConfig("a chain space has no pre-convs, so the widest channel choice (\(w)) must equal the stem width (\(space.stemChannels))")
        }
        let preXp = !space.hasPreConv(0) ? nil : try ConvUnit(name: name + "/xp_pre", kind: .full, cin: cXp, cout: w, kernel: 3, channelChoices: ch, rng: &rng)
        let preXpp = !space.hasPreConv(-1) ? nil : try ConvUnit(name: name + "/xpp_pre", kind: .full, cin: cXpp, cout: w, kernel: 3, stride: reduce ? 2 : 1,
                                                  channelChoices: ch, rng: &rng)
        let edges = try g.liveEdges(nodes: space.nodes).map { e in
          EdgeModule(edge: e, ops: [try OpInstance(op: g.op(e), name: "\(name)/\(e.name)", cin: w, cout: w, channelChoices: ch, rng: &rng)])
        }
        cell = CellModule(name: name, preXp: preXp, preXpp: preXpp, edges: edges, nodes: space.nodes, pool: pool == 1,
                          nodeWidths: [Int](repeating: w, count: space.nodes), alphaSet: nil)
      case .final:
        guard var g = genotype?.cell(i, of: stacks.count) else { throw NASError.invalidConfig("empty genotype") }
        try g.prune(nodes: space.nodes, cellName: name)
        let dflt = space.microCellWidth
        func width(_ k: String) throws -> Int {
          let v = g.widths[k] ?? dflt
          guard v >= 1 && v <= 1 << 16 else { throw NASError.badArchState("\(name)/\(k): width \(v) out of range") }
          return v
        }
        let chain = space.isChain
        let preXp = !space.hasPreConv(0) ? nil : try ConvUnit(name: name + "/xp_pre", kind: .full, cin: cXp, cout: try width("xp_pre"), kernel: 3, rng: &rng)
        let preXpp = !space.hasPreConv(-1) ? nil : try ConvUnit(name: name + "/xpp_pre", kind: .full, cin: cXpp, cout: try width("xpp_pre"), kernel: 3,
                                                  stride: reduce ? 2 : 1, rng: &rng)
        var srcWidth: [Int: Int] = chain ? [0: cXp] : [0: preXp?.cout ?? cXp, -1: preXpp?.cout ?? cXpp]
        var edges: [EdgeModule] = []
        var nodeWidths: [Int] = []
        for t in 1...space.nodes {
          var incoming: [EdgeModule] = []
          for e in g.liveEdges(nodes: space.nodes) where e.to == t {
            guard let cin = srcWidth[e.from] else { continue }
            let op = g.op(e)
            let cout = op.hasOutputConv ? try width(e.name) : cin
            incoming.append(EdgeModule(edge: e, ops: [try OpInstance(op: op, name: "\(name)/\(e.name)", cin: cin, cout: cout,
                                                                      channelChoices: nil, rng: &rng)]))
          }
          let wNode = incoming.map(\.outWidth).max() ?? 0
          // A 1x1 conv + BN + ReLU lifts narrower inputs to the node's width.
          for e in incoming where e.outWidth < wNode {
            e.lift = try ConvUnit(name: "\(name)/\(e.edge.name)/lift", kind: .full, cin: e.outWidth, cout: wNode, kernel: 1, rng: &rng)
          }
          edges += incoming
          nodeWidths.append(wNode)
          if wNode > 0 { srcWidth[t] = wNode }
        }
        cell = CellModule(name: name, preXp: preXp, preXpp: preXpp, edges: edges, nodes: space.nodes, pool: pool == 1,
                          nodeWidths: nodeWidths, alphaSet: nil)
      }
      cells.append(cell)
      cXpp = cXp; cXp = cell.outWidth
      sXpp = sXp
      if pool == 1 { sXp = half(sXp) }
    }
    self.cells = cells
    self.edgeAlphas = alphas
    let features = space.classifier == .globalPool ? cXp : cXp * sXp.0 * sXp.1
    classifierWeight = try Init.uniformFan([space.classes, features], fanIn: features, rng: &rng).trainable()
    classifierWeight.name = "classifier.weight"
    classifierBias = try Init.uniformFan([space.classes], fanIn: features, rng: &rng).trainable()
    classifierBias.name = "classifier.bias"
    self.rng = rng
  }

  // MARK: Parameters

  /// All trainable network weights (conv, BN affine, classifier), without alphas.
  public var weights: [Tensor] {
    stem.parameters + cells.flatMap(\.parameters) + [classifierWeight, classifierBias]
  }

  /// Number of trainable weight values.
  public var weightCount: Int { weights.reduce(0) { $0 + $1.count } }

  /// The architecture parameters, each once: edge alphas (micro) or channel alphas (channel).
  public var alphas: [Tensor] {
    switch stage {
    case .micro: return edgeAlphas.flatMap { $0 }
    case .channel: return channelSearches.map(\.alpha)
    case .final: return []
    }
  }

  /// The alphas as the architecture optimizer should see them: in `.reference` aggregation a
  /// shared micro alpha is listed once per cell (so Adam steps it once per cell, as the reference does).
  public var optimizerAlphas: [Tensor] {
    guard stage == .micro, aggregation == .reference, space.sharedAlphas else { return alphas }
    return cells.flatMap { _ in edgeAlphas.first ?? [] }
  }

  /// The micro search's edge alphas, each once (empty in the other stages).
  public var edgeAlphaTensors: [Tensor] { edgeAlphas.flatMap { $0 } }

  /// Number of architecture values (shared alphas once).
  public var alphaCount: Int { alphas.reduce(0) { $0 + $1.count } }

  var channelSearches: [ChannelSearch] {
    cells.flatMap { $0.units.compactMap(\.search) }
  }

  var batchNorms: [BatchNorm2d] { ([stem] + cells.flatMap(\.units)).map(\.bn) }

  /// Names of the cells (`midstage1`, ...).
  public var cellNames: [String] { cells.map(\.name) }

  // MARK: Forward

  /// Runs the network on `x` [N, C, H, W]. In training mode batch norms use batch statistics.
  public func forward(_ x: Tensor, training: Bool) throws -> SupernetOutput {
    let inp = space.input
    guard x.rank == 4, x.shape[1] == inp.channels, x.shape[2] == inp.height, x.shape[3] == inp.width, x.shape[0] >= 1 else {
      throw NASError.badInput("expected [N, \(inp.channels), \(inp.height), \(inp.width)], got \(x.shape)")
    }
    let ctx = ForwardContext(training: training, tau: tau, rng: rng, noise: gumbelNoise, cost: cost, mode: aggregation)
    ctx.relaxation = relaxation
    ctx.auxSkip = auxSkip
    ctx.maskPlacement = space.maskPlacement
    defer { rng = ctx.rng }
    // One relaxation per alpha set per forward, shared by the cells that use it.
    let relaxed: [[Tensor]] = try edgeAlphas.map { set in try set.map { try ctx.relaxEdge($0) } }
    let stemCost = ctx.cost
    ctx.cost = nil  // the stem is not costed (as in the reference)
    var (h, _, _) = try stem.forward(x, cinSoft: Tensor(scalar: Float(inp.channels)), ctx: ctx)
    ctx.cost = stemCost
    h = try maxPool2d(h, kernel: 2, stride: 2, ceilMode: true)
    var xp = h, xpp = h
    var cXp = Tensor(scalar: Float(space.stemChannels)), cXpp = cXp
    var lats: [Tensor] = [], utils: [Tensor] = []
    var entries: [SupernetOutput.CostEntry] = []
    for cell in cells {
      let g = cell.alphaSet.flatMap { relaxed.indices.contains($0) ? relaxed[$0] : nil }
      let (y, l, u, named) = try cell.forward(xp: xp, xpp: xpp, cXp: cXp, cXpp: cXpp, g: g, ctx: ctx)
      entries += named.map { SupernetOutput.CostEntry(cell: cell.name, name: $0.0, latency: $0.1.latency, util: $0.1.util, mix: $0.1.mix) }
      if let l = l { lats.append(l) }
      if let u = u { utils.append(u) }
      xpp = xp; xp = y
      cXpp = cXp; cXp = Tensor(scalar: Float(cell.outWidth))
    }
    let flat = space.classifier == .globalPool ? try globalAvgPool2d(xp).reshaped([xp.shape[0], -1])
      : try xp.reshaped([xp.shape[0], -1])
    let logits = try linear(flat, classifierWeight, classifierBias)
    let latency = lats.isEmpty ? Tensor(scalar: 0) : FusedOps.scalarSum(lats)
    let util: Tensor
    if utils.isEmpty { util = Tensor(scalar: 0) } else {
      util = aggregation == .reference ? FusedOps.scalarSum(utils) : FusedOps.scalarMean(utils)
    }
    return SupernetOutput(logits: logits, latency: latency, util: util, costs: entries)
  }

  /// Sets weights, alphas and batch-norm running statistics, in the order checkpoints and network
  /// files store them (`weights + alphas`, then each BN's running mean and variance); the caller
  /// has checked the count and every size.
  func restoreState(_ values: [[Float]]) {
    let ts = weights + alphas
    for (t, v) in zip(ts, values) { t.data = v }
    var i = ts.count
    for bn in batchNorms where i + 1 < values.count {
      bn.runningMean = values[i]; bn.runningVar = values[i + 1]
      i += 2
    }
  }

  /// Clears the gradients of weights and alphas.
  public func zeroGrad() {
    for p in weights { p.zeroGrad() }
    for a in alphas { a.zeroGrad() }
  }
}
