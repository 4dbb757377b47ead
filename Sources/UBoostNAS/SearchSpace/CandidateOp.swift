import UBoostTensor

// MARK: - Candidate operations

/// One stage of a candidate op: a k x k convolution (full or depthwise), then BN and ReLU; or a
/// k x k pooling window (max or average, stride 1, same-size padding) without weights, BN or ReLU.
///
/// ```swift
/// let expand = OpStage(kind: .conv, kernel: 1, expand: 3)   // 1x1 conv to 3x the op's input width
/// let dw = OpStage(kind: .depthwise, kernel: 3)              // keeps the width
/// let pool = OpStage(kind: .maxPool, kernel: 3)              // DARTS' max_pool_3x3: keeps the width, no weights
/// ```
public struct OpStage: Hashable, Codable, Sendable {
  /// A stage's operation. Files spell it `conv`, `depthwise`, `maxPool` or `avgPool`.
  public enum Kind: String, Codable, Sendable { case conv, depthwise, maxPool, avgPool }
  public var kind: Kind
  public var kernel: Int
  public var dilation: Int
  /// A full conv's output width as a multiple of the op's input width; nil: the op's output
  /// width (and that conv is the one a channel search masks, when it is the op's last full conv).
  public var expand: Int?

  public init(kind: Kind, kernel: Int, dilation: Int = 1, expand: Int? = nil) {
    self.kind = kind; self.kernel = kernel; self.dilation = dilation; self.expand = expand
  }

  /// True for a pooling stage (no weights, no cost, keeps the width).
  public var isPool: Bool { poolMode != nil }

  /// The pooling a pool stage does; nil for a conv stage.
  public var poolMode: PoolMode? {
    switch kind {
    case .maxPool: return .max
    case .avgPool: return .avg
    case .conv, .depthwise: return nil
    }
  }

  /// Largest kernel, dilation and expansion a stage may have.
  public static let maxKernel = 15, maxDilation = 8, maxExpand = 16

  /// Checks the stage's numbers (`what` names the op in the message).
  public func validate(_ what: String) throws {
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

  /// True for ops that carry weights and a hardware cost (a conv stage); false for identity,
  /// zero and ops made only of pooling stages.
  public var hasWeights: Bool { stages.contains { !$0.isPool } }

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
  /// or pool stage keeps its width, an inner full conv makes `expand * cin`, the output conv `cout`.
  public func stageWidths(cin: Int, cout: Int) -> [(cin: Int, cout: Int)] {
    var w = cin
    return stages.enumerated().map { i, st in
      let wIn = w
      if st.kind == .conv { w = i == outputStage ? cout : (st.expand ?? 1) * cin }
      return (wIn, w)
    }
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
