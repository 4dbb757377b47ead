import Foundation
@testable import UBoostBuiltins
import UBoostHardware
import UBoostLang
import UBoostNAS
import XCTest

/// A cost model written in uboost (`hw: fn(l) => {latency, util}`), as the supernet asks it.
final class ScriptCostTests: XCTestCase {
  /// A smooth function of the widths: its derivatives, taken by the tape through the soft widths,
  /// match central finite differences of the same function called with numbers.
  func testDerivativesMatchFiniteDifferences() throws {
    let interp = TestSupport.interpreter { _ in }
    let f = try interp.run(source: """
      fn(l) => {latency: l.k * l.k * l.cin * l.cout * l.out[0] * l.out[1] / 1e6 + 0.01 * smooth_ceil(l.cout / 16, temp: 8),
                util: l.cin * l.cout / (16 * 16 * smooth_ceil(l.cin / 16, temp: 8) * smooth_ceil(l.cout / 16, temp: 8))}
      """, file: "<t>")
    let s = ScriptCost(function: f, interpreter: interp)
    for (cin, cout) in [(20.5, 33.25), (40.0, 47.5), (64.2, 17.0)] {
      let q = CostQuery(kind: .conv, kernel: 3, cin: cin, cout: cout, outH: 8, outW: 8, needsDerivatives: true)
      let a = try s.evaluate(q)
      let h = 1e-3
      func at(_ ci: Double, _ co: Double) throws -> CostAnswer {
        try s.evaluate(CostQuery(kind: .conv, kernel: 3, cin: ci, cout: co, outH: 8, outW: 8))
      }
      let fdLin = (try at(cin + h, cout).latencyMs - at(cin - h, cout).latencyMs) / (2 * h)
      let fdLout = (try at(cin, cout + h).latencyMs - at(cin, cout - h).latencyMs) / (2 * h)
      let fdUin = (try at(cin + h, cout).util - at(cin - h, cout).util) / (2 * h)
      let fdUout = (try at(cin, cout + h).util - at(cin, cout - h).util) / (2 * h)
      // The tape runs in Float: relative agreement to ~1e-3.
      XCTAssertEqual(a.dLatencyDCin, fdLin, accuracy: 2e-3 * max(abs(fdLin), 1e-3), "dlat/dcin at \(cin), \(cout)")
      XCTAssertEqual(a.dLatencyDCout, fdLout, accuracy: 2e-3 * max(abs(fdLout), 1e-3), "dlat/dcout at \(cin), \(cout)")
      XCTAssertEqual(a.dUtilDCin, fdUin, accuracy: 2e-3 * max(abs(fdUin), 1e-3), "dutil/dcin at \(cin), \(cout)")
      XCTAssertEqual(a.dUtilDCout, fdUout, accuracy: 2e-3 * max(abs(fdUout), 1e-3), "dutil/dcout at \(cin), \(cout)")
      XCTAssertEqual(a.latencyMs, try at(cin, cout).latencyMs, accuracy: 1e-5 * max(a.latencyMs, 1))
      XCTAssertNotEqual(a.dLatencyDCout, 0)
    }
  }

  /// A function answering with numbers (a lookup) has zero derivatives; with fixed widths each
  /// distinct layer is asked once.
  func testNumbersHaveNoDerivativesAndAreCached() throws {
    final class Box: @unchecked Sendable { var text = "" }
    let box = Box()
    let interp = TestSupport.interpreter { box.text += $0 }
    let f = try interp.run(source: "fn f(l) {\n  print(\"asked\")\n  return {latency: 2, util: 0.5}\n}\nf", file: "<t>")
    let s = ScriptCost(function: f, interpreter: interp)
    let fixed = CostQuery(kind: .depthwise, kernel: 5, cin: 8, cout: 8, outH: 4, outW: 4)
    XCTAssertEqual(try s.evaluate(fixed), CostAnswer(latencyMs: 2, util: 0.5))
    _ = try s.evaluate(fixed)
    XCTAssertEqual(box.text, "asked\n")
    var soft = fixed
    soft.needsDerivatives = true
    XCTAssertEqual(try s.evaluate(soft), CostAnswer(latencyMs: 2, util: 0.5))
  }

  /// The function model wrapping a built-in model prices a derived architecture like it.
  func testWrappingABuiltInModelGivesItsCosts() throws {
    let interp = TestSupport.interpreter { _ in }
    let f = try interp.run(source: "let sys = systolic(rows: 32, cols: 32, batch: 8, ceiling: \"exact\")\nfn(l) => sys.cost(l)", file: "<t>")
    let s = ScriptCost(function: f, interpreter: interp)
    let builtIn = HardwareCost(SystolicModel(config: HardwareConfig(rows: 32, cols: 32, batch: 8), ceiling: .exact))
    for q in [CostQuery(kind: .conv, kernel: 3, cin: 24, cout: 40, outH: 16, outW: 16),
              CostQuery(kind: .dilated, kernel: 5, cin: 48, cout: 56, outH: 8, outW: 8),
              CostQuery(kind: .depthwise, kernel: 3, cin: 40, cout: 40, outH: 8, outW: 8)] {
      let a = try s.evaluate(q), b = try builtIn.evaluate(q)
      XCTAssertEqual(a.latencyMs, b.latencyMs, accuracy: 1e-12, "\(q)")
      XCTAssertEqual(a.util, b.util, accuracy: 1e-12, "\(q)")
    }
  }
}
