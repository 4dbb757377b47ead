import UBoostTensor

// MARK: - Candidate operations

/// One stage of a candidate op: a k x k convolution (full or depthwise), then BN and ReLU; a
/// k x k pooling window (max or average, stride 1, same-size padding) without weights, BN or ReLU;
/// or a sum of branches, each a list of conv and pool stages run on the sum's input, whose
/// outputs are added (an empty branch is the identity).
///
/// ```swift
/// let expand = OpStage(kind: .conv, kernel: 1, expand: 3)   // 1x1 conv to 3x the op's input width
/// let dw = OpStage(kind: .depthwise, kernel: 3)              // keeps the width
/// let pool = OpStage(kind: .maxPool, kernel: 3)              // DARTS' max_pool_3x3: keeps the width, no weights
/// let ghost = OpStage.sum([[], [OpStage(kind: .depthwise, kernel: 3)]])   // x + dw3x3(x): keeps the width
/// ```
public struct OpStage: Hashable, Codable, Sendable {
  /// A stage's operation. Files spell it `conv`, `depthwise`, `maxPool`, `avgPool` or `sum`.
  public enum Kind: String, Codable, Sendable { case conv, depthwise, maxPool, avgPool, sum }
  public var kind: Kind
  /// The window of a conv or pool stage (1 for a sum stage).
  public var kernel: Int
  public var dilation: Int
  /// A full conv's output width as a multiple of the op's input width (inside a sum's branch: of
  /// the sum's input width); nil: the op's output width (and that conv is the one a channel
  /// search masks, when it is the op's last full conv; inside a branch: the sum's width).
  public var expand: Int?
  /// A sum stage's branches, each a list of conv and pool stages mapping the sum's input width to
  /// itself (`[]`: the identity); empty for every other kind of stage.
  public var branches: [[OpStage]]

  public init(kind: Kind, kernel: Int, dilation: Int = 1, expand: Int? = nil, branches: [[OpStage]] = []) {
    self.kind = kind; self.kernel = kernel; self.dilation = dilation; self.expand = expand; self.branches = branches
  }

  /// A sum stage: runs every branch on the stage's input and adds their outputs.
  ///
  /// ```swift
  /// let incep = OpStage.sum([[OpStage(kind: .conv, kernel: 1)], [OpStage(kind: .avgPool, kernel: 3)]])
  /// ```
  public static func sum(_ branches: [[OpStage]]) -> OpStage {
    OpStage(kind: .sum, kernel: 1, branches: branches)
  }

  /// True for a pooling stage (no weights, no cost, keeps the width).
  public var isPool: Bool { poolMode != nil }

  /// True for a sum of branches (keeps the width).
  public var isSum: Bool { kind == .sum }

  /// True for a stage that holds weights: a conv, or a sum with a conv in one of its branches.
  public var hasWeights: Bool {
    switch kind {
    case .conv, .depthwise: return true
    case .maxPool, .avgPool: return false
    case .sum: return branches.contains { $0.contains(where: \.hasWeights) }
    }
  }

  /// The number of stages this one stands for: 1, or for a sum 1 plus its branches' stages.
  public var stageCount: Int { 1 + branches.reduce(0) { $0 + $1.reduce(0) { $0 + $1.stageCount } } }

  /// The pooling a pool stage does; nil for a conv or sum stage.
  public var poolMode: PoolMode? {
    switch kind {
    case .maxPool: return .max
    case .avgPool: return .avg
    case .conv, .depthwise, .sum: return nil
    }
  }

  /// Largest kernel, dilation and expansion a stage may have.
  public static let maxKernel = 15, maxDilation = 8, maxExpand = 16
  /// Fewest and most branches of a sum, most stages in one branch.
  public static let minBranches = 2, maxBranches = 8, maxBranchStages = 8

  /// Each stage's input and output width in a sum's branch that reads `width` channels: a
  /// depthwise or pool stage keeps its width, a full conv with expand makes `expand * width`,
  /// one without `width`.
  public static func branchWidths(_ branch: [OpStage], width: Int) -> [(cin: Int, cout: Int)] {
    var w = width
    return branch.map { st in
      let wIn = w
      if st.kind == .conv { w = (st.expand ?? 1) * width }
      return (wIn, w)
    }
  }

