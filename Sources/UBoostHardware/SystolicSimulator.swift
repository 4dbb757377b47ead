import Foundation

// MARK: - Simulator configuration

/// Order in which weight tiles are visited.
public enum TileOrder: String, Equatable, Sendable {
  /// Reduction tiles inner, output-column tiles outer (the reference helper's `fold_data`).
  case reductionInner
  /// Output-column tiles inner, reduction tiles outer (what the csim does: fits its table to 0.07%).
  case columnsInner
}

/// Micro-architectural knobs of the cycle-level simulator.
///
/// `.csim` reproduces the reference's cycle-accurate simulator table (calibrated on input sizes 2, 8, 32,
/// see docs/fidelity.md), including its defect of not charging the last input chunk;
/// `.physical` charges every chunk and the final pipeline drain.
/// ```swift
/// let sim = SystolicSimulator(config: HardwareConfig(batch: 1), options: .csim)
/// ```
public struct SimulatorOptions: Equatable, Sendable {
  /// Load the next tile's weights into a shadow buffer while the current tile computes.
  public var doubleBuffered: Bool
  /// Tile visiting order.
  public var tileOrder: TileOrder
  /// Bytes per weight element (the csim uses 8-bit weights).
  public var weightBytes: Double
  /// DRAM bytes per cycle; `nil` uses `HardwareConfig.bytesPerCycle`.
  public var bytesPerCycle: Double?
  /// Input rows streamed per chunk; `nil` uses the array's column count (as the reference does).
  public var chunkRows: Int?
  /// Idle cycles between consecutive input chunks.
  public var chunkBubble: Double
  /// Cycles to swap the shadow weight buffer in.
  public var swapCycles: Double
  /// Charge the horizontal/vertical skew `(c-1)+(r-1)` on every tile instead of overlapping it.
  public var skewPerTile: Bool
  /// Reproduce the csim defect: the last input chunk of the last tile is neither timed nor counted.
  public var omitLastChunk: Bool
  /// Cycles after the last chunk when `omitLastChunk` (the csim's constant); otherwise the drain
  /// `(r-1)+(c-1)` of the last tile is charged.
  public var tailCycles: Double

  public init(doubleBuffered: Bool = true, tileOrder: TileOrder = .columnsInner, weightBytes: Double = 1, bytesPerCycle: Double? = nil,
              chunkRows: Int? = nil, chunkBubble: Double = 1, swapCycles: Double = 1, skewPerTile: Bool = false,
              omitLastChunk: Bool = false, tailCycles: Double = 3) {
    self.doubleBuffered = doubleBuffered
    self.tileOrder = tileOrder
    self.weightBytes = weightBytes
    self.bytesPerCycle = bytesPerCycle
    self.chunkRows = chunkRows
    self.chunkBubble = chunkBubble
    self.swapCycles = swapCycles
    self.skewPerTile = skewPerTile
    self.omitLastChunk = omitLastChunk
    self.tailCycles = tailCycles
  }

  /// Bytes per cycle fitted on input sizes 2, 8, 32 of the csim table (`SimulatorCalibration`);
  /// within 0.02% of 80 GiB/s (85.899 B/cycle) at 1 GHz.
  public static let csimBytesPerCycle = 85.916

  /// Matches the reference's cycle-accurate simulator (defect included).
  public static let csim = SimulatorOptions(bytesPerCycle: csimBytesPerCycle, omitLastChunk: true, tailCycles: 3)
  /// Charges every input chunk and the final drain (the csim's defect fixed).
  public static let physical = SimulatorOptions(bytesPerCycle: csimBytesPerCycle, omitLastChunk: false)

  func validate() throws {
    func bad(_ n: String, _ v: Double) -> HardwareError {
      .invalidParameter(name: n, value: String(v), reason: "must be a finite number >= 0")
    }
    if !(weightBytes > 0) || !weightBytes.isFinite { throw bad("weightBytes", weightBytes) }
    if let b = bytesPerCycle, !(b > 0) || !b.isFinite { throw bad("bytesPerCycle", b) }
    if let c = chunkRows, c < 1 {
      throw HardwareError.invalidParameter(name: "chunkRows", value: String(c), reason: "must be >= 1")
    }
    if !(chunkBubble >= 0) || !chunkBubble.isFinite { throw bad("chunkBubble", chunkBubble) }
    if !(swapCycles >= 0) || !swapCycles.isFinite { throw bad("swapCycles", swapCycles) }
    if !(tailCycles >= 0) || !tailCycles.isFinite { throw bad("tailCycles", tailCycles) }
  }
}

// MARK: - Results

