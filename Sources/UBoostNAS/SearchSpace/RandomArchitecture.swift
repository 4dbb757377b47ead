import UBoostTensor

// MARK: - Random architectures (the baseline every search must beat)

/// Uniformly drawn architectures of a search space: the "random" row of a NAS comparison.
///
/// ```swift
/// let g = try RandomArchitecture.sample(space: space, like: searched, widths: true, seed: 3, maxIdentity: 2)
/// let net = try Supernet(space: space, stage: .final, genotype: g, seed: 3)
/// ```
public enum RandomArchitecture {
  /// One genotype per cell of `like` (so shared and per-cell genotypes stay so): every edge an op
  /// drawn uniformly from the space's ops other than `zero` (at most `maxIdentity` identities per
  /// cell, the others redrawn among the ops with weights); with `widths`, every conv of the
  /// derived network a width drawn uniformly from the channel choices.
  public static func sample(space: SearchSpaceConfig, like: Genotype, widths: Bool, seed: UInt64, maxIdentity: Int?) throws -> Genotype {
    var rng = RandomSource(seed: seed)
    let ops = space.ops.filter { $0 != .zero }
    let weighted = ops.filter(\.hasWeights)
    guard !ops.isEmpty else { throw NASError.invalidConfig("the space has no op besides zero to draw from") }
    let choices = space.channels.widths
    var cells: [CellGenotype] = []
    for _ in 0..<max(like.cells.count, 1) {
      var g = CellGenotype(ops: [:])
      var identities = 0
      for e in space.edges {
        var op = ops[rng.int(below: ops.count)]
        if op == .identity, let cap = maxIdentity, identities >= cap, !weighted.isEmpty {
          op = weighted[rng.int(below: weighted.count)]
        }
        if op == .identity { identities += 1 }
        g.ops[e.name] = op
        if widths && op.hasOutputConv { g.widths[e.name] = choices[rng.int(below: choices.count)] }
      }
      if widths {
        g.widths["xp_pre"] = choices[rng.int(below: choices.count)]
        g.widths["xpp_pre"] = choices[rng.int(below: choices.count)]
      }
      cells.append(g)
    }
    return Genotype(cells: cells)
  }
}
