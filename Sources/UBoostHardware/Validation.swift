import Foundation

// MARK: - Validation against the cycle-accurate simulator table (`uboost hw validate`)

/// Calibration and validation of the simulator and analytic models against a csim lookup table.
///
/// ```swift
/// let table = try LookupTable(path: "csim_lookup_128x128.json")
/// print(try HardwareValidation.report(table: table))
/// ```
public enum HardwareValidation {
  /// Input sizes used to calibrate free parameters; the others are held out.
  public static let calibrationSizes: Set<Int> = [2, 8, 32]

  /// One table row as a layer (batch 1, stride 1 "same" padding: output size = input size).
  static func layer(_ row: (layer: String, inputSize: Int, kernel: String, inCh: Int, outCh: Int,
                            entry: LookupTable.Entry)) -> LayerSpec? {
    let parts = row.kernel.split(separator: "x").compactMap { Int($0) }
    guard parts.count == 2 else { return nil }
    switch row.layer {
    case "Conv2d":
      return LayerSpec(kind: .conv, k1: parts[0], k2: parts[1], cin: Double(row.inCh), cout: Double(row.outCh),
                       outH: row.inputSize, outW: row.inputSize)
    case "DepthwiseConv2d":
      return LayerSpec(kind: .depthwise, k1: parts[0], k2: parts[1], cin: Double(row.inCh), cout: Double(row.inCh),
                       outH: row.inputSize, outW: row.inputSize)
    default:
      return nil
    }
  }

  /// Mean |simulated - measured| / measured (in %) of the simulator with `options` over rows with the given sizes.
  public static func simulatorError(table: LookupTable, options: SimulatorOptions, sizes: Set<Int>?,
                                    config: HardwareConfig = HardwareConfig(batch: 1)) throws -> Double {
    let sim = SystolicSimulator(config: config, options: options)
    var sum = 0.0, n = 0
    for row in table.rows() where sizes?.contains(row.inputSize) ?? true {
      guard let l = layer(row) else { continue }
      let measured = row.entry.runtimeMs * config.clockHz / 1e3
      sum += abs(try sim.simulate(l).cycles - measured) / measured
      n += 1
    }
    return n == 0 ? 0 : 100 * sum / Double(n)
  }

