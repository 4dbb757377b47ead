import Foundation

// MARK: - Smooth dataflow models against their exact cycles (`uboost hw dataflow-table`)

/// How far the smooth (search) form of each dataflow's cycle model is from its exact SCALE-Sim count
/// on the conv layers of a lookup table, and how far depthwise layers priced directly are from
/// SCALE-Sim's per-channel split.
///
/// ```swift
/// let table = try LookupTable(path: "data/csim_lookup_128x128.json")
/// print(try DataflowValidation.report(table: table))
/// ```
public enum DataflowValidation {
  /// Mean and max |smooth - exact| / exact (in %) over the table's conv rows, and the row count.
  public static func smoothError(table: LookupTable, dataflow: Dataflow, ceiling: CeilingKind = .corrected(temperature: 64),
                                 config: HardwareConfig = HardwareConfig(batch: 1)) throws -> (mean: Double, max: Double, n: Int) {
    let smooth = SystolicModel(config: config, ceiling: ceiling, dataflow: dataflow)
    let exact = SystolicModel(config: config, ceiling: .exact, dataflow: dataflow)
    var sum = 0.0, worst = 0.0, n = 0
    for row in table.rows() where row.layer == "Conv2d" {
      guard let l = HardwareValidation.layer(row) else { continue }
      let e = try exact.cost(l).cycles, s = try smooth.cost(l).cycles
      let err = abs(s - e) / e
      sum += err
      worst = max(worst, err)
      n += 1
    }
    return (n == 0 ? 0 : 100 * sum / Double(n), 100 * worst, n)
  }

  /// Mean and max |direct - split| / split (in %) of depthwise rows.
  public static func depthwiseGap(table: LookupTable, dataflow: Dataflow, config: HardwareConfig = HardwareConfig(batch: 1))
    throws -> (mean: Double, max: Double, n: Int) {
    var sum = 0.0, worst = 0.0, n = 0
    for row in table.rows() where row.layer == "DepthwiseConv2d" {
      guard let l = HardwareValidation.layer(row) else { continue }
      let d = try l.scaleSimReports(config: config, dataflow: dataflow, depthwise: .direct)[0].totalCycles
      let s = try l.scaleSimReports(config: config, dataflow: dataflow, depthwise: .split)[0].totalCycles
      let gap = abs(d - s) / s
      sum += gap
      worst = max(worst, gap)
      n += 1
    }
    return (n == 0 ? 0 : 100 * sum / Double(n), 100 * worst, n)
  }

  public static func report(path: String) throws -> String { try report(table: LookupTable(path: path)) }

  public static func report(table: LookupTable) throws -> String {
    var s = "| dataflow | conv rows | smooth T=64 vs exact: mean | max | smooth T=32: mean | max | depthwise rows | direct vs split cycles: mean gap | max gap |\n"
    s += "|---|---|---|---|---|---|---|---|---|\n"
    func pct(_ x: Double, _ d: Int) -> String { String(format: "%.\(d)f%%", x) }
    for df in Dataflow.allCases {
      let e = try smoothError(table: table, dataflow: df)
      let e32 = try smoothError(table: table, dataflow: df, ceiling: .corrected(temperature: 32))
      let d = try depthwiseGap(table: table, dataflow: df)
      s += "| \(df.rawValue) | \(e.n) | \(pct(e.mean, 2)) | \(pct(e.max, 2)) | \(pct(e32.mean, 2)) | \(pct(e32.max, 2)) | \(d.n) | "
        + "\(pct(d.mean, 1)) | \(pct(d.max, 1)) |\n"
    }
    s += "\n128x128 array, batch 1; smooth = corrected ceiling on the fold counts (T = 64: SystolicModel's and scalesim_config's default; T = 32: systolic()'s); exact = SCALE-Sim's zero-stall count; gap = |direct - split| / split.\n"
    return s
  }
}
