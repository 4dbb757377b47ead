// MARK: - FLOPs model

/// Peak-throughput model: `runtime = MACs / (R * C * clock)`, utilization 1.
///
/// ```swift
/// let c = try FlopsModel().cost(.linear(in: 512, out: 10))
/// ```
public struct FlopsModel: CostModel {
  public var config: HardwareConfig

  public init(config: HardwareConfig = HardwareConfig()) { self.config = config }

  public var name: String { "flops" }

  public func cost(_ layer: LayerSpec) throws -> LayerCost {
    try config.validate()
    try layer.validate()
    if layer.kind.isFree { return .free }
    let pes = Double(config.rows) * Double(config.cols)
    var macs = 0.0, d0 = 0.0, d1 = 0.0
    for g in layer.gemms(batch: config.batch) {
      macs += g.macs
      let dm = g.dmacs
      d0 += dm.0
      d1 += dm.1
    }
    var cost = LayerCost.from(cycles: PartCycles(cycles: macs / pes, d: (d0 / pes, d1 / pes)), macs: macs,
                              dmacs: (d0, d1), config: config)
    cost.util = 1
    cost.dUtil = (0, 0)
    return cost
  }
}
