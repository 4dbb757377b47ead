import XCTest
@testable import UBoostHardware

/// Finite-difference checks of every analytic channel derivative.
final class DerivativeTests: XCTestCase {
  func layers(_ ci: Double, _ co: Double) -> [LayerSpec] {
    [.conv(k: 3, cin: ci, cout: co, out: 8), .conv(k: 1, cin: ci, cout: co, out: 16),
     .dilated(k: 5, cin: ci, cout: co, out: 8), .depthwise(k: 3, channels: ci, out: 8),
     .separable(k: 5, cin: ci, cout: co, out: 4), .linear(in: ci, out: co),
     LayerSpec(kind: .conv, k1: 3, k2: 3, cin: ci, cout: co, outH: 4, outW: 4, stride: 2)]
  }

  func check(_ model: CostModel, points: [(Double, Double)], rel: Double = 1e-4,
             file: StaticString = #filePath, line: UInt = #line) throws {
    for (ci, co) in points {
      for (idx, l) in layers(ci, co).enumerated() {
        let c = try model.cost(l)
        let h = 1e-5 * max(ci, co)
        func at(_ di: Double, _ dout: Double) throws -> LayerCost {
          var m = layers(ci + di, co + dout)[idx]
          if m.kind == .depthwise { m.cout = m.cin }
          return try model.cost(m)
        }
        let pi = try at(h, 0), mi = try at(-h, 0), po = try at(0, h), mo = try at(0, -h)
        let fdLi = (pi.latencyMs - mi.latencyMs) / (2 * h), fdLo = (po.latencyMs - mo.latencyMs) / (2 * h)
        let fdUi = (pi.util - mi.util) / (2 * h), fdUo = (po.util - mo.util) / (2 * h)
        let sL = max(abs(fdLi), abs(fdLo), abs(c.dLatency.dCin), abs(c.dLatency.dCout), 1e-12)
        let sU = max(abs(fdUi), abs(fdUo), abs(c.dUtil.dCin), abs(c.dUtil.dCout), 1e-6 * c.util)
        let msg = "\(model.name) \(l.kind) at (\(ci), \(co))"
        XCTAssertEqual(c.dLatency.dCin, fdLi, accuracy: rel * sL, "dLat/dcin " + msg, file: file, line: line)
        XCTAssertEqual(c.dLatency.dCout, fdLo, accuracy: rel * sL, "dLat/dcout " + msg, file: file, line: line)
        XCTAssertEqual(c.dUtil.dCin, fdUi, accuracy: rel * sU, "dUtil/dcin " + msg, file: file, line: line)
        XCTAssertEqual(c.dUtil.dCout, fdUo, accuracy: rel * sU, "dUtil/dcout " + msg, file: file, line: line)
      }
    }
  }

  let points: [(Double, Double)] = [(64.3, 100.7), (129.2, 47.9), (250.5, 280.1), (17.4, 131.3)]

  func testSystolicCorrectedAndSigmoid() throws {
    try check(SystolicModel(ceiling: .corrected(temperature: 32)), points: points)
    try check(SystolicModel(ceiling: .sigmoidSum(temperature: 8)), points: points)
  }

  func testSystolicReferenceCeiling() throws {
    // Float32 evaluation: coarser finite differences would be noisy; use the Double forms'
    // structure through a wide step instead.
    let m = SystolicModel(ceiling: .reference, compatibility: .reference)
    for (ci, co) in points {
      let l = LayerSpec.conv(k: 1, cin: ci, cout: co, out: 8)
      let c = try m.cost(l)
      let h = 0.1
      let fd = (try m.cost(.conv(k: 1, cin: ci + h, cout: co, out: 8)).latencyMs
        - (try m.cost(.conv(k: 1, cin: ci - h, cout: co, out: 8)).latencyMs)) / (2 * h)
      XCTAssertEqual(c.dLatency.dCin, fd, accuracy: 5e-2 * max(abs(fd), 1e-9))
    }
  }

  func testFlopsRooflineOverhead() throws {
    try check(FlopsModel(), points: points)
    try check(RooflineModel(compatibility: .corrected), points: points)
    try check(RooflineModel(config: HardwareConfig(bandwidthGBs: 4000), compatibility: .corrected), points: points)
    try check(OverheadModel(compatibility: .corrected), points: points, rel: 1e-3)
    try check(OverheadModel(config: HardwareConfig(batch: 1), compatibility: .reference), points: points, rel: 1e-3)
  }

  func testReferenceRooflineHasNoSwitchGradient() throws {
    // Pick a layer near the memory/compute crossover: the reference's derivative is the blend of the
    // two branches' derivatives only.
    let m = RooflineModel(compatibility: .reference)
    let c = try m.cost(.conv(k: 3, cin: 64, cout: 64, out: 32))
    let l = LayerSpec.conv(k: 3, cin: 64, cout: 64, out: 32)
    let memD = 2 * (9 * 64 + 64 * 1024.0) / 80e9 * 1e3
    let peD = 9 * 64 * 64 * 1024.0 / (16384 * 1e9) * 1e3
    XCTAssertTrue(abs(c.dLatency.dCin - memD) < 1e-12 || abs(c.dLatency.dCin - peD) < 1e-12, "\(c.dLatency) \(l)")
  }
}