/// Where the array's PE-cycles went. The parts add up to `cycles * R * C`.
public struct PEBreakdown: Equatable, Sendable {
  /// PE-cycles doing a MAC.
  public var active: Double = 0
  /// Whole-array idle time waiting for weights (DRAM fetch or shift-in not hidden).
  public var weightStall: Double = 0
  /// Pipeline fill/drain: chunk bubbles, skew, final drain.
  public var fillDrain: Double = 0
  /// Idle PEs in rows a tile does not fill (`r < R`).
  public var unusedRows: Double = 0
  /// Idle PEs in columns a tile does not fill (`c < C`).
  public var unusedCols: Double = 0

  public var total: Double { active + weightStall + fillDrain + unusedRows + unusedCols }
}

/// Result of simulating one layer.
public struct SimResult: Equatable, Sendable {
  public var cycles: Double
  public var latencyMs: Double
  /// Layer MACs / (cycles * R * C).
  public var util: Double
  /// Active PE-cycles / (cycles * R * C): what the csim reports as `util_csim` (differs from `util` when
  /// the last chunk is omitted).
  public var countedUtil: Double
  public var macs: Double
  /// Weight tiles executed.
  public var tiles: Int
  public var breakdown: PEBreakdown
}

// MARK: - Simulator

/// Cycle-level model of a weight-stationary `R x C` array running a layer lowered to GEMM(s).
///
/// Per tile (`r x c` weights, visited in `options.tileOrder`): DRAM fetch at the memory bandwidth,
/// shift-in of `r` weight rows (into a shadow buffer while the previous tile computes when
/// double-buffered), then the `M` input rows stream through in chunks with a bubble between chunks.
/// ```swift
/// let r = try SystolicSimulator(config: HardwareConfig(batch: 1), options: .csim)
///             .simulate(.conv(k: 3, cin: 64, cout: 64, out: 8))
/// print(r.cycles, r.breakdown.weightStall)
/// ```
public struct SystolicSimulator: Sendable {
  public var config: HardwareConfig
  public var options: SimulatorOptions

  public init(config: HardwareConfig = HardwareConfig(), options: SimulatorOptions = .csim) {
    self.config = config
    self.options = options
  }

  /// Simulates a layer (channel counts must be whole numbers).
  public func simulate(_ layer: LayerSpec) throws -> SimResult {
    try config.validate()
    try options.validate()
    try layer.validate()
    let pes = Double(config.rows) * Double(config.cols)
    if layer.kind.isFree {
      return SimResult(cycles: 0, latencyMs: 0, util: 1, countedUtil: 1, macs: 0, tiles: 0, breakdown: PEBreakdown())
    }
    for (name, v) in [("cin", layer.cin), ("cout", layer.cout)] where v != v.rounded() || v > 1e9 {
      throw HardwareError.invalidParameter(name: name, value: String(v),
                                           reason: "the simulator needs a whole channel count")
    }
    var state = State()
    let parts = layer.gemms(batch: config.batch)
    try checkSize(parts.map { ($0.m, $0.k, $0.n, $0.groups) })
    for (pi, g) in parts.enumerated() {
      run(m: Int(g.m), k: Int(g.k), n: Int(g.n), groups: Int(g.groups), isLastPart: pi == parts.count - 1,
          state: &state)
    }
    let macs = layer.macs(batch: config.batch)
    let cycles = state.end
    return SimResult(cycles: cycles, latencyMs: cycles / config.clockHz * 1e3,
                     util: cycles > 0 ? macs / (cycles * pes) : 0,
                     countedUtil: cycles > 0 ? state.bd.active / (cycles * pes) : 0,
                     macs: macs, tiles: state.tiles, breakdown: state.bd)
  }

  /// Simulates a raw GEMM `[m, k] x [k, n]` repeated `groups` times.
  public func simulate(m: Int, k: Int, n: Int, groups: Int = 1) throws -> SimResult {
    try config.validate()
    try options.validate()
    for (name, v) in [("m", m), ("k", k), ("n", n), ("groups", groups)] where v < 1 {
      throw HardwareError.invalidParameter(name: name, value: String(v), reason: "must be >= 1")
    }
    try checkSize([(Double(m), Double(k), Double(n), Double(groups))])
    var state = State()
    run(m: m, k: k, n: n, groups: groups, isLastPart: true, state: &state)
    let pes = Double(config.rows) * Double(config.cols)
    let macs = Double(m) * Double(k) * Double(n) * Double(groups)
    return SimResult(cycles: state.end, latencyMs: state.end / config.clockHz * 1e3,
                     util: state.end > 0 ? macs / (state.end * pes) : 0,
                     countedUtil: state.end > 0 ? state.bd.active / (state.end * pes) : 0,
                     macs: macs, tiles: state.tiles, breakdown: state.bd)
  }

