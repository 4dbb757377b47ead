// MARK: - Analytic systolic model

/// The paper's analytic systolic-array model:
/// `cycles = ceil(k1*k2*cin / R) * ceil(cout / C) * B*H*W` (depthwise: `ceil(k1*k2/R) * cin * B*H*W`),
/// `util = MACs / (cycles * R * C)`, with the chosen ceiling (smooth ones give channel gradients).
///
/// ```swift
/// let ref = SystolicModel(ceiling: .reference, compatibility: .reference)   // the golden numbers
/// let c = try SystolicModel().cost(.conv(k: 3, cin: 100, cout: 129, out: 8))
/// let os = SystolicModel(dataflow: .outputStationary)   // SCALE-Sim's os cycles, smooth fold counts
/// ```
///
/// With a `dataflow`, cycles are SCALE-Sim's compute cycles of that dataflow (`Dataflow.cycles`): with
/// the `.exact` ceiling exactly SCALE-Sim's zero-stall count, with a smooth one its search form.
public struct SystolicModel: CostModel {
  public var config: HardwareConfig
  public var ceiling: CeilingKind
  public var compatibility: Compatibility
  /// Receives ceiling saturation warnings of the reference form.
  public var onWarning: WarningHandler?
  /// SCALE-Sim dataflow whose cycles to count; `nil`: the paper's `ceil(K/R) * ceil(N/C) * M`.
  public var dataflow: Dataflow?

  /// `ceiling` defaults to `.reference` under `.reference` compatibility and to `.corrected(temperature: 64)`
  /// otherwise. (The reference's systolic defects are all in its ceiling; dilated convs cost the same as
  /// plain ones under the im2col lowering in both settings.)
  public init(config: HardwareConfig = HardwareConfig(), ceiling: CeilingKind? = nil,
              compatibility: Compatibility = .corrected, onWarning: WarningHandler? = nil, dataflow: Dataflow? = nil) {
    self.config = config
    self.dataflow = dataflow
    switch compatibility {
    case .reference: self.ceiling = ceiling ?? .reference
    case .corrected: self.ceiling = ceiling ?? .corrected(temperature: 64)
    }
    self.compatibility = compatibility
    self.onWarning = onWarning
  }

  public var name: String { dataflow.map { "systolic-\($0.rawValue)" } ?? "systolic" }

  public func cost(_ layer: LayerSpec) throws -> LayerCost {
    try config.validate()
    try ceiling.validate()
    try layer.validate()
    if layer.kind.isFree { return .free }
    var total = PartCycles(cycles: 0, d: (0, 0))
    var macs = 0.0, dmacs = (0.0, 0.0)
    let r = Double(config.rows), c = Double(config.cols)
    for g in layer.gemms(batch: config.batch) {
      if let df = dataflow {
        let cyc = df.cycles(g, rows: config.rows, cols: config.cols, ceiling: ceiling, onWarning: onWarning)
        total.cycles += cyc.v
        total.d.0 += cyc.d0
        total.d.1 += cyc.d1
        macs += g.macs
        let dm = g.dmacs
        dmacs.0 += dm.0
        dmacs.1 += dm.1
        continue
      }
      let tk = ceiling.evaluate(g.k / r, onWarning: onWarning)
      // Depthwise: one column per channel, counted by `groups` (no ceiling on the column count).
      let tn = g.perChannel ? (value: 1.0, grad: 0.0) : ceiling.evaluate(g.n / c, onWarning: onWarning)
      let tiles = tk.value * tn.value * g.groups
      let dt0 = tk.grad * g.dk.0 / r * tn.value * g.groups + tk.value * tn.grad * g.dn.0 / c * g.groups
        + tk.value * tn.value * g.dgroups.0
      let dt1 = tk.grad * g.dk.1 / r * tn.value * g.groups + tk.value * tn.grad * g.dn.1 / c * g.groups
        + tk.value * tn.value * g.dgroups.1
      total.cycles += tiles * g.m
      total.d.0 += dt0 * g.m
      total.d.1 += dt1 * g.m
      macs += g.macs
      let dm = g.dmacs
      dmacs.0 += dm.0
      dmacs.1 += dm.1
    }
    return LayerCost.from(cycles: total, macs: macs, dmacs: dmacs, config: config)
  }
}
