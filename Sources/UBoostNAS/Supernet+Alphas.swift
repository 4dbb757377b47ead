import UBoostTensor

// MARK: - The architecture parameters as a table

extension Supernet {
  /// A name for every tensor of `alphas`, in order: the edge (`xp_t1`) when the micro alphas are
  /// shared, `midstageN/edge` when each cell has its own, the searched conv (`midstageN/xp_pre`,
  /// `midstageN/xp_t1`) in the channel stage.
  public var alphaNames: [String] {
    switch stage {
    case .micro:
      if edgeAlphas.count <= 1 { return edgeList.map(\.name) }
      return edgeAlphas.indices.flatMap { s in edgeList.map { "midstage\(s + 1)/\($0.name)" } }
    case .channel: return channelSearches.map(\.name)
    case .final: return []
    }
  }

  /// What the columns of the alphas stand for: the candidate ops (micro) or the width
  /// choices (channel); empty for a final network.
  public var alphaColumnNames: [String] {
    switch stage {
    case .micro: return space.ops.map(\.rawValue)
    case .channel: return space.channels.widths.map(String.init)
    case .final: return []
    }
  }

  /// The micro alphas grouped by alpha set (one set when shared, else one per cell).
  public var edgeAlphaSets: [[Tensor]] { edgeAlphas }
}
