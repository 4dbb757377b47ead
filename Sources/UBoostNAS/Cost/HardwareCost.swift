import UBoostHardware

// MARK: - Adapters from UBoostHardware to the supernet

/// Prices supernet layers with a UBoostHardware `CostModel` (systolic, flops, roofline, blackbox).
///
/// ```swift
/// let smooth = HardwareCost.systolic()                       // corrected smooth ceiling
/// let golden = HardwareCost.reference()                      // the reference code, bug for bug
/// let exact  = HardwareCost(SystolicModel(ceiling: .exact))
/// ```
public struct HardwareCost: LayerCostEvaluator {
  public var model: any CostModel
  public init(_ model: any CostModel) { self.model = model }

  /// The systolic model (default: 128x128, batch 64, 1 GHz, corrected smooth ceiling).
  public static func systolic(config: HardwareConfig = HardwareConfig(),
                              ceiling: CeilingKind = .corrected(temperature: 32)) -> HardwareCost {
    HardwareCost(SystolicModel(config: config, ceiling: ceiling, compatibility: .corrected))
  }

  /// The reference implementation's systolic model (its smooth ceiling and defects).
  public static func reference(config: HardwareConfig = HardwareConfig()) -> HardwareCost {
    HardwareCost(SystolicModel(config: config, ceiling: .reference, compatibility: .reference))
  }

  /// The systolic model with the exact ceiling.
  public static func exact(config: HardwareConfig = HardwareConfig()) -> HardwareCost {
    HardwareCost(SystolicModel(config: config, ceiling: .exact, compatibility: .corrected))
  }

  public func evaluate(_ q: CostQuery) throws -> CostAnswer {
    let c = try model.cost(HardwareCost.spec(q))
    return CostAnswer(latencyMs: c.latencyMs, util: c.util, dLatencyDCin: c.dLatency.dCin, dLatencyDCout: c.dLatency.dCout,
                      dUtilDCin: c.dUtil.dCin, dUtilDCout: c.dUtil.dCout)
  }

  static func spec(_ q: CostQuery) -> LayerSpec {
    switch q.kind {
    case .conv:
      return LayerSpec(kind: .conv, k1: q.kernel, k2: q.kernel, cin: q.cin, cout: q.cout, outH: q.outH, outW: q.outW)
    case .dilated:
      return LayerSpec(kind: .dilated, k1: q.kernel, k2: q.kernel, cin: q.cin, cout: q.cout, outH: q.outH, outW: q.outW, dilation: q.dilation)
    case .depthwise:
      return LayerSpec(kind: .depthwise, k1: q.kernel, k2: q.kernel, cin: q.cin, cout: q.cin, outH: q.outH, outW: q.outW)
    case .linear:
      return LayerSpec(kind: .linear, k1: 1, k2: 1, cin: q.cin, cout: q.cout, outH: 1, outW: 1)
    }
  }
}

/// Prices layers with the cycle-level systolic simulator (no derivatives; for reporting).
public struct SimulatorCost: LayerCostEvaluator {
  public var simulator: SystolicSimulator
  public init(_ simulator: SystolicSimulator = SystolicSimulator()) { self.simulator = simulator }

  public func evaluate(_ q: CostQuery) throws -> CostAnswer {
    var spec = HardwareCost.spec(q)
    // The simulator needs whole channel counts.
    spec.cin = spec.cin.rounded(); spec.cout = spec.cout.rounded()
    let r = try simulator.simulate(spec)
    return CostAnswer(latencyMs: r.latencyMs, util: r.util)
  }
}
