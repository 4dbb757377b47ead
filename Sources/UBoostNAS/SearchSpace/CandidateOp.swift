// MARK: - Candidate operations

/// One candidate operation of an edge (method.md §4). Every conv is followed by BN and ReLU;
/// separable = depthwise k×k + BN + ReLU, then pointwise 1×1 + BN + ReLU; dilated = dilation 2.
///
/// ```swift
/// let ops: [CandidateOp] = [.conv3x3, .sep3x3, .identity, .zero]
/// print(ops.map(\.referenceName))   // ["conv2d_3x3", "dw_3x3", "identity", "zero"]
/// ```
public enum CandidateOp: String, CaseIterable, Codable, Sendable {
  case conv3x3, conv5x5, sep3x3, sep5x5, dil3x3, dil5x5, identity, zero

  /// Kernel size (1 for identity / zero).
  public var kernel: Int {
    switch self {
    case .conv3x3, .sep3x3, .dil3x3: return 3
    case .conv5x5, .sep5x5, .dil5x5: return 5
    case .identity, .zero: return 1
    }
  }

  /// Dilation of the spatial conv.
  public var dilation: Int {
    switch self {
    case .dil3x3, .dil5x5: return 2
    case .conv3x3, .conv5x5, .sep3x3, .sep5x5, .identity, .zero: return 1
    }
  }

  /// True for ops that carry weights and a hardware cost.
  public var hasWeights: Bool {
    switch self {
    case .identity, .zero: return false
    case .conv3x3, .conv5x5, .sep3x3, .sep5x5, .dil3x3, .dil5x5: return true
    }
  }

  /// True for the separable (depthwise + pointwise) ops.
  public var isSeparable: Bool {
    switch self {
    case .sep3x3, .sep5x5: return true
    case .conv3x3, .conv5x5, .dil3x3, .dil5x5, .identity, .zero: return false
    }
  }

  /// The name the reference implementation uses (golden files, arch states).
  public var referenceName: String {
    switch self {
    case .conv3x3: return "conv2d_3x3"
    case .conv5x5: return "conv2d_5x5"
    case .sep3x3: return "dw_3x3"
    case .sep5x5: return "dw_5x5"
    case .dil3x3: return "dil_3x3"
    case .dil5x5: return "dil_5x5"
    case .identity: return "identity"
    case .zero: return "zero"
    }
  }

  /// Parses our name (`conv3x3`) or the reference name (`conv2d_3x3`).
  public static func parse(_ s: String) -> CandidateOp? {
    if let op = CandidateOp(rawValue: s) { return op }
    return CandidateOp.allCases.first { $0.referenceName == s }
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
