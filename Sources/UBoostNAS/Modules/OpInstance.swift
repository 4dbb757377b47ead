import UBoostTensor

// MARK: - One candidate op with its weights

/// A built candidate op: identity / zero (no weights), or its stages in order, each a conv unit,
/// a pooling window or a sum of branches (the op's output conv carries the channel search), with
/// an optional residual.
final class OpInstance {
  /// One built stage: a conv unit (conv, BN, ReLU), a parameter-free pooling window, or a sum of
  /// branches (each a list of conv and pool stages; an empty one is the identity).
  enum Stage {
    case conv(ConvUnit)
    case pool(PoolMode, kernel: Int)
    case sum([[Stage]])

    /// The stage's conv unit; nil for a pool or sum stage.
    var unit: ConvUnit? {
      if case .conv(let u) = self { return u }
      return nil
    }

    /// Every conv unit of the stage, its branches' included, in order.
    var allUnits: [ConvUnit] {
      switch self {
      case .conv(let u): return [u]
      case .pool: return []
      case .sum(let branches): return branches.flatMap { $0.flatMap(\.allUnits) }
      }
    }
  }

  let op: CandidateOp
  /// Every stage, in the op's order.
  let stages: [Stage]
  /// The conv units of the stages, in order, sums' branches included (a pool stage has none).
  let units: [ConvUnit]
  /// Output width (identity: the input width).
  let outWidth: Int

  /// `costWidthScale`: the cost model prices the op `costWidthScale` times wider than it is built
  /// (PC-DARTS: the op runs on 1/K of the channels, the derived network's op on all of them).
  init(op: CandidateOp, name: String, cin: Int, cout: Int, channelChoices: ChannelChoices?, costWidthScale: Int = 1,
       rng: inout RandomSource) throws {
    guard op.isResolved else { throw NASError.invalidConfig("\(name): op '\(op.name)' is not defined in this space") }
    self.op = op
    var stages: [Stage] = []
    let out = op.outputStage
    let names = OpInstance.stageNames(op)
    let widths = op.stageWidths(cin: cin, cout: cout)
    for (i, st) in op.stages.enumerated() {
      if let mode = st.poolMode {
        stages.append(.pool(mode, kernel: st.kernel))
        continue
      }
      if st.isSum {
        // Branch convs map the sum's width to itself (or expand times it); no channel search.
        var branches: [[Stage]] = []
        for (j, branch) in st.branches.enumerated() {
          let bNames = OpStage.names(branch)
          var built: [Stage] = []
          for (k, (bs, bw)) in zip(branch, OpStage.branchWidths(branch, width: widths[i].cin)).enumerated() {
            if let mode = bs.poolMode { built.append(.pool(mode, kernel: bs.kernel)); continue }
            guard !bs.isSum else { throw NASError.invalidConfig("\(name): op '\(op.name)': a sum inside a sum is not supported") }
            built.append(.conv(try ConvUnit(name: name + "/" + OpStage.branchPath(names[i], branch: j, bNames[k]), kind: bs.kind == .depthwise ? .depthwise : .full,
                                            cin: bw.cin, cout: bw.cout, kernel: bs.kernel, dilation: bs.dilation,
                                            costWidthScale: costWidthScale, rng: &rng)))
          }
          branches.append(built)
        }
        stages.append(.sum(branches))
        continue
      }
      let unitName = i == out || op.stages.count == 1 ? name : name + "/" + names[i]
      stages.append(.conv(try ConvUnit(name: unitName, kind: st.kind == .depthwise ? .depthwise : .full, cin: widths[i].cin,
                                       cout: widths[i].cout, kernel: st.kernel, dilation: st.dilation,
                                       channelChoices: i == out ? channelChoices : nil, costWidthScale: costWidthScale,
                                       rng: &rng)))
    }
    self.stages = stages
    units = stages.flatMap(\.allUnits)
    outWidth = widths.last?.cout ?? cin
  }

