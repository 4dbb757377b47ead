import XCTest
@testable import UBoostHardware

/// No cost model reports a utilization above 1 (the systolic model with the sigmoid ceiling
/// gave 1.905 on a 512 -> 512 3x3 conv, saturating at 300 tiles; the roofline's blend of
/// memory and compute time fell below the compute time: 1.012).
final class UtilizationBoundTests: XCTestCase {
  func layers() -> [LayerSpec] {
    var out: [LayerSpec] = []
    for ci in [1.0, 3, 7.5, 16, 64.3, 129.2, 250.5, 512, 1000] {
      for co in [1.0, 8, 47.9, 100.7, 512, 1024] {
        out += [.conv(k: 3, cin: ci, cout: co, out: 8), .conv(k: 1, cin: ci, cout: co, out: 16),
                .dilated(k: 5, cin: ci, cout: co, out: 8), .depthwise(k: 3, channels: ci, out: 8),
                .separable(k: 5, cin: ci, cout: co, out: 4), .linear(in: ci, out: co),
                LayerSpec(kind: .conv, k1: 3, k2: 3, cin: ci, cout: co, outH: 4, outW: 4, stride: 2)]
      }
    }
    return out
  }

  func testNoModelExceedsFullUtilization() throws {
    var models: [CostModel] = [FlopsModel(), RooflineModel(), RooflineModel(compatibility: .reference),
                               OverheadModel(), SystolicModel(ceiling: .exact)]
    for t in [1.0, 4, 8, 16, 32, 64, 256] {
      models.append(SystolicModel(ceiling: .corrected(temperature: t)))
      models.append(SystolicModel(ceiling: .sigmoidSum(temperature: t)))
    }
    for cfg in [HardwareConfig(rows: 8, cols: 8, batch: 1), HardwareConfig(), HardwareConfig(rows: 32, cols: 16, batch: 4)] {
      for var m in models {
        m = rebuilt(m, cfg)
        for l in layers() {
          let c = try m.cost(l)
          XCTAssertLessThanOrEqual(c.util, 1 + 1e-12, "\(m.name) \(l) on \(cfg.rows)x\(cfg.cols)")
        }
      }
    }
    let issue = try SystolicModel(config: HardwareConfig(rows: 8, cols: 8, batch: 1), ceiling: .sigmoidSum(temperature: 32))
      .cost(.conv(k: 3, cin: 512, cout: 512, out: 8))
    XCTAssertLessThanOrEqual(issue.util, 1)
    XCTAssertGreaterThan(issue.util, 0.99)
  }

  func rebuilt(_ m: CostModel, _ cfg: HardwareConfig) -> CostModel {
    switch m {
    case let s as SystolicModel: return SystolicModel(config: cfg, ceiling: s.ceiling, compatibility: s.compatibility)
    case let r as RooflineModel: return RooflineModel(config: cfg, compatibility: r.compatibility, sharpness: r.sharpness)
    case is OverheadModel: return OverheadModel(config: cfg)
    case is FlopsModel: return FlopsModel(config: cfg)
    default: return m
    }
  }

  /// The smooth maximum is never below either argument and its partials match finite differences.
  func testRooflineSmoothMax() {
    for (a, b) in [(1.0, 1.0), (3, 4), (4, 3), (1e-9, 2), (5, 5.0001), (0, 3)] {
      let (v, da, db) = RooflineModel.smoothMax(a, b, p: 40)
      XCTAssertGreaterThanOrEqual(v, max(a, b))
      XCTAssertLessThanOrEqual(v, max(a, b) * Foundation.pow(2, 1.0 / 40) * (1 + 1e-12))
      let h = 1e-7 * max(a, b)
      if a > h {
        XCTAssertEqual(da, (RooflineModel.smoothMax(a + h, b, p: 40).value - RooflineModel.smoothMax(a - h, b, p: 40).value) / (2 * h), accuracy: 1e-5)
      }
      if b > h {
        XCTAssertEqual(db, (RooflineModel.smoothMax(a, b + h, p: 40).value - RooflineModel.smoothMax(a, b - h, p: 40).value) / (2 * h), accuracy: 1e-5)
      }
    }
  }
}