  /// Fits the DRAM bytes/cycle (golden-section on [60, 120]) and the tail constant (0...6) of the
  /// `.csim` options on the calibration sizes. Returns the fitted options and their mean |error| in %.
  public static func calibrate(table: LookupTable, sizes: Set<Int> = calibrationSizes,
                               base: SimulatorOptions = .csim) throws -> (options: SimulatorOptions, errorPct: Double) {
    var best = (options: base, errorPct: Double.infinity)
    for tail in 0...6 {
      var o = base
      o.tailCycles = Double(tail)
      func err(_ b: Double) throws -> Double {
        o.bytesPerCycle = b
        return try simulatorError(table: table, options: o, sizes: sizes)
      }
      var lo = 60.0, hi = 120.0
      let phi = (sqrt(5.0) - 1) / 2
      var x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo)
      var f1 = try err(x1), f2 = try err(x2)
      for _ in 0..<24 {
        if f1 < f2 { hi = x2; x2 = x1; f2 = f1; x1 = hi - phi * (hi - lo); f1 = try err(x1) }
        else { lo = x1; x1 = x2; f1 = f2; x2 = lo + phi * (hi - lo); f2 = try err(x2) }
      }
      let b = (lo + hi) / 2
      let e = try err(b)
      if e < best.errorPct {
        o.bytesPerCycle = b
        best = (o, e)
      }
    }
    return best
  }

  /// Loads the table at `path` and returns `report(table:calibrate:)`.
  public static func report(path: String, calibrate: Bool = false) throws -> String {
    try report(table: LookupTable(path: path), calibrate: calibrate)
  }

  /// The validation table: mean |runtime error| (%) per layer type and input size for the reference
  /// analytic model (exact ceil), the simulator (csim-matched and physical options) and the smooth
  /// overhead model; then calibration vs held-out summaries. `calibrate` also refits the free parameters.
  public static func report(table: LookupTable, calibrate doFit: Bool = false) throws -> String {
    let config = HardwareConfig(batch: 1)
    let analytic = SystolicModel(config: config, ceiling: .exact, compatibility: .reference)
    let simC = SystolicSimulator(config: config, options: .csim)
    let simP = SystolicSimulator(config: config, options: .physical)
    let over = OverheadModel(config: config, compatibility: .reference)
    struct Acc { var n = 0; var e = [Double](repeating: 0, count: 5); var uErr = 0.0 }
    var groups: [String: Acc] = [:]
    var order: [String] = []
    func add(_ key: String, _ errs: [Double], _ u: Double) {
      if groups[key] == nil { groups[key] = Acc(); order.append(key) }
      groups[key]?.n += 1
      for i in 0..<errs.count { groups[key]?.e[i] += errs[i] }
      groups[key]?.uErr += u
    }
    let rows = table.rows().sorted { ($0.layer, $0.inputSize) < ($1.layer, $1.inputSize) }
    for row in rows {
      guard let l = layer(row) else { continue }
      let measured = row.entry.runtimeMs * config.clockHz / 1e3
      let preds = [try analytic.cost(l).cycles, try simC.simulate(l).cycles, try simP.simulate(l).cycles,
                   try over.cost(l).cycles]
      let errs = preds.map { 100 * abs($0 - measured) / measured }
      let counted = try simC.simulate(l).countedUtil
      let u = row.entry.util.isFinite ? abs(counted - row.entry.util) : 0
      let type = row.layer == "Conv2d" ? "conv" : "depthwise"
      add("\(type) size \(row.inputSize)", errs, u)
      add("\(type) all", errs, u)
      add(calibrationSizes.contains(row.inputSize) ? "\(type) calibration sizes 2,8,32" : "\(type) held-out sizes 1,4,16",
          errs, u)
    }
    var lines = [
      "| rows | n | analytic exact-ceil | simulator (csim) | simulator (physical) | overhead model (smooth) | util abs err (sim) |",
      "|---|---|---|---|---|---|---|",
    ]
    // Per-size rows first, then the summaries of each layer type.
    let sizeKeys = order.filter { $0.contains(" size ") }
    let summaryKeys = order.filter { !$0.contains(" size ") }.sorted { a, b in
      let rank = { (k: String) -> Int in k.hasSuffix("all") ? 0 : (k.contains("calibration") ? 1 : 2) }
      return (a.hasPrefix("conv") ? 0 : 1, rank(a)) < (b.hasPrefix("conv") ? 0 : 1, rank(b))
    }
    for key in sizeKeys + summaryKeys {
      guard let acc = groups[key] else { continue }
      let d = Double(max(acc.n, 1))
      lines.append("| \(key) | \(acc.n) | " + acc.e[0..<4].map { String(format: "%.2f%%", $0 / d) }.joined(separator: " | ")
                   + String(format: " | %.4f |", acc.uErr / d))
    }
    // The corrected (search) forms against the physical simulator, same layers.
    let overC = OverheadModel(config: config, compatibility: .corrected)
    var corr: [String: (n: Int, e: Double)] = [:]
    for row in rows {
      guard let l = layer(row) else { continue }
      let p = try simP.simulate(l).cycles
      let e = 100 * abs(try overC.cost(l).cycles - p) / p
      let key = row.layer == "Conv2d" ? "conv" : "depthwise"
      corr[key, default: (0, 0)].n += 1
      corr[key, default: (0, 0)].e += e
    }
    lines.append("")
    lines.append("| rows | n | overhead model (corrected) vs simulator (physical) |")
    lines.append("|---|---|---|")
    for key in ["conv", "depthwise"] {
      if let c = corr[key] { lines.append("| \(key) all | \(c.n) | " + String(format: "%.2f%% |", c.e / Double(max(c.n, 1)))) }
    }
    let b = SimulatorOptions.csim.bytesPerCycle ?? 0
    lines.append("")
    lines.append(String(format: "simulator (csim) parameters: %.3f DRAM bytes/cycle, tail %.0f cycles, chunk bubble %.0f, swap %.0f",
                        b, SimulatorOptions.csim.tailCycles, SimulatorOptions.csim.chunkBubble, SimulatorOptions.csim.swapCycles))
    if doFit {
      let fit = try calibrate(table: table)
      lines.append(String(format: "refit on sizes 2,8,32: %.3f bytes/cycle, tail %.0f -> %.3f%% mean |error| on those sizes",
                          fit.options.bytesPerCycle ?? 0, fit.options.tailCycles, fit.errorPct))
    }
    return lines.joined(separator: "\n")
  }
}
