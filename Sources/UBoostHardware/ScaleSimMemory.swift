// MARK: - Memory stalls under a user-set bandwidth (estimate)

/// A bandwidth-bound estimate of SCALE-Sim's stall cycles under `InterfaceBandwidth: USER`.
///
/// SCALE-Sim 3.0.0 replays every SRAM request through double-buffered read buffers (half active,
/// half prefetch) that fetch the operand's prefetch matrix (for the streamed operand the im2col
/// matrix, duplicates included) from DRAM at `IfmapSRAMBankBandwidth` / `FilterSRAMBankBandwidth`
/// words per cycle, and a write buffer drained at `Bandwidth` words per cycle. This estimate charges
/// each operand's fetch stream once per sweep the demand makes over it (an operand that fits the active
/// half is fetched before the layer starts and never again); a DRAM-bound layer then takes twice the
/// slowest stream's time (what SCALE-Sim 3.0.0's os and 1x1 totals show: its prefetch window wraps
/// the buffer ring about twice per sweep there), and
/// the stall is what exceeds the compute cycles. It tracks SCALE-Sim where the demand follows the fetch
/// order (os; 1x1 layers) and misses the refetch thrashing of ws/is layers whose folds straddle the
/// buffer windows. It is not SCALE-Sim's request replay; docs/fidelity.md gives
/// its error.
/// ```swift
/// let stall = ScaleSimMemory(config: cfg).stallCycles(layer)
/// ```
public struct ScaleSimMemory: Sendable {
  public var config: ScaleSimConfig

  public init(config: ScaleSimConfig) { self.config = config }

  /// Estimated stall cycles of one topology row (`.split`: of each of its per-channel layers).
  public func stallCycles(_ layer: ScaleSimLayer, depthwise: DepthwiseMode = .split) -> Double {
    var g = layer.gemm
    if g.groups > 1 {
      g = depthwise == .split ? DataflowGemm(m: g.m, k: g.k, n: g.n) : DataflowGemm(m: g.m, k: g.k * g.groups, n: g.n * g.groups)
    }
    let r = Double(config.rows), c = Double(config.cols), df = config.dataflow
    let compute = df.folds(g, rows: r, cols: c).reduce(0) { $0 + $1.count * df.foldCycles(t: $1.t, rows: r, cols: c) }
    let (sr, sc, _) = df.spatioTemporal(m: g.m, k: g.k, n: g.n)
    let rowFolds = (sr / r).rounded(.up), colFolds = (sc / c).rounded(.up)
    // Words of each operand's prefetch matrix and how many times the demand sweeps over it.
    let ifWords = g.m * g.k, fWords = g.k * g.n
    let ifActive = Double(config.ifmapSRAMkB) * 512, fActive = Double(config.filterSRAMkB) * 512
    let ifSweeps: Double, fSweeps: Double
    switch df {
    case .weightStationary: (ifSweeps, fSweeps) = (colFolds, 1)
    case .outputStationary: (ifSweeps, fSweeps) = (colFolds, g.k * c <= fActive ? 1 : rowFolds)
    case .inputStationary: (ifSweeps, fSweeps) = (1, colFolds)
    }
    func stream(_ words: Double, _ sweeps: Double, _ active: Double, _ bw: Int) -> Double {
      words <= active ? 0 : words * sweeps / Double(bw)
    }
    let tIf = stream(ifWords, ifSweeps, ifActive, config.ifmapReadBandwidth)
    let tF = stream(fWords, fSweeps, fActive, config.filterReadBandwidth)
    let oActive = Double(config.ofmapSRAMkB) * 1024
    let tOut = g.m * g.n <= oActive ? 0 : g.m * g.n / Double(config.bandwidth.first ?? 10)
    _ = rowFolds
    // A DRAM-bound layer takes about twice its fetch time in SCALE-Sim (os and 1x1 layers, docs/fidelity.md).
    return max(0, (2 * max(tIf, tF, tOut) - compute).rounded())
  }
}
