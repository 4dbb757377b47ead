// MARK: - Channel choices

/// The DMasking channel choices of a searched conv: `start, start+step, ..., stop` (the reference's
/// `out_range`; `stop` is included when it is on the grid).
///
/// ```swift
/// let c = try ChannelChoices(start: 64, stop: 280, step: 8)
/// print(c.widths.count)   // 28
/// ```
public struct ChannelChoices: Codable, Equatable, Sendable {
  public var start: Int
  public var stop: Int
  public var step: Int

  public init(start: Int, stop: Int, step: Int) throws {
    guard step > 0 else { throw NASError.invalidConfig("channel step must be > 0, got \(step)") }
    guard start > 0, stop >= start else {
      throw NASError.invalidConfig("channel range needs 0 < start <= stop, got \(start)...\(stop)")
    }
    guard stop <= 1 << 16 else { throw NASError.invalidConfig("channel stop \(stop) is too large (max 65536)") }
    self.start = start; self.stop = stop; self.step = step
  }

  /// The reference default: 64...280 step 8 (28 widths).
  public static let reference = ChannelChoices(unchecked: 64, 280, 8)

  init(unchecked start: Int, _ stop: Int, _ step: Int) { self.start = start; self.stop = stop; self.step = step }

  /// The widths, as the reference computes them (start rounded up, stop down to the step grid).
  public var widths: [Int] {
    let lo = (start + step - 1) / step * step, hi = stop / step * step
    guard hi >= lo else { return [stop] }
    return Array(stride(from: lo, through: hi, by: step))
  }

  /// The widest choice (the width of the masked conv).
  public var maxWidth: Int { widths.last ?? stop }
}

// MARK: - Input shape

/// Image input shape (channels first in tensors: NCHW).
public struct InputShape: Codable, Equatable, Sendable, CustomStringConvertible {
  public var height: Int, width: Int, channels: Int
  public init(height: Int, width: Int, channels: Int) { self.height = height; self.width = width; self.channels = channels }
  /// 32x32x3 (CIFAR-10, the reference's shape).
  public static let cifar = InputShape(height: 32, width: 32, channels: 3)
  /// 28x28x1 (Fashion-MNIST).
  public static let fashionMNIST = InputShape(height: 28, width: 28, channels: 1)
  public var description: String { "\(height)x\(width)x\(channels)" }
}

// MARK: - Search space

/// Everything that defines a supernet's structure. The defaults are the reference search space
/// (method.md §4): 32x32x3 input, 128-channel stem, 8 candidate ops, 3-node cells, micro stacks
/// [1,1,1] with shared alphas, channel stacks [1,0,0,1,0,0,1,0,0] over 64...280 step 8.
///
/// ```swift
/// var space = SearchSpaceConfig()
/// space.input = .fashionMNIST
/// space.stemChannels = 16
/// space.channels = try ChannelChoices(start: 8, stop: 32, step: 8)
/// let net = try Supernet(space: space, stage: .micro, seed: 1)
/// ```
public struct SearchSpaceConfig: Codable, Equatable, Sendable {
  public var input: InputShape = .cifar
  public var classes: Int = 10
  /// Stem conv width (also the micro-search cell width unless `microWidth` is set).
  public var stemChannels: Int = 128
  /// The candidate ops of every micro-search edge (order = alpha order).
  public var ops: [CandidateOp] = CandidateOp.allCases
  /// Intermediate nodes per cell (3: nine edges).
  public var nodes: Int = 3
  /// Micro search cells; 1 = the cell is followed by a 2x2 max-pool.
  public var microStacks: [Int] = [1, 1, 1]
  /// Channel search / final network cells.
  public var channelStacks: [Int] = [1, 0, 0, 1, 0, 0, 1, 0, 0]
  /// Channel choices of every searched conv.
  public var channels: ChannelChoices = .reference
  /// One set of edge alphas for all micro cells (reference) or one per cell.
  public var sharedAlphas: Bool = true
  /// Cell width during the micro search (nil: the stem width).
  public var microWidth: Int? = nil
  /// PC-DARTS' partial channel connections (Xu et al., ICLR 2020): a micro-search edge sends
  /// 1/K of its channels through the mixed op and passes the rest by, then shuffles channels.
  /// The candidate ops are K times narrower (about K times cheaper steps); the cost model still
  /// prices every op at the full width. 1: off (the reference).
  public var partialChannels: Int = 1
  /// Where the channel-search mask sits (FBNetV2's after-ReLU, or the reference's before-BN).
  public var maskPlacement: MaskPlacement = .afterActivation
  /// A chain space (FBNet / ProxylessNAS style): no pre-convs, and a cell's nodes read only the
  /// previous cell (and earlier nodes), so with one node every cell is one layer choosing among
  /// the ops. nil or false: DARTS cells with two inputs and their 3x3 pre-convs.
  public var chain: Bool? = nil

