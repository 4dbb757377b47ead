// MARK: - Smooth analytic model with per-tile overheads

/// A smooth, differentiable closed form of the cycle-level simulator's timeline, usable in search:
///
///     tiles   = ceilS(K/R) * ceilS(N/C)          (depthwise: cin tiles of K = k1*k2 rows)
///     stream  = M + chunks * bubble              (M = B*H*W input rows, chunks of C rows)
///     step    = smax(stream, K/ceilS(K/R) + swap)          per further tile (weight shift-in hidden
///                                                          behind streaming when double-buffered)
///     first   = smin(K,R)*smin(N,C)*bytes/bw + smin(K,R)   (fetch and shift in the first tile)
///     last    = stream - lastChunk - bubble + tail          (`reference`: the csim's accounting)
///             | stream + drain                              (`corrected`: every chunk charged)
///     cycles  = smax(first + (tiles-1)*step + last, K*N*bytes/bw + swap + last)
///
/// `ceilS` is the corrected smooth ceiling; `smax`/`smin` are softplus blends. Free parameters (DRAM
/// bytes/cycle, tail) are the simulator's, calibrated on input sizes 2, 8, 32 only.
/// ```swift
/// let m = OverheadModel(config: HardwareConfig(batch: 1), compatibility: .reference)
/// let c = try m.cost(.conv(k: 3, cin: 64, cout: 64, out: 8))   // ~ the csim's 679 cycles
/// ```
public struct OverheadModel: CostModel {
  public var config: HardwareConfig
  public var compatibility: Compatibility
  /// Simulator constants the closed form mirrors.
  public var options: SimulatorOptions
  /// Temperature of the smooth tile-count ceiling.
  public var temperature: Double
  /// Softness (cycles) of the smooth max/min.
  public var softness: Double

  public init(config: HardwareConfig = HardwareConfig(), compatibility: Compatibility = .corrected,
              options: SimulatorOptions = .csim, temperature: Double = 64, softness: Double = 2) {
    self.config = config
    self.compatibility = compatibility
    self.options = options
    self.temperature = temperature
    self.softness = softness
  }

  public var name: String { "overhead" }

  public func cost(_ layer: LayerSpec) throws -> LayerCost {
    try config.validate()
    try options.validate()
    try layer.validate()
    for (n, v) in [("temperature", temperature), ("softness", softness)] where !(v > 0) || !v.isFinite {
      throw HardwareError.invalidParameter(name: n, value: String(v), reason: "must be > 0")
    }
    if layer.kind.isFree { return .free }
    var cycles = Dual2(0)
    var macs = 0.0, dm = (0.0, 0.0)
    for g in layer.gemms(batch: config.batch) {
      cycles = cycles + partCycles(g)
      macs += g.macs
      let d = g.dmacs
      dm.0 += d.0
      dm.1 += d.1
    }
    return LayerCost.from(cycles: PartCycles(cycles: cycles.v, d: (cycles.d0, cycles.d1)), macs: macs, dmacs: dm,
                          config: config)
  }

  func partCycles(_ g: Gemm) -> Dual2 {
    let R = Double(config.rows), C = Double(config.cols)
    let bpc = options.bytesPerCycle ?? config.bytesPerCycle
    let wb = options.weightBytes, s = softness
    let k = Dual2(g.k, g.dk.0, g.dk.1), n = Dual2(g.n, g.dn.0, g.dn.1)
    let groups = Dual2(g.groups, g.dgroups.0, g.dgroups.1)
    // Streaming of the M input rows in chunks (M does not depend on channels: exact).
    let m = Int(g.m.rounded())
    let chunk = options.chunkRows ?? config.cols
    let full = max(m / chunk - 1, 0)
    let lastChunk = Double(m - full * chunk)
    let stream = Dual2(Double(m) + Double(full + 1) * options.chunkBubble)
    // Tile counts.
    let ceilK = SmoothCeil.corrected(g.k / R, temperature: temperature)
    let tk = Dual2(ceilK.value, ceilK.grad * g.dk.0 / R, ceilK.grad * g.dk.1 / R)
    let tn: Dual2
    if g.perChannel { tn = Dual2(1) } else {
      let c = SmoothCeil.corrected(g.n / C, temperature: temperature)
      tn = Dual2(c.value, c.grad * g.dn.0 / C, c.grad * g.dn.1 / C)
    }
    let tiles = tk * tn * groups
    let rbar = k / tk
    let cbar = n / tn
    let r1 = Dual2.smin(k, Dual2(R), softness: s)
    let c1 = Dual2.smin(n, Dual2(C), softness: s)
    let first = r1 * c1 * (wb / bpc) + r1
    let step = Dual2.smax(stream, rbar + options.swapCycles, softness: s)
    let last: Dual2
    switch compatibility {
    case .reference: last = stream - (lastChunk + options.chunkBubble - options.tailCycles)
    case .corrected: last = stream + rbar + cbar - 2
    }
    let pipeline = first + (tiles - 1) * step + last
    let fetch = k * n * groups * (wb / bpc) + options.swapCycles + last
    return Dual2.smax(pipeline, fetch, softness: s)
  }
}
