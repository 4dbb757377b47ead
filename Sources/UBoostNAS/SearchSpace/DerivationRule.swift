import Foundation
import UBoostTensor

// MARK: - Rules that turn alphas into a genotype

/// How a micro supernet's edge alphas become a genotype (`derive(net, rule: ...)` in scripts).
/// The default, `net.genotype`, is `.argmax(exclude: [], maxIdentity: net.maxIdentityEdges)`.
///
/// ```swift
/// let dartsCell = try net.genotype(rule: .topK(2, exclude: ["zero"]))   // DARTS' rule
/// ```
public enum DerivationRule: Equatable, Sendable {
  /// Every edge takes its largest alpha among the ops not excluded (by name; a `zero` choice
  /// leaves the edge out); at most `maxIdentity` identity edges per cell (P-DARTS' cap); dead
  /// edges pruned.
  case argmax(exclude: Set<String>, maxIdentity: Int?)
  /// DARTS' rule (Liu et al., ICLR 2019): each node keeps the `k` incoming edges whose best
  /// non-excluded op has the largest softmax weight on its edge, each with that op; the other
  /// edges are left out; dead edges pruned.
  case topK(Int, exclude: Set<String>)
}

/// One alpha set as a derivation rule sees it: the edges (rows) and ops (columns) of a cell.
public struct AlphaTable: Sendable {
  public var edges: [CellEdge]
  public var ops: [CandidateOp]
  /// Raw alphas, `values[e][k]` for edge e and op k.
  public var values: [[Float]]
  /// Softmax of each edge's alphas.
  public var weights: [[Float]] {
    values.map { row in
      let m = row.max() ?? 0
      let e = row.map { Foundation.exp($0 - m) }
      let z = e.reduce(0, +)
      return e.map { $0 / z }
    }
  }
}

extension Supernet {
  /// The alpha sets of a micro supernet as tables (one when the alphas are shared).
  public var alphaTables: [AlphaTable] {
    edgeAlphas.map { set in AlphaTable(edges: edgeList, ops: space.ops, values: set.map(\.data)) }
  }

  /// The name a cell of alpha set `s` is reported under (as in `net.genotype`'s errors).
  public func alphaSetName(_ s: Int) -> String {
    edgeAlphas.count == 1 ? "shared cell (midstage1)" : "midstage\(s + 1)"
  }

  /// The genotype `rule` derives from the micro alphas. `.argmax(exclude: [], maxIdentity:
  /// maxIdentityEdges)` gives exactly `genotype`.
  public func genotype(rule: DerivationRule) throws -> Genotype {
    guard stage == .micro else {
      throw NASError.invalidConfig("a derivation rule applies to micro supernets; the \(stage.rawValue) stage's ops are fixed by its genotype")
    }
    var cells: [CellGenotype] = []
    for (s, table) in alphaTables.enumerated() {
      var c = CellGenotype(ops: try Supernet.choose(table, rule: rule, nodes: space.nodes))
      try c.prune(nodes: space.nodes, cellName: alphaSetName(s))
      cells.append(c)
    }
    return Genotype(cells: cells)
  }

  /// The op per edge a rule chooses in one table (edges left out are absent).
  static func choose(_ t: AlphaTable, rule: DerivationRule, nodes: Int) throws -> [String: CandidateOp] {
    let exclude: Set<String>
    switch rule {
    case .argmax(let x, _), .topK(_, let x): exclude = x
    }
    // An excluded name must be an op of the space or a built-in (a typo is an error, not a no-op).
    for name in exclude.sorted() where !t.ops.contains(where: { $0.name == name }) && CandidateOp.parse(name) == nil {
      throw NASError.invalidConfig("the rule excludes '\(name)', which is not an op (ops: \(t.ops.map(\.name).joined(separator: ", ")))")
    }
    let allowed = t.ops.indices.filter { !exclude.contains(t.ops[$0].name) }
    guard !allowed.isEmpty else {
      throw NASError.invalidConfig("the rule excludes every candidate op (\(t.ops.map(\.rawValue).joined(separator: ", ")))")
    }
    // The best allowed op of every edge (ties: the earlier op, as argmax).
    let best: [Int] = t.values.map { row in
      var b = allowed[0]
      for k in allowed where row[k] > row[b] { b = k }
      return b
    }
    var ops: [String: CandidateOp] = [:]
    switch rule {
    case .argmax(_, let cap):
      var choice = best
      if let cap = cap { choice = capIdentity(choice, alphas: t.values, ops: t.ops, cap: cap) }
      for (e, k) in zip(t.edges, choice) where !t.ops[k].isZero { ops[e.name] = t.ops[k] }
    case .topK(let k, _):
      guard k >= 1 else { throw NASError.invalidConfig("top_k needs k >= 1, got \(k)") }
      let w = t.weights
      for node in 1...max(nodes, 1) {
        let incoming = t.edges.indices.filter { t.edges[$0].to == node }
        let ranked = incoming.sorted { (w[$0][best[$0]], -$0) > (w[$1][best[$1]], -$1) }
        for e in ranked.prefix(k) where !t.ops[best[e]].isZero { ops[t.edges[e].name] = t.ops[best[e]] }
      }
    }
    return ops
  }
}
