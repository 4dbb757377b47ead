import Foundation

// MARK: - Roofline model

/// Roofline: runtime is the larger of DRAM time (16-bit weights + inputs + outputs) and peak compute time.
///
/// - `reference`: the reference's traffic `2*(kk*cin*cout + B*H*W*cin + B*kk*cout)` (the output term
///   uses the kernel size instead of the output map) and a step switch `sigmoid(1e9*(mem - pe))` that
///   carries no gradient.
/// - `corrected`: traffic `2*(weights + B*Hin*Win*cin + B*H*W*cout)` and a smooth maximum
///   `(mem^p + pe^p)^(1/p)` (p = `sharpness`), differentiated fully and never below either time.
/// ```swift
/// let c = try RooflineModel().cost(.conv(k: 3, cin: 64, cout: 64, out: 32))
/// ```
public struct RooflineModel: CostModel {
  public var config: HardwareConfig
  public var compatibility: Compatibility
  /// Exponent p of the corrected smooth maximum `(mem^p + pe^p)^(1/p)`.
  public var sharpness: Double

  public init(config: HardwareConfig = HardwareConfig(), compatibility: Compatibility = .corrected,
              sharpness: Double = 40) {
    self.config = config
    self.compatibility = compatibility
    self.sharpness = sharpness
  }

  public var name: String { "roofline" }

  /// Bytes moved by one part and d/dcin, d/dcout.
  struct Traffic { var bytes: Double; var d: (Double, Double) }

  func traffic(_ layer: LayerSpec, depthwisePart: Bool) -> Traffic {
    let b = Double(config.batch)
    let kk = depthwisePart ? Double(layer.k1 * layer.k2) : (layer.kind == .separable ? 1 : Double(layer.k1 * layer.k2))
    let linear = layer.kind == .linear
    let hw = linear ? 1.0 : Double(layer.outH) * Double(layer.outW)
    let s = Double(layer.stride)
    let hwIn = linear ? 1.0 : hw * s * s
    let cin = layer.cin, cout = depthwisePart ? layer.cin : layer.cout
    switch compatibility {
    case .reference:
      if depthwisePart {
        let per = kk + b * hw + b * kk
        return Traffic(bytes: 2 * per * cin, d: (2 * per, 0))
      }
      return Traffic(bytes: 2 * (kk * cin * cout + b * hw * cin + b * kk * cout),
                     d: (2 * (kk * cout + b * hw), 2 * (kk * cin + b * kk)))
    case .corrected:
      if depthwisePart {
        let per = kk + b * hwIn + b * hw
        return Traffic(bytes: 2 * per * cin, d: (2 * per, 0))
      }
      return Traffic(bytes: 2 * (kk * cin * cout + b * hwIn * cin + b * hw * cout),
                     d: (2 * (kk * cout + b * hwIn), 2 * (kk * cin + b * hw)))
    }
  }

  public func cost(_ layer: LayerSpec) throws -> LayerCost {
    try config.validate()
    try layer.validate()
    if !(sharpness > 0) || !sharpness.isFinite {
      throw HardwareError.invalidParameter(name: "sharpness", value: String(sharpness), reason: "must be > 0")
    }
    if layer.kind.isFree { return .free }
    let peakPerMs = config.peakMacsPerSecond / 1e3
    let bytesPerMs = config.bandwidthGBs * 1e9 / 1e3
    var runtime = 0.0, dr = (0.0, 0.0), macs = 0.0, dmacs = (0.0, 0.0)
    for g in layer.gemms(batch: config.batch) {
      let t = traffic(layer, depthwisePart: g.perChannel)
      let mem = t.bytes / bytesPerMs
      let dmem = (t.d.0 / bytesPerMs, t.d.1 / bytesPerMs)
      let gm = g.dmacs
      let pe = g.macs / peakPerMs
      let dpe = (gm.0 / peakPerMs, gm.1 / peakPerMs)
      switch compatibility {
      case .reference:
        // c = sigmoid(1e9 * (mem - pe)) computed on a detached float32 tensor: no gradient through c.
        let z = Float(1e9 * (mem - pe))
        let c = Double(1 / (1 + exp(-z)))
        runtime += mem * c + pe * (1 - c)
        dr.0 += c * dmem.0 + (1 - c) * dpe.0
        dr.1 += c * dmem.1 + (1 - c) * dpe.1
      case .corrected:
        let (t, wm, wp) = RooflineModel.smoothMax(mem, pe, p: sharpness)
        runtime += t
        dr.0 += wm * dmem.0 + wp * dpe.0
        dr.1 += wm * dmem.1 + wp * dpe.1
      }
      macs += g.macs
      dmacs.0 += gm.0
      dmacs.1 += gm.1
    }
    let toCycles = config.clockHz / 1e3
    return LayerCost.from(cycles: PartCycles(cycles: runtime * toCycles, d: (dr.0 * toCycles, dr.1 * toCycles)),
                          macs: macs, dmacs: dmacs, config: config)
  }

  /// `(a^p + b^p)^(1/p)` for `a, b >= 0` and its partial derivatives: a smooth maximum that is
  /// never below `max(a, b)` (at most `2^(1/p)` times it, 1.7% for p = 40), so the compute time
  /// `MACs / peak` never exceeds the runtime and utilization stays <= 1. (The former blend
  /// `c a + (1 - c) b` fell below the max where the two times are close: utilization 1.012.)
  ///
  /// ```swift
  /// RooflineModel.smoothMax(3, 4, p: 40).value   // 4.0000...
  /// ```
  static func smoothMax(_ a: Double, _ b: Double, p: Double) -> (value: Double, da: Double, db: Double) {
    let hi = max(a, b)
    guard hi > 0, hi.isFinite else { return (hi, a >= b ? 1 : 0, a >= b ? 0 : 1) }
    let ra = a / hi, rb = b / hi
    let s = Foundation.pow(Foundation.pow(ra, p) + Foundation.pow(rb, p), 1 / p)   // in [1, 2^(1/p)]
    return (hi * s, Foundation.pow(ra / s, p - 1), Foundation.pow(rb / s, p - 1))
  }
}
