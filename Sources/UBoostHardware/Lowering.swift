// MARK: - Lowering layers to matrix products

/// The matrix-product shape of a layer (per group): `M` im2col rows, `K` reduction, `N` columns,
/// repeated `groups` times. Channel-dependent sizes are Double (soft channels) with their derivatives.
struct Gemm {
  /// im2col rows: batch * outH * outW.
  var m: Double
  /// Reduction size and d/dcin, d/dcout.
  var k: Double
  var dk: (Double, Double)
  /// Output columns and derivatives.
  var n: Double
  var dn: (Double, Double)
  /// Independent repetitions (depthwise: one per channel) and derivatives.
  var groups: Double
  var dgroups: (Double, Double)
  /// Depthwise part: one column per group, no column tiling (the reference uses `tiles3 = cin`).
  var perChannel: Bool = false

  var macs: Double { m * k * n * groups }
  var dmacs: (Double, Double) {
    (m * (dk.0 * n * groups + k * dn.0 * groups + k * n * dgroups.0),
     m * (dk.1 * n * groups + k * dn.1 * groups + k * n * dgroups.1))
  }
}

extension LayerSpec {
  /// The GEMMs this layer runs (separable: depthwise then pointwise). Free layers lower to none.
  func gemms(batch: Int) -> [Gemm] {
    let hw = Double(outH) * Double(outW)
    let m = Double(batch) * hw
    let kk = Double(k1 * k2)
    switch kind {
    case .conv, .dilated:
      return [Gemm(m: m, k: kk * cin, dk: (kk, 0), n: cout, dn: (0, 1), groups: 1, dgroups: (0, 0))]
    case .linear:
      return [Gemm(m: Double(batch), k: cin, dk: (1, 0), n: cout, dn: (0, 1), groups: 1, dgroups: (0, 0))]
    case .depthwise:
      return [Gemm(m: m, k: kk, dk: (0, 0), n: 1, dn: (0, 0), groups: cin, dgroups: (1, 0), perChannel: true)]
    case .separable:
      return [Gemm(m: m, k: kk, dk: (0, 0), n: 1, dn: (0, 0), groups: cin, dgroups: (1, 0), perChannel: true),
              Gemm(m: m, k: cin, dk: (1, 0), n: cout, dn: (0, 1), groups: 1, dgroups: (0, 0))]
    case .identity, .zero, .pool:
      return []
    }
  }

  /// Total multiply-accumulates (batch included).
  public func macs(batch: Int) -> Double { gemms(batch: batch).reduce(0) { $0 + $1.macs } }
}

// MARK: - Combining per-GEMM cycle counts into a LayerCost

/// Cycles of one part with derivatives w.r.t. (cin, cout).
struct PartCycles {
  var cycles: Double
  var d: (Double, Double)
}

extension LayerCost {
  /// Builds a cost from total cycles and MACs: latency = cycles/clock, util = MACs/(cycles*R*C).
  static func from(cycles c: PartCycles, macs: Double, dmacs: (Double, Double), config: HardwareConfig) -> LayerCost {
    let toMs = 1e3 / config.clockHz
    let pes = Double(config.rows) * Double(config.cols)
    let cyc = c.cycles
    let util = cyc > 0 ? macs / (cyc * pes) : 0
    let du0 = cyc > 0 ? dmacs.0 / (cyc * pes) - util * c.d.0 / cyc : 0
    let du1 = cyc > 0 ? dmacs.1 / (cyc * pes) - util * c.d.1 / cyc : 0
    return LayerCost(cycles: cyc, latencyMs: cyc * toMs, util: util, macs: macs,
                     dLatency: (c.d.0 * toMs, c.d.1 * toMs), dUtil: (du0, du1))
  }
}