  /// Largest number of weight tiles one simulation visits.
  public static let maxTiles = 10_000_000

  /// Rejects layers whose tile count or row count the timeline cannot handle.
  func checkSize(_ parts: [(m: Double, k: Double, n: Double, groups: Double)]) throws {
    var tiles = 0.0
    for p in parts {
      if p.m > 1e15 {
        throw HardwareError.invalidParameter(name: "rows (batch*H*W)", value: fmt(p.m), reason: "must be at most 1e15")
      }
      tiles += (p.k / Double(config.rows)).rounded(.up) * (p.n / Double(config.cols)).rounded(.up) * p.groups
    }
    if tiles > Double(Self.maxTiles) {
      throw HardwareError.invalidParameter(name: "layer size", value: "\(fmt(tiles)) tiles",
                                           reason: "the simulator handles at most \(Self.maxTiles) weight tiles")
    }
  }

  // MARK: - Event timeline

  /// Timeline carried across tiles (and across the parts of a separable layer).
  struct State {
    var fetchEnd = 0.0          // DRAM has delivered all weights fetched so far
    var loadEnd = 0.0           // last weight shift-in finished
    var computeStart = 0.0      // current tile started streaming
    var computeEnd = 0.0        // current tile finished streaming
    var end = 0.0               // layer finished
    var started = false
    var tiles = 0
    var bd = PEBreakdown()
  }

  func run(m: Int, k: Int, n: Int, groups: Int, isLastPart: Bool, state s: inout State) {
    let R = config.rows, C = config.cols
    let pes = Double(R) * Double(C)
    let bpc = options.bytesPerCycle ?? config.bytesPerCycle
    let chunk = options.chunkRows ?? C
    // Chunks of the reference's distribute_batch: floor(M/chunk)-1 full chunks plus the remainder.
    let full = max(m / chunk - 1, 0)
    let lastChunk = m - full * chunk
    let chunks = Double(full + 1)
    let stream = Double(m) + chunks * options.chunkBubble
    let rowTiles = (k + R - 1) / R, colTiles = (n + C - 1) / C
    let total = groups * rowTiles * colTiles
    let outer = options.tileOrder == .columnsInner ? rowTiles : colTiles
    let inner = options.tileOrder == .columnsInner ? colTiles : rowTiles
    var idx = 0
    for _ in 0..<groups {
      for a in 0..<outer {
        for b in 0..<inner {
          let (i, j) = options.tileOrder == .columnsInner ? (a, b) : (b, a)
          let r = min(R, k - i * R)
          let c = min(C, n - j * C)
          idx += 1
          let isLast = isLastPart && idx == total
          let rd = Double(r), cd = Double(c)
          s.fetchEnd += rd * cd * options.weightBytes / bpc
          // Weight load.
          let start: Double
          if !s.started {
            // The first tile waits for its whole fetch, then shifts its rows in.
            s.loadEnd = s.fetchEnd + rd
            start = s.loadEnd
            s.started = true
          } else {
            let loadStart = options.doubleBuffered ? max(s.loadEnd, s.computeStart) : s.computeEnd
            s.loadEnd = max(loadStart + rd, s.fetchEnd)
            start = max(s.loadEnd + options.swapCycles, s.computeEnd)
          }
          s.bd.weightStall += (start - s.computeEnd) * pes
          s.computeStart = start
          s.tiles += 1
          // Streaming.
          let skew = options.skewPerTile ? (rd - 1) + (cd - 1) : 0
          var rowsCharged = Double(m)
          var window = stream + skew
          var tail = 0.0
          if isLast {
            if options.omitLastChunk {
              rowsCharged -= Double(lastChunk)
              window -= Double(lastChunk) + options.chunkBubble
              tail = options.tailCycles
            } else if !options.skewPerTile {
              tail = (rd - 1) + (cd - 1)
            }
          }
          let corner = 0.5 * rowsCharged * (Double(R) - rd) * (Double(C) - cd)
          s.bd.active += rowsCharged * rd * cd
          s.bd.unusedCols += rowsCharged * (Double(C) - cd) * rd + corner
          s.bd.unusedRows += rowsCharged * (Double(R) - rd) * cd + corner
          s.bd.fillDrain += (window - rowsCharged + tail) * pes
          s.computeEnd = start + window + tail
          s.end = s.computeEnd
        }
      }
    }
  }
}
