// MARK: - Running a topology on a configuration

extension ScaleSimConfig {
  /// The compute report of every layer, in file order, as SCALE-Sim's COMPUTE_REPORT.csv lists them
  /// (`depthwise: .split`: a DP layer gives one row per channel, as in SCALE-Sim).
  ///
  /// Stall cycles are 0 under `InterfaceBandwidth: CALC` (SCALE-Sim then never stalls) and estimated
  /// by `ScaleSimMemory` under `USER`.
  /// ```swift
  /// let cfg = try ScaleSimConfig(path: "scale.cfg")
  /// let rows = cfg.reports(try ScaleSimTopology.read(path: "net.csv"))
  /// ```
  public func reports(_ layers: [ScaleSimLayer], depthwise: DepthwiseMode = .split) -> [ScaleSimReport] {
    var out: [ScaleSimReport] = []
    for l in layers {
      var rs = l.reports(rows: rows, cols: cols, dataflow: dataflow, depthwise: depthwise)
      if userBandwidth {
        let stall = ScaleSimMemory(config: self).stallCycles(l, depthwise: depthwise)
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