  /// Checks the stage's numbers (`what` names the op and the stage in the message; a sum's
  /// branches are checked with `what, branch j, stage k`). Sums do not nest.
  public func validate(_ what: String) throws {
    if kind == .sum { return try validateSum(what) }
    guard branches.isEmpty else { throw NASError.invalidConfig("\(what): only a sum stage has branches") }
    guard kernel >= 1, kernel <= OpStage.maxKernel, kernel % 2 == 1 else {
      throw NASError.invalidConfig("\(what): kernel must be odd and in 1...\(OpStage.maxKernel) (same-size padding), got \(kernel)")
    }
    if isPool {
      guard dilation == 1 else { throw NASError.invalidConfig("\(what): a pool stage has no dilation") }
      guard expand == nil else { throw NASError.invalidConfig("\(what): a pool stage keeps its width (no expand)") }
      return
    }
    guard dilation >= 1, dilation <= OpStage.maxDilation else {
      throw NASError.invalidConfig("\(what): dilation must be in 1...\(OpStage.maxDilation), got \(dilation)")
    }
    if let e = expand {
      guard kind == .conv else { throw NASError.invalidConfig("\(what): a depthwise stage keeps its width (no expand)") }
      guard e >= 1, e <= OpStage.maxExpand else {
        throw NASError.invalidConfig("\(what): expand must be in 1...\(OpStage.maxExpand), got \(e)")
      }
    }
  }

  private func validateSum(_ what: String) throws {
    guard kernel == 1, dilation == 1, expand == nil else {
      throw NASError.invalidConfig("\(what): a sum stage has no kernel, dilation or expand of its own")
    }
    guard branches.count >= OpStage.minBranches, branches.count <= OpStage.maxBranches else {
      throw NASError.invalidConfig("\(what): a sum needs \(OpStage.minBranches) to \(OpStage.maxBranches) branches, got \(branches.count)")
    }
    for (j, branch) in branches.enumerated() {
      let at = "\(what), branch \(j + 1)"
      guard branch.count <= OpStage.maxBranchStages else {
        throw NASError.invalidConfig("\(at): at most \(OpStage.maxBranchStages) stages, got \(branch.count)")
      }
      for (k, st) in branch.enumerated() {
        guard st.kind != .sum else { throw NASError.invalidConfig("\(at), stage \(k + 1): a sum inside a sum is not supported") }
        try st.validate("\(at), stage \(k + 1)")
      }
      if let last = branch.last(where: { $0.kind == .conv }), last.expand != nil {
        throw NASError.invalidConfig("\(at): the last full conv must not have expand (a branch keeps the sum's width)")
      }
    }
  }

  /// Short names of a list of stages, unique within it: `dw`, `pw` (1x1), `conv`, `maxpool`,
  /// `avgpool`, numbered by position when a kind repeats (a separable op's are `dw` and `pw`); a
  /// sum is always `sumI` (`I` its position), its branch `j`'s stages are `sumI.bj.<name>`.
  static func names(_ stages: [OpStage]) -> [String] {
    let base = stages.enumerated().map { i, st -> String in
      switch st.kind {
      case .depthwise: return "dw"
      case .conv: return st.kernel == 1 ? "pw" : "conv"
      case .maxPool: return "maxpool"
      case .avgPool: return "avgpool"
      case .sum: return "sum\(i + 1)"
      }
    }
    return base.enumerated().map { i, b in base.filter { $0 == b }.count > 1 ? "\(b)\(i + 1)" : b }
  }

  /// The name of stage `stage` (its short name) of branch `branch` (0-based) of the sum named
  /// `sum`: `sum1.b2.dw`. The one spelling of a branch conv, for its unit and its costed layer.
  static func branchPath(_ sum: String, branch: Int, _ stage: String) -> String { "\(sum).b\(branch + 1).\(stage)" }

  // MARK: Codable: `branches` only for a sum (files without it decode)