  /// Short names of an op's stages, unique within the op: `dw`, `pw` (1x1), `conv`, `maxpool`,
  /// `avgpool`, numbered when a kind repeats (a separable op's are `dw` and `pw`); a sum stage is
  /// `sumI` (`I`: its position), the convs of its branch `j` `sumI.bj.dw`, `sumI.bj.pw`, ...
  static func stageNames(_ op: CandidateOp) -> [String] { OpStage.names(op.stages) }

  var parameters: [Tensor] { units.flatMap(\.parameters) }
  /// The unit whose width is the op's (the one a channel search masks), if any.
  var outputUnit: ConvUnit? { op.outputStage.flatMap { stages.indices.contains($0) ? stages[$0].unit : nil } }
  /// The conv unit of the op's first stage (the one whose conv may run with other ops' convs on
  /// the same input); nil when the op starts with a pool or sum stage or has no stages.
  var firstUnit: ConvUnit? { stages.first?.unit }
  var channelSearches: [ChannelSearch] { units.compactMap(\.search) }

  /// Output (nil for zero), soft output width, cost (nil for identity / zero and ops without a
  /// conv, e.g. of pool stages only: a pool stage is free; the convs in a sum's branches are part
  /// of the op's one cost entry). `preConv`: the first stage's conv output, when computed
  /// together with other ops on `x`.
  func forward(_ x: Tensor, cinSoft: Tensor, ctx: ForwardContext, preConv: Tensor? = nil) throws -> (Tensor?, Tensor, LayerCostTensors?) {
    if op.isZero { return (nil, cinSoft, nil) }
    if stages.isEmpty { return (x, cinSoft, nil) }
    var y = x
    var c = cinSoft
    var costs: [LayerCostTensors] = []
    for (i, st) in stages.enumerated() {
      switch st {
      case .pool(let mode, let k):
        // No weights, BN or ReLU; keeps the width and costs nothing.
        y = try pool2dSame(y, mode: mode, kernel: k)
      case .conv(let u):
        // A depthwise unit keeps the width, and its soft input width goes on to the next unit (the
        // reference feeds a separable op's input width to both of its convs).
        let r = try u.forward(y, cinSoft: c, ctx: ctx, preConv: i == 0 ? preConv : nil)
        y = r.0
        if u.kind == .full { c = r.1 }
        if let k = r.2 { costs.append(k) }
      case .sum(let branches):
        // Every branch reads the same input; the outputs add up and the soft width passes on
        // unchanged (a branch keeps the sum's width). Branch convs join the op's cost entry.
        var total: Tensor? = nil
        for branch in branches {
          let b = try OpInstance.run(branch, y, cinSoft: c, ctx: ctx, costs: &costs)
          total = try total.map { try $0 + b } ?? b
        }
        y = total ?? y
      }
    }
    if op.residual, y.shape == x.shape { y = try y + x }
    guard !costs.isEmpty else { return (y, c, nil) }
    if costs.count == 1 { return (y, c, costs[0]) }
    // Several convs are one entry: latency adds up, utilization is the mean of the convs.
    return (y, c, LayerCostTensors(latency: FusedOps.scalarSum(costs.map(\.latency)),
                                   util: FusedOps.scalarMean(costs.map(\.util))))
  }

  /// Runs one branch of a sum on `x` (an empty branch is `x`), appending its convs' costs.
  private static func run(_ branch: [Stage], _ x: Tensor, cinSoft: Tensor, ctx: ForwardContext,
                          costs: inout [LayerCostTensors]) throws -> Tensor {
    var y = x
    var c = cinSoft
    for st in branch {
      switch st {
      case .pool(let mode, let k):
        y = try pool2dSame(y, mode: mode, kernel: k)
      case .conv(let u):
        let r = try u.forward(y, cinSoft: c, ctx: ctx)
        y = r.0
        if u.kind == .full { c = r.1 }
        if let k = r.2 { costs.append(k) }
      case .sum:
        throw NASError.invalidConfig("a sum inside a sum is not supported")
      }
    }
    return y
  }
}

// MARK: - Edge

/// An edge of a cell: a mix of all candidate ops (micro search) or a single op; in a final
/// network an optional 1x1 lift widens its output to the node's width.
final class EdgeModule {
  let edge: CellEdge
  let ops: [OpInstance]
  var lift: ConvUnit?
  /// PC-DARTS' K: the mixed op sees the first 1/K of the channels (1: all).
  let partialChannels: Int

