// MARK: - Memory stalls under a user-set bandwidth (SCALE-Sim's request replay)

/// SCALE-Sim 3.0.0's stall cycles under `InterfaceBandwidth: USER`, by replaying its SRAM requests.
///
/// SCALE-Sim's `double_buffered_scratchpad.service_memory_requests` walks the demand matrices one row
/// (one cycle) at a time: row `i` arrives at cycle `i + stalls so far`; the ifmap and the filter read
/// buffers (`ScaleSimReadBuffer`) and the ofmap write buffer (`ScaleSimWriteBuffer`) each serve it,
/// and the largest of their three stalls is added to the layer's stalls. This type generates the same
/// rows from the layer's geometry (`ScaleSimDemand`) and runs the same event model, so it returns
/// SCALE-Sim's stall count, not an estimate (docs/fidelity.md gives the comparison). The read buffers
/// fetch `IfmapSRAMBankBandwidth` / `FilterSRAMBankBandwidth` words per cycle, the write buffer drains
/// `Bandwidth` words per cycle; every SRAM is split half active, half prefetch/drain.
/// ```swift
/// let stall = try ScaleSimMemory(config: cfg).stallCycles(layer)
/// ```
public struct ScaleSimMemory: Sendable {
  public var config: ScaleSimConfig

  public init(config: ScaleSimConfig) { self.config = config }

  /// Most prefetch-matrix elements (ifmap + filter) and dense addresses a replay may hold (each costs
  /// a few 4-byte words).
  public static let maxPrefetchElements = 1 << 25
  /// Most demand slots (rows x columns, all folds) a replay may visit (a few seconds in a release build).
  public static let maxDemandSlots = 1 << 32

  /// Stall cycles of one topology row (`.split`: of each of its per-channel layers, all identical).
  ///
  /// Throws when the layer is too large to replay (see `maxPrefetchElements`, `maxDemandSlots`).
  public func stallCycles(_ layer: ScaleSimLayer, depthwise: DepthwiseMode = .split) throws -> Double {
    var channels = layer.channels, filters = layer.numFilter
    if layer.isDepthwise {
      // `.split`: SCALE-Sim's single-channel layer; `.direct` has no SCALE-Sim counterpart: the dense
      // M x (k*k*C) x (n*C) layer stands in for it (not validated against anything).
      if depthwise == .split { channels = 1 } else { filters = layer.numFilter * layer.channels }
    }
    guard layer.ifmapH >= 1, layer.ifmapW >= 1, layer.filterH >= 1, layer.filterW >= 1, layer.stride >= 1,
          channels >= 1, filters >= 1, layer.ofmapH >= 1, layer.ofmapW >= 1 else { return 0 }
    // Sizes in Double first: the Int products below must not overflow.
    let rows = Double(config.rows), cols = Double(config.cols)
    let m = Double(layer.ofmapH) * Double(layer.ofmapW)
    let k = Double(layer.filterH) * Double(layer.filterW) * Double(channels), n = Double(filters)
    let words = Double(layer.ifmapH) * Double(layer.ifmapW) * Double(channels) + k * n
    let prefetch: Double, slots: Double
    func up(_ x: Double, _ y: Double) -> Double { (x / y).rounded(.up) }
    switch config.dataflow {
    case .outputStationary:
      prefetch = up(m, rows) * k * rows + up(n, cols) * k * cols
      slots = up(n, cols) * up(m, rows) * (k + rows + cols) * (rows + 2 * cols)
    case .weightStationary:
      prefetch = up(k, rows) * m * rows + up(n, cols) * k * cols
      slots = up(n, cols) * up(k, rows) * (m + 2 * rows + cols) * (rows + 2 * cols)
    case .inputStationary:
      prefetch = up(m, cols) * k * cols + up(k, rows) * n * rows
      slots = up(m, cols) * up(k, rows) * (n + 2 * rows + cols) * (rows + 2 * cols)
    }
    let limit = Double(ScaleSimMemory.maxPrefetchElements)
    guard prefetch <= limit, words <= limit, slots <= Double(ScaleSimMemory.maxDemandSlots) else {
      throw HardwareError.invalidParameter(
        name: "layer \(layer.name)", value: "\(fmt(m))x\(fmt(k))x\(fmt(n)) on \(config.rows)x\(config.cols)",
        reason: "too large to replay SCALE-Sim's memory requests under InterfaceBandwidth: USER (at most \(ScaleSimMemory.maxPrefetchElements) prefetch elements and \(ScaleSimMemory.maxDemandSlots) demand slots); use CALC")
    }
    let d = ScaleSimDemand(layer: layer, channels: channels, filters: filters,
                           rows: config.rows, cols: config.cols, dataflow: config.dataflow)
    let f = d.folds
    var ifBuf = ScaleSimReadBuffer(order: d.ifmapOrder(), addressCount: d.ifmapWords,
                                   totalWords: config.ifmapSRAMkB * 1024, bandwidth: max(1, config.ifmapReadBandwidth))
    var fBuf = ScaleSimReadBuffer(order: d.filterOrder(), addressCount: d.filterWords,
                                  totalWords: config.filterSRAMkB * 1024, bandwidth: max(1, config.filterReadBandwidth))
    var out = ScaleSimWriteBuffer(totalWords: config.ofmapSRAMkB * 1024, bandwidth: max(1, config.bandwidth.first ?? 10))
    var stalls: Double = 0
    var i = 0
    for fc in 0..<f.col {
      for fr in 0..<f.row {
        for r in 0..<d.foldRows {
          let cycle = Double(i) + stalls
          var ifOffset: Double = 1, fOffset: Double = 1
          for cc in d.ifmapSpan(fc: fc, fr: fr, row: r) {
            ifBuf.request(d.ifmapDemand(fc: fc, fr: fr, row: r, col: cc), cycle: cycle, offset: &ifOffset)
          }
          for cc in d.filterSpan(fc: fc, fr: fr, row: r) {
            fBuf.request(d.filterDemand(fc: fc, fr: fr, row: r, col: cc), cycle: cycle, offset: &fOffset)
          }
          var words = 0
          for cc in d.ofmapSpan(fc: fc, fr: fr, row: r) where d.ofmapDemand(fc: fc, fr: fr, row: r, col: cc) { words += 1 }
          let sOut = words > 0 ? out.serve(words: words, cycle: cycle) : 0
          stalls += max(ifOffset - 1, fOffset - 1, sOut).rounded(.towardZero)
          i += 1
        }
      }
    }
    return stalls
  }
}