  private enum Keys: String, CodingKey { case kind, kernel, dilation, expand, branches }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    kind = try c.decode(Kind.self, forKey: .kind)
    kernel = try c.decodeIfPresent(Int.self, forKey: .kernel) ?? 1
    dilation = try c.decodeIfPresent(Int.self, forKey: .dilation) ?? 1
    expand = try c.decodeIfPresent(Int.self, forKey: .expand)
    branches = try c.decodeIfPresent([[OpStage]].self, forKey: .branches) ?? []
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: Keys.self)
    try c.encode(kind, forKey: .kind)
    try c.encode(kernel, forKey: .kernel)
    try c.encode(dilation, forKey: .dilation)
    try c.encodeIfPresent(expand, forKey: .expand)
    if !branches.isEmpty { try c.encode(branches, forKey: .branches) }
  }
}

/// One candidate operation of an edge (method.md §4): a sequence of conv stages (each followed
/// by BN and ReLU) and pooling stages, optionally with a residual connection, or one of the
/// parameter-free `identity` and `zero`. The paper's eight ops are entries of one table (`builtins`) of the
/// same kind as ops a script defines (`op("mbconv3", [...])`): separable = depthwise k×k, then
/// pointwise 1×1; dilated = dilation 2.
///
/// ```swift
/// let ops: [CandidateOp] = [.conv3x3, .sep3x3, .identity, .zero]
/// print(ops.map(\.referenceName))   // ["conv2d_3x3", "dw_3x3", "identity", "zero"]
/// let mb = CandidateOp(name: "mbconv3", stages: [OpStage(kind: .conv, kernel: 1, expand: 3),
///                                                OpStage(kind: .depthwise, kernel: 3), OpStage(kind: .conv, kernel: 1)],
///                      residual: true)
/// ```
public struct CandidateOp: Hashable, Codable, Sendable, CustomStringConvertible {
  /// The op's name (genotypes, alpha tables, messages).
  public let name: String
  /// The conv and pool stages in order (empty for identity and zero).
  public let stages: [OpStage]
  /// Adds the op's input to its output (when the widths agree).
  public let residual: Bool
  /// True for `zero` (the op that outputs nothing).
  public let isZero: Bool
  /// The reference implementation's name of a built-in op.
  let reference: String?
  /// False for a name read from a genotype file that the space has not defined yet (see `SearchSpaceConfig.resolve`).
  public let isResolved: Bool

  /// A script-defined op (checked by `validate`).
  public init(name: String, stages: [OpStage], residual: Bool = false) {
    self.name = name; self.stages = stages; self.residual = residual; self.isZero = false
    self.reference = nil; self.isResolved = true
  }

  private init(builtin name: String, reference: String, stages: [OpStage], isZero: Bool = false) {
    self.name = name; self.stages = stages; self.residual = false; self.isZero = isZero
    self.reference = reference; self.isResolved = true
  }

  private init(unresolved name: String) {
    self.name = name; self.stages = []; self.residual = false; self.isZero = false
    self.reference = nil; self.isResolved = false
  }

  // MARK: The built-in table

  public static let conv3x3 = CandidateOp(builtin: "conv3x3", reference: "conv2d_3x3", stages: [OpStage(kind: .conv, kernel: 3)])
  public static let conv5x5 = CandidateOp(builtin: "conv5x5", reference: "conv2d_5x5", stages: [OpStage(kind: .conv, kernel: 5)])
  public static let sep3x3 = CandidateOp(builtin: "sep3x3", reference: "dw_3x3",
                                         stages: [OpStage(kind: .depthwise, kernel: 3), OpStage(kind: .conv, kernel: 1)])
  public static let sep5x5 = CandidateOp(builtin: "sep5x5", reference: "dw_5x5",
                                         stages: [OpStage(kind: .depthwise, kernel: 5), OpStage(kind: .conv, kernel: 1)])
  public static let dil3x3 = CandidateOp(builtin: "dil3x3", reference: "dil_3x3", stages: [OpStage(kind: .conv, kernel: 3, dilation: 2)])
  public static let dil5x5 = CandidateOp(builtin: "dil5x5", reference: "dil_5x5", stages: [OpStage(kind: .conv, kernel: 5, dilation: 2)])
  public static let identity = CandidateOp(builtin: "identity", reference: "identity", stages: [])
  public static let zero = CandidateOp(builtin: "zero", reference: "zero", stages: [], isZero: true)

  /// The paper's eight ops, in the reference's alpha order.
  public static let builtins: [CandidateOp] = [.conv3x3, .conv5x5, .sep3x3, .sep5x5, .dil3x3, .dil5x5, .identity, .zero]
  /// The paper's eight ops (the default op list).
  public static var allCases: [CandidateOp] { builtins }