  /// Which inputs a node may take: node name (`t1`, `t2`, ...) -> its allowed sources (`xp`,
  /// `xpp`, `tK` with K below the node). A node that is not listed takes every source the space
  /// allows (both cell inputs and every earlier node; a chain space: no `xpp`). nil: every node
  /// takes everything (the reference). A cell input that no node reads gets no pre-conv.
  public var inputs: [String: [String]]? = nil

  /// Whether this is a chain space (see `chain`).
  public var isChain: Bool { chain ?? false }
  /// The classifier: nil or `.flatten` (the reference: flatten, then a linear layer) or
  /// `.globalPool` (global average pooling, then a linear layer: DARTS', FBNet's and MobileNet's head).
  public var classifier: ClassifierHead? = nil

  public init() {}

  /// Width of the micro-search cells.
  public var microCellWidth: Int { microWidth ?? stemChannels }

  /// The edges of a cell (reference order), after `chain` and `inputs`.
  public var edges: [CellEdge] { SearchSpaceConfig.edges(nodes: nodes, chain: isChain, inputs: inputs) }

  /// The edges of a cell with `nodes` nodes under `chain` and `inputs` (see `inputs`).
  public static func edges(nodes: Int, chain: Bool, inputs: [String: [String]]?) -> [CellEdge] {
    CellEdge.all(nodes: nodes).filter { e in
      if chain && e.from == -1 { return false }
      guard let allowed = inputs?["t\(e.to)"] else { return true }
      return allowed.contains(CellEdge.sourceName(e.from))
    }
  }

  /// Whether cell input `source` (0: xp, -1: xpp) goes through a 3x3 pre-conv: not in a chain
  /// space, and only when some node reads it.
  public func hasPreConv(_ source: Int) -> Bool { !isChain && edges.contains { $0.from == source } }

  /// Checks an `inputs` table against `nodes` and `chain`; the message names the bad entry.
  public static func validateInputs(_ inputs: [String: [String]], nodes: Int, chain: Bool) throws {
    for key in inputs.keys.sorted() {
      guard key.hasPrefix("t"), let t = Int(key.dropFirst()), t >= 1, t <= nodes, key == "t\(t)" else {
        throw NASError.invalidConfig("inputs: '\(key)' is not a node of this cell (t1...t\(nodes))")
      }
      let sources = inputs[key] ?? []
      guard !sources.isEmpty else { throw NASError.invalidConfig("inputs: node \(key) has no inputs") }
      guard Set(sources).count == sources.count else { throw NASError.invalidConfig("inputs: node \(key) lists an input twice: \(sources)") }
      let allowed = (chain ? [0] : [-1, 0]) + Array(1..<t)
      for src in sources where !allowed.map(CellEdge.sourceName).contains(src) {
        let why = src == "xpp" && chain ? "a chain space has no xpp input" : "a node reads xp, xpp or an earlier node"
        throw NASError.invalidConfig("inputs: node \(key) cannot read '\(src)' (\(why); allowed: \(allowed.map(CellEdge.sourceName).joined(separator: ", ")))")
      }
    }
  }

