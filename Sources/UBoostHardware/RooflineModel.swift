import Foundation

// MARK: - Roofline model

/// Roofline: runtime is the larger of DRAM time (16-bit weights + inputs + outputs) and peak compute time.
///
/// - `reference`: the reference's traffic `2*(kk*cin*cout + B*H*W*cin + B*kk*cout)` (the output term
///   uses the kernel size instead of the output map) and a step switch `sigmoid(1e9*(mem - pe))` that
///   carries no gradient.
/// - `corrected`: traffic `2*(weights + B*Hin*Win*cin + B*H*W*cout)` and a smooth, differentiated blend.
/// ```swift
/// let c = try RooflineModel().cost(.conv(k: 3, cin: 64, cout: 64, out: 32))
/// ```
public struct RooflineModel: CostModel {
  public var config: HardwareConfig
  public var compatibility: Compatibility
  /// Sharpness of the corrected blend (in units of the relative gap between the two times).
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
        let sum = mem + pe
        let z = sharpness * (mem - pe) / sum
        let (c, dc) = SmoothCeil.sigmoid(z)
        runtime += c * mem + (1 - c) * pe
        for j in 0..<2 {
          let dm = j == 0 ? dmem.0 : dmem.1, dp = j == 0 ? dpe.0 : dpe.1
          let dz = sharpness * 2 * (dm * pe - dp * mem) / (sum * sum)
          let d = c * dm + (1 - c) * dp + (mem - pe) * dc * dz
          if j == 0 { dr.0 += d } else { dr.1 += d }
        }
      }
      macs += g.macs
      dmacs.0 += gm.0
      dmacs.1 += gm.1
    }
    let toCycles = config.clockHz / 1e3
    return LayerCost.from(cycles: PartCycles(cycles: runtime * toCycles, d: (dr.0 * toCycles, dr.1 * toCycles)),
                          macs: macs, dmacs: dmacs, config: config)
  }
}
