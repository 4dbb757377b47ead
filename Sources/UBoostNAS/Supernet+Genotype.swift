import Foundation
import UBoostTensor

// MARK: - Deriving the architecture

extension Supernet {
  /// The architecture the alphas currently choose: argmax of each edge's alphas (micro) with dead
  /// edges pruned, or the source genotype's ops with the argmax width of every channel search
  /// (channel). In the micro stage at most `maxIdentityEdges` edges per cell keep `identity`
  /// (P-DARTS' cap). Throws `NASError.emptyCell` when a cell has no live path.
  public var genotype: Genotype {
    get throws { try derivedGenotype(cap: maxIdentityEdges) }
  }

  /// The plain argmax genotype, ignoring `maxIdentityEdges` (what the alphas alone say).
  public var argmaxGenotype: Genotype {
    get throws { try derivedGenotype(cap: nil) }
  }

  /// P-DARTS' rule (Chen et al., ICCV 2019): when more than `cap` edges of a cell choose
  /// identity, the `cap` with the largest identity alpha keep it and each other edge takes its
  /// best op with weights. Returns the op index per edge.
  static func capIdentity(_ choice: [Int], alphas: [[Float]], ops: [CandidateOp], cap: Int) -> [Int] {
    guard let id = ops.firstIndex(of: .identity) else { return choice }
    let idEdges = choice.indices.filter { choice[$0] == id }
    guard idEdges.count > cap else { return choice }
    // Keep the strongest identities (ties: the earlier edge).
    let keep = Set(idEdges.sorted { (alphas[$0][id], -$0) > (alphas[$1][id], -$1) }.prefix(max(cap, 0)))
    var out = choice
    for e in idEdges where !keep.contains(e) {
      var best: Int? = nil
      for (k, op) in ops.enumerated() where op.hasWeights {
        if best == nil || alphas[e][k] > alphas[e][best!] { best = k }
      }
      out[e] = best ?? choice[e]
    }
    return out
  }

  func derivedGenotype(cap: Int?) throws -> Genotype {
    switch stage {
    case .micro:
      let sets = edgeAlphas.count
      var cellsOut: [CellGenotype] = []
      for s in 0..<sets {
        var choice: [Int] = []
        for a in edgeAlphas[s] {
          var best = 0
          for k in 0..<a.count where a.data[k] > a.data[best] { best = k }
          choice.append(best)
        }
        if let cap = cap { choice = Supernet.capIdentity(choice, alphas: edgeAlphas[s].map(\.data), ops: space.ops, cap: cap) }
        var ops: [String: CandidateOp] = [:]
        for (e, best) in zip(edgeList, choice) {
          ops[e.name] = space.ops.indices.contains(best) ? space.ops[best] : .zero
        }
        var c = CellGenotype(ops: ops)
        try c.prune(nodes: space.nodes, cellName: sets == 1 ? "shared cell (midstage1)" : "midstage\(s + 1)")
        cellsOut.append(c)
      }
      return Genotype(cells: cellsOut)
    case .channel, .final:
      var out: [CellGenotype] = []
      for cell in cells {
        var ops: [String: CandidateOp] = [:]
        var widths: [String: Int] = [:]
        for e in cell.edges {
          guard let op = e.ops.first else { continue }
          ops[e.edge.name] = op.op
          if let last = op.outputUnit {
            widths[e.edge.name] = last.search?.chosenWidth ?? last.cout
          }
        }
        if let p = cell.preXp { widths["xp_pre"] = p.search?.chosenWidth ?? p.cout }
        if let p = cell.preXpp { widths["xpp_pre"] = p.search?.chosenWidth ?? p.cout }
        var g = CellGenotype(ops: ops, widths: widths)
        try g.prune(nodes: space.nodes, cellName: cell.name)
        out.append(g)
      }
      return Genotype(cells: out)
    }
  }

  /// Chosen widths of every searched conv, keyed `midstageN/conv` (channel stage).
  public var chosenWidths: [String: Int] {
    var d: [String: Int] = [:]
    for s in channelSearches { d[s.name] = s.chosenWidth }
    return d
  }

  /// Soft (expected) widths sum_j softmax(alpha/tau)_j * width_j of every searched conv.
  public var softWidths: [String: Double] {
    var d: [String: Double] = [:]
    for s in channelSearches {
      let a = s.alpha.data.map { Double($0) / Double(max(tau, 1e-6)) }
      let m = a.max() ?? 0
      let e = a.map { Foundation.exp($0 - m) }
      let z = e.reduce(0, +)
      d[s.name] = zip(e, s.widths).reduce(0) { $0 + $1.0 / z * Double($1.1) }
    }
    return d
  }
}
