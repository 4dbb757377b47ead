// MARK: - Memory stalls under a user-set bandwidth (estimate)

/// A bandwidth-bound estimate of SCALE-Sim's stall cycles under `InterfaceBandwidth: USER`.
///
/// SCALE-Sim 3.0.0 replays every SRAM request through double-buffered read buffers (half active,
/// half prefetch) filled from DRAM at `IfmapSRAMBankBandwidth` / `FilterSRAMBankBandwidth` words per
/// cycle and a write buffer drained at `Bandwidth` words per cycle. This estimate charges, per
/// operand, the DRAM words it must move (each operand once if it fits its buffer, else once per pass
/// of the other operand's folds) at that bandwidth, and stalls by the amount the slowest stream
/// exceeds the compute cycles. It is not SCALE-Sim's replay; docs/fidelity.md gives its error.
/// ```swift
/// let stall = ScaleSimMemory(config: cfg).stallCycles(layer)
/// ```
public struct ScaleSimMemory: Sendable {
  public var config: ScaleSimConfig

  public init(config: ScaleSimConfig) { self.config = config }

  /// Estimated stall cycles of one topology row (`.split`: of each of its per-channel layers).
  public func stallCycles(_ layer: ScaleSimLayer, depthwise: DepthwiseMode = .split) -> Double {
    var g = layer.gemm
    if g.groups > 1 && depthwise == .split { g.groups = 1 } else if g.groups > 1 { g = DataflowGemm(m: g.m, k: g.k * g.groups, n: g.n * g.groups) }
    let r = Double(config.rows), c = Double(config.cols), df = config.dataflow
    let compute = df.folds(g, rows: r, cols: c).reduce(0) { $0 + $1.count * df.foldCycles(t: $1.t, rows: r, cols: c) }
    let ifmapWords = Double(layer.ifmapH) * Double(layer.ifmapW) * Double(layer.isDepthwise && depthwise == .split ? 1 : layer.channels)
    let filterWords = g.k * g.n
    let ofmapWords = g.m * g.n
    let ifBuf = Double(config.ifmapSRAMkB) * 1024 / 2, fBuf = Double(config.filterSRAMkB) * 1024 / 2
    let (sr, sc, _) = df.spatioTemporal(m: g.m, k: g.k, n: g.n)
    let rowFolds = (sr / r).rounded(.up), colFolds = (sc / c).rounded(.up)
    // Re-fetch factor of an operand that does not fit its active buffer: once per pass over the other dimension.
    let ifPasses: Double, fPasses: Double
    switch df {
    case .outputStationary: (ifPasses, fPasses) = (colFolds, rowFolds)
    case .weightStationary: (ifPasses, fPasses) = (colFolds, 1)
    case .inputStationary: (ifPasses, fPasses) = (1, colFolds)
    }
    let ifTraffic = ifmapWords <= ifBuf ? ifmapWords : ifmapWords * ifPasses
    let fTraffic = filterWords <= fBuf ? filterWords : filterWords * fPasses
    let tIf = ifTraffic / Double(config.ifmapReadBandwidth)
    let tF = fTraffic / Double(config.filterReadBandwidth)
    let tOut = ofmapWords / Double(config.bandwidth.first ?? 10)
    return max(0, (max(tIf, tF, tOut) - compute).rounded())
  }
}
