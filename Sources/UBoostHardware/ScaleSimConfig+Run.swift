// MARK: - Running a topology on a configuration

extension ScaleSimConfig {
  /// Most compute-report rows one topology may produce.
  public static let maxReportRows = 2_000_000

  /// The compute report of every layer, in file order, as SCALE-Sim's COMPUTE_REPORT.csv lists them
  /// (`depthwise: .split`: a DP layer gives one row per channel, as in SCALE-Sim).
  ///
  /// Stall cycles are 0 under `InterfaceBandwidth: CALC` (SCALE-Sim then never stalls) and, under
  /// `USER`, SCALE-Sim's request replay run by `ScaleSimMemory` (throws for a layer too large to replay).
  /// ```swift
  /// let cfg = try ScaleSimConfig(path: "scale.cfg")
  /// let rows = try cfg.reports(try ScaleSimTopology.read(path: "net.csv"))
  /// ```
  public func reports(_ layers: [ScaleSimLayer], depthwise: DepthwiseMode = .split) throws -> [ScaleSimReport] {
    // A DP layer gives one row per channel under `.split`: refuse absurd totals before building them.
    let total = layers.reduce(0.0) { $0 + ($1.isDepthwise && depthwise == .split ? Double($1.channels) : 1) }
    if total > Double(ScaleSimConfig.maxReportRows) {
      throw HardwareError.invalidParameter(name: "report rows", value: fmt(total),
                                           reason: "at most \(ScaleSimConfig.maxReportRows) (DP layers give one row per channel; try --depthwise direct)")
    }
    var out: [ScaleSimReport] = []
    for l in layers {
      var rs = l.reports(rows: rows, cols: cols, dataflow: dataflow, depthwise: depthwise)
      if userBandwidth {
        let stall = try ScaleSimMemory(config: self).stallCycles(l, depthwise: depthwise)
        for i in rs.indices { rs[i] = rs[i].addingStalls(stall) }
      }
      out += rs
    }
    return out
  }
}

extension ScaleSimReport {
  /// The report with `stall` more cycles (SCALE-Sim adds stalls to the total; utilization follows).
  public func addingStalls(_ stall: Double) -> ScaleSimReport {
    guard stall > 0 else { return self }
    var r = self
    let pes = totalCycles > 0 ? macs * 100 / (overallUtil * totalCycles) : 0
    r.stallCycles += stall
    r.totalCycles += stall
    r.overallUtil = pes > 0 && r.totalCycles > 0 ? macs * 100 / (r.totalCycles * pes) : 0
    return r
  }
}