  // MARK: Properties

  /// The op's name (as genotypes spell it).
  public var rawValue: String { name }
  public var description: String { name }

  /// The built-in op of that name, or nil.
  public init?(rawValue: String) {
    guard let op = CandidateOp.builtins.first(where: { $0.name == rawValue }) else { return nil }
    self = op
  }

  /// True for the paper's eight ops.
  public var isBuiltin: Bool { reference != nil }

  /// Kernel size of the first spatial stage (1 for identity / zero).
  public var kernel: Int { stages.first(where: { $0.kernel > 1 })?.kernel ?? stages.first?.kernel ?? 1 }

  /// Dilation of the first spatial stage.
  public var dilation: Int { stages.first(where: { $0.kernel > 1 })?.dilation ?? 1 }

  /// True for ops that carry weights and a hardware cost (a conv stage, also inside a sum's
  /// branch); false for identity, zero and ops made only of pooling stages and such sums.
  public var hasWeights: Bool { stages.contains(where: \.hasWeights) }

  /// True for ops whose output width is their own (a full conv sets it; genotypes give it a
  /// width); false for identity, zero and ops of depthwise and pool stages only, which keep
  /// their input width.
  public var hasOutputConv: Bool { outputStage != nil }

  /// True for the separable (depthwise + pointwise) ops.
  public var isSeparable: Bool { stages.count == 2 && stages[0].kind == .depthwise && stages[1].kind == .conv && stages[1].kernel == 1 }

  /// The name the reference implementation uses (golden files, arch states); a script op's own name.
  public var referenceName: String { reference ?? name }

  /// Index of the stage whose output width is the op's output width (the channel search masks
  /// it): the last full conv without `expand`; nil for an op without one (then the op keeps its
  /// input width, like identity or a depthwise-only op).
  public var outputStage: Int? { stages.lastIndex { $0.kind == .conv && $0.expand == nil } }

  /// Each stage's input and output width when the op maps `cin` to `cout` channels: a depthwise
  /// pool or sum stage keeps its width, an inner full conv makes `expand * cin`, the output conv `cout`.
  public func stageWidths(cin: Int, cout: Int) -> [(cin: Int, cout: Int)] {
    var w = cin
    return stages.enumerated().map { i, st in
      let wIn = w
      if st.kind == .conv { w = i == outputStage ? cout : (st.expand ?? 1) * cin }
      return (wIn, w)
    }
  }

  /// Most stages an op may have in all, counting a sum and each stage of its branches.
  public static let maxTotalStages = 32

  /// Every conv of the op, sums' branches included, in order: the index of its top-level stage,
  /// its path among the op's stage names (`pw`, `sum1.b2.dw`, ...; the op's own name for the conv of a
  /// one-stage op is the caller's), the stage and its input and output width when the op maps `cin`
  /// to `cout` channels. Pool stages are absent (they have no weights and no cost).
  public func convStages(cin: Int, cout: Int) -> [(stage: Int, path: String, op: OpStage, cin: Int, cout: Int)] {
    var out: [(stage: Int, path: String, op: OpStage, cin: Int, cout: Int)] = []
    let names = OpStage.names(stages)
    for (i, (st, wd)) in zip(stages, stageWidths(cin: cin, cout: cout)).enumerated() {
      if st.isSum {
        for (j, branch) in st.branches.enumerated() {
          let bn = OpStage.names(branch)
          for (k, (bs, bw)) in zip(branch, OpStage.branchWidths(branch, width: wd.cin)).enumerated() where !bs.isPool && !bs.isSum {
            out.append((i, OpStage.branchPath(names[i], branch: j, bn[k]), bs, bw.cin, bw.cout))
          }
        }
      } else if !st.isPool {
        out.append((i, names[i], st, wd.cin, wd.cout))
      }
    }
    return out
  }