  /// Throws `NASError.invalidConfig` naming the first bad value.
  public func validate() throws {
    func check(_ ok: Bool, _ msg: String) throws { if !ok { throw NASError.invalidConfig(msg) } }
    try check(input.height >= 1 && input.width >= 1 && input.channels >= 1 && input.height <= 4096 && input.width <= 4096 && input.channels <= 4096,
              "input shape \(input) must have positive sizes (at most 4096)")
    try check(classes >= 1 && classes <= 100_000, "classes must be in 1...100000, got \(classes)")
    try check(stemChannels >= 1 && stemChannels <= 4096, "stem channels must be in 1...4096, got \(stemChannels)")
    try check(microCellWidth >= 1 && microCellWidth <= 4096, "micro cell width must be in 1...4096, got \(microCellWidth)")
    try check(!ops.isEmpty, "the candidate op list is empty")
    try check(Set(ops.map(\.name)).count == ops.count, "the candidate op list has duplicates: \(ops.map(\.rawValue))")
    for op in ops where !op.isBuiltin {
      try check(op.isResolved, "op '\(op.name)' is not defined (a name that is not a built-in op needs its definition in the space)")
      try op.validate()
    }
    try check(nodes >= 1 && nodes <= 8, "nodes must be in 1...8, got \(nodes)")
    try check(!microStacks.isEmpty, "micro stacks are empty")
    try check(!channelStacks.isEmpty, "channel stacks are empty")
    try check((microStacks + channelStacks).allSatisfy { $0 == 0 || $0 == 1 }, "stacks may only hold 0 and 1")
    try check(microStacks.count <= 64 && channelStacks.count <= 64, "at most 64 cells")
    try check(channels.step > 0 && channels.start > 0 && channels.stop >= channels.start, "bad channel range \(channels)")
    if isChain {
      try check(stemChannels == microCellWidth,
                "a chain space has no pre-convs, so its stem width (\(stemChannels)) must equal the cell width (\(microCellWidth))")
    }
    if let inputs = inputs { try SearchSpaceConfig.validateInputs(inputs, nodes: nodes, chain: isChain) }
    try check(partialChannels >= 1 && partialChannels <= microCellWidth && microCellWidth % partialChannels == 0,
              "partial channels K must divide the micro cell width \(microCellWidth) (K = \(partialChannels))")
  }
}

// MARK: - Classifier head

/// How a network turns its last cell's features into logits.
public enum ClassifierHead: String, Codable, Sendable {
  /// Flatten [N, C, H, W] to [N, C*H*W], then a linear layer (the reference).
  case flatten
  /// Average over H and W to [N, C], then a linear layer.
  case globalPool = "global_pool"
}

// MARK: - Ops of a genotype

extension SearchSpaceConfig {
  /// `genotype` with every op name a file gave (script ops are names there) replaced by the
  /// space's definition; throws for a name the space does not define.
  public func resolve(_ genotype: Genotype) throws -> Genotype {
    var g = genotype
    if inputs != nil {
      let allowed = Set(edges.map(\.name))
      for cell in g.cells {
        for (edge, op) in cell.ops.sorted(by: { $0.key < $1.key }) where !op.isZero && !allowed.contains(edge) {
          throw NASError.invalidConfig("genotype edge \(edge) is not in the space (its inputs table does not let that node read that source)")
        }
      }
    }
    for (i, cell) in g.cells.enumerated() {
      for (edge, op) in cell.ops where !op.isResolved || (!op.isBuiltin && !ops.contains(op)) {
        guard let def = ops.first(where: { $0.name == op.name }) else {
          throw NASError.invalidConfig("genotype edge \(edge): op '\(op.name)' is not in the space (ops: \(ops.map(\.name).joined(separator: ", ")))")
        }
        g.cells[i].ops[edge] = def
      }
    }
    return g
  }
}

// MARK: - Search stage

/// Which supernet to build.
public enum SearchStage: String, Codable, Sendable {
  /// Mixed edges (all candidate ops, gumbel-softmax over edge alphas), fixed widths.
  case micro
  /// One op per edge (a genotype), every full conv masked over the channel choices.
  case channel
  /// The final network: one op per edge, fixed widths, no alphas.
  case final
}