  init(edge: CellEdge, ops: [OpInstance], lift: ConvUnit? = nil, partialChannels: Int = 1) {
    self.edge = edge; self.ops = ops; self.lift = lift; self.partialChannels = partialChannels
  }

  var parameters: [Tensor] { ops.flatMap(\.parameters) + (lift?.parameters ?? []) }
  var outWidth: Int { lift?.cout ?? ops.first?.outWidth ?? 0 }

  /// Whether the edge runs as a mix of its ops (relaxed weights given and more than one op).
  func isMixed(_ g: Tensor?) -> Bool { g != nil && ops.count > 1 }

  /// The tensor a mixed edge's ops read: `x`, or its first 1/K channels (PC-DARTS).
  func mixedInput(_ x: Tensor) throws -> Tensor {
    partialChannels > 1 ? try x.narrow(axis: 1, start: 0, length: x.shape[1] / partialChannels) : x
  }

  /// `g`: relaxed weights over `ops` (micro) or nil (single op). `part`: `mixedInput(x)` when the
  /// caller already made it; `pre[k]`: op k's first conv output, computed with other edges' convs.
  func forward(_ x: Tensor, cinSoft: Tensor, g: Tensor?, ctx: ForwardContext, part givenPart: Tensor? = nil,
               pre: [Int: Tensor] = [:]) throws -> (Tensor?, [LayerCostTensors]) {
    if let g = g, ops.count > 1 {
      let k = partialChannels
      let part = try givenPart ?? mixedInput(x)
      var ys: [Tensor?] = [], lats: [Tensor?] = [], utils: [Tensor?] = []
      for (oi, op) in ops.enumerated() {
        let (y, _, c) = try op.forward(part, cinSoft: cinSoft, ctx: ctx, preConv: pre[oi])
        ys.append(y); lats.append(c?.latency); utils.append(c?.util)
      }
      var out = ys.contains(where: { $0 != nil }) ? try FusedOps.weightedSum(ys, weights: g) : nil
      if k > 1 {
        // The bypassed channels join the mixed ones, then a channel shuffle (groups of K) makes
        // the next edge's partial slice a different set of channels (PC-DARTS).
        let mixed = try out ?? Tensor.zeros(part.shape)
        let rest = try x.narrow(axis: 1, start: part.shape[1], length: x.shape[1] - part.shape[1])
        out = try FusedOps.channelShuffle(try Tensor.concat([mixed, rest], axis: 1), groups: k)
      }
      if ctx.auxSkip > 0 {
        // DARTS-: an auxiliary skip that is not an architecture choice, decaying to 0.
        let skip = try x * ctx.auxSkip
        out = try out.map { try $0 + skip } ?? skip
      }
      var costs: [LayerCostTensors] = []
      if ctx.cost != nil, let (l, u) = FusedOps.mixCost(g, lats: lats, utils: utils, normalizeLatency: ctx.mode == .reference) {
        // Each candidate's own cost beside the expected one, so a script can write FBNet's
        // per-op loss (sum_k g_k lat_k) or weight ops its own way; ops without convs cost 0.
        let zero = Tensor(scalar: 0)
        let mix = SupernetOutput.MixedCost(ops: ops.map(\.op.name), weights: g,
                                           latency: try Tensor.stack(lats.map { $0 ?? zero }),
                                           util: try Tensor.stack(utils.map { $0 ?? zero }))
        costs.append(LayerCostTensors(latency: l, util: u, mix: mix))
      }
      return (out, costs)
    }
    guard let op = ops.first else { return (nil, []) }
    var (y, c, cost) = try op.forward(x, cinSoft: cinSoft, ctx: ctx, preConv: pre[0])
    var costs = cost.map { [$0] } ?? []
    if let lift = lift, let yy = y {
      let r = try lift.forward(yy, cinSoft: c, ctx: ctx)
      y = r.0
      if let k = r.2 { costs.append(k) }
    }
    return (y, costs)
  }
}
