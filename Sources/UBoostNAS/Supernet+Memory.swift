import UBoostTensor

// MARK: - Memory needed by a supernet, before building it

extension Supernet {
  /// An upper bound of the Float32 values a network of `space` at `stage` allocates for its
  /// parameters (conv weights, biases, batch-norm affine and running statistics, classifier),
  /// computed from the configuration alone. `init` compares it with `MemoryBudget` before the
  /// first weight is allocated, so `supernet(cell_space(), stem: 2000, ...)` throws how much it
  /// would need instead of failing to allocate half-way.
  ///
  /// ```swift
  /// let n = Supernet.estimatedValueCount(space: space, stage: .micro)   // ~ weightCount + BN stats
  /// ```
  public static func estimatedValueCount(space: SearchSpaceConfig, stage: SearchStage, genotype: Genotype? = nil) -> Double {
    /// One conv unit: weight, bias, BN weight, bias, running mean and variance.
    func unit(_ cin: Double, _ cout: Double, _ k: Int, depthwise: Bool = false) -> Double {
      cout * (depthwise ? 1 : cin) * Double(k * k) + 5 * cout
    }
    func op(_ o: CandidateOp, _ cin: Double, _ cout: Double) -> Double {
      // A pool stage holds no values; the convs in a sum's branches do.
      o.convStages(cin: Int(cin), cout: Int(cout)).reduce(0.0) { total, s in
        total + unit(Double(s.cin), Double(s.cout), s.op.kernel, depthwise: s.op.kind == .depthwise)
      }
    }
    let stacks = stage == .micro ? space.microStacks : space.channelStacks
    let stem = Double(space.stemChannels)
    let w: Double
    switch stage {
    case .micro: w = Double(space.microCellWidth)
    case .channel: w = Double(space.channels.maxWidth)
    case .final: w = Double(max(space.microCellWidth, genotype?.cells.flatMap { $0.widths.values }.max() ?? 0))
    }
    var total = unit(Double(space.input.channels), stem, 3)
    var prev = max(stem, w)
    for (i, _) in stacks.enumerated() {
      total += Double([0, -1].filter(space.hasPreConv).count) * unit(prev, w, 3)
      let edges = stage == .micro ? space.edges : (genotype?.cell(i, of: stacks.count)?.liveEdges(nodes: space.nodes) ?? space.edges)
      for e in edges {
        switch stage {
        case .micro: total += space.ops.reduce(0) { $0 + op($1, w, w) }
        case .channel, .final:
          total += op(genotype?.cell(i, of: stacks.count)?.op(e) ?? .conv5x5, w, w)
          if stage == .final { total += unit(w, w, 1) }   // a lift conv at most
        }
      }
      prev = w
    }
    let pixels = space.classifier == .globalPool ? 1 : Double(space.input.height * space.input.width) / 4
    total += Double(space.classes) * (prev * pixels + 1)
    // Alphas: one per op and edge per set (micro), per width (channel).
    total += Double(stacks.count * space.edges.count * max(space.ops.count, space.channels.widths.count))
    return total
  }

  /// Throws `TensorError.outOfMemory` when the network's parameters would not fit in memory.
  static func checkMemory(space: SearchSpaceConfig, stage: SearchStage, genotype: Genotype?) throws {
    let bytes = estimatedValueCount(space: space, stage: stage, genotype: genotype) * 4
    let requested = bytes >= Double(Int.max) ? Int.max : Int(bytes)
    try MemoryBudget.check(bytes: requested, op: "supernet",
                           what: "a \(stage.rawValue) network of about \(Int(min(bytes / 4, 9e18)).formatted()) parameters")
  }
}