  /// Checks a script-defined op: a name, at least one stage, valid stages, no stage after the
  /// output conv that changes the width.
  public func validate() throws {
    let what = "op '\(name)'"
    guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
      throw NASError.invalidConfig("\(what): a name is 1-64 letters, digits or _")
    }
    guard !stages.isEmpty else { throw NASError.invalidConfig("\(what): needs at least one stage (identity and zero are built in)") }
    guard stages.count <= 8 else { throw NASError.invalidConfig("\(what): at most 8 stages, got \(stages.count)") }
    let total = stages.reduce(0) { $0 + $1.stageCount }
    guard total <= CandidateOp.maxTotalStages else {
      throw NASError.invalidConfig("\(what): at most \(CandidateOp.maxTotalStages) stages in all (sums and their branches' stages count), got \(total)")
    }
    for (i, st) in stages.enumerated() { try st.validate("\(what), stage \(i + 1)") }
    if let o = outputStage, stages[(o + 1)...].contains(where: { $0.kind == .conv }) {
      throw NASError.invalidConfig("\(what): a full conv with expand follows the output conv (stage \(o + 1)); the last full conv sets the op's width")
    }
    if outputStage == nil, stages.contains(where: { $0.kind == .conv }) {
      throw NASError.invalidConfig("\(what): the last full conv must not have expand (it sets the op's output width)")
    }
  }

  /// Parses our name (`conv3x3`) or the reference name (`conv2d_3x3`) of a built-in op.
  public static func parse(_ s: String) -> CandidateOp? {
    if let op = CandidateOp(rawValue: s) { return op }
    return CandidateOp.builtins.first { $0.referenceName == s }
  }

  /// The op `s` names among `ops` (a space's list, script ops included), or a built-in.
  public static func parse(_ s: String, in ops: [CandidateOp]) -> CandidateOp? {
    ops.first { $0.name == s || $0.referenceName == s } ?? parse(s)
  }

  // MARK: Codable: a built-in op is its name; a script op the object {name, stages, residual}

  private enum Keys: String, CodingKey { case name, stages, residual }

  public init(from decoder: Decoder) throws {
    if let c = try? decoder.singleValueContainer(), let s = try? c.decode(String.self) {
      // A name: a built-in, or a script op that the space defines (resolved later).
      self = CandidateOp.parse(s) ?? CandidateOp(unresolved: s)
      return
    }
    let c = try decoder.container(keyedBy: Keys.self)
    self.init(name: try c.decode(String.self, forKey: .name), stages: try c.decode([OpStage].self, forKey: .stages),
              residual: try c.decodeIfPresent(Bool.self, forKey: .residual) ?? false)
    do { try validate() } catch {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
    }
  }

  public func encode(to encoder: Encoder) throws {
    if isBuiltin || !isResolved {
      var c = encoder.singleValueContainer()
      try c.encode(name)
      return
    }
    var c = encoder.container(keyedBy: Keys.self)
    try c.encode(name, forKey: .name)
    try c.encode(stages, forKey: .stages)
    if residual { try c.encode(residual, forKey: .residual) }
  }
}

// MARK: - Edges of a cell

/// A directed edge of a cell: from an input (`xp`, `xpp`) or an earlier node to a node.
/// Nodes are numbered from 1 (`t1`, `t2`, ...); sources 0 and -1 stand for `xp` and `xpp`.
public struct CellEdge: Hashable, Codable, Sendable, CustomStringConvertible {
  /// Source: -1 = xpp, 0 = xp, k >= 1 = node t_k.
  public var from: Int
  /// Destination node (>= 1).
  public var to: Int

  public init(from: Int, to: Int) { self.from = from; self.to = to }

  /// Name of a source index: `xp`, `xpp` or `tK`.
  public static func sourceName(_ s: Int) -> String { s == 0 ? "xp" : s == -1 ? "xpp" : "t\(s)" }

  /// `xp_t1`, `t1_t3`, ... (the reference's block names).
  public var name: String { "\(CellEdge.sourceName(from))_t\(to)" }
  public var description: String { name }

  /// The edges of a cell with `nodes` nodes, in the reference order: xp->all, xpp->all, then
  /// t1->later, t2->later, ... (3 nodes: 9 edges).
  public static func all(nodes: Int) -> [CellEdge] {
    var e: [CellEdge] = []
    for t in 1...max(nodes, 1) { e.append(CellEdge(from: 0, to: t)) }
    for t in 1...max(nodes, 1) { e.append(CellEdge(from: -1, to: t)) }
    if nodes >= 2 {
      for s in 1..<nodes { for t in (s + 1)...nodes { e.append(CellEdge(from: s, to: t)) } }
    }
    return e
  }
}
