import XCTest
@testable import UBoostHardware

final class SmoothCeilTests: XCTestCase {
  // MARK: - Golden: reference form

  func testReferenceMatchesGoldenFloat32() throws {
    let g = try Fixture.json("smooth_ceil")
    let xs = (g["x"] as? [Any] ?? []).compactMap(num)
    let vs = (g["value_f32"] as? [Any] ?? []).compactMap(num)
    let gs = (g["grad_f32"] as? [Any] ?? []).compactMap(num)
    XCTAssertEqual(xs.count, 1233)
    XCTAssertEqual(vs.count, xs.count)
    for (i, x) in xs.enumerated() {
      let (v, d) = SmoothCeil.reference(x)
      assertClose(v, vs[i], rel: 1e-5, abs: 1e-30, "value at \(x)")
      assertClose(d, gs[i], rel: 1e-5, abs: 1e-30, "grad at \(x)")
    }
  }

  func testReferenceWarnsPast300() {
    final class Box: @unchecked Sendable { var w: [HardwareWarning] = [] }
    let box = Box()
    let v = SmoothCeil.reference(350) { box.w.append($0) }
    XCTAssertEqual(box.w, [.ceilingSaturated(input: 350, bound: 300)])
    XCTAssertEqual(v.value, 300, accuracy: 1e-3)
    _ = SmoothCeil.reference(299.5) { box.w.append($0) }
    XCTAssertEqual(box.w.count, 1)
    XCTAssertTrue(box.w[0].description.contains("350"))
  }

  func testReferenceShiftFacts() {
    XCTAssertEqual(SmoothCeil.reference(1.0).value, 1.03, accuracy: 0.005)
    XCTAssertEqual(SmoothCeil.reference(1.125).value, 1.50, accuracy: 0.01)
    XCTAssertEqual(SmoothCeil.reference(129.0 / 128).value, 1.035, accuracy: 0.005)
    XCTAssertEqual(SmoothCeil.reference(9.0 / 128).value, 0.20, accuracy: 0.01)
  }

  // MARK: - Sigmoid-sum and corrected forms

  func testSigmoidSumMatchesDirectSum() {
    for x in [0.3, 1.0, 2.49, 7.01, 150.2] {
      for t in [5.0, 20.0, 100.0] {
        var v = 0.0
        for i in 0..<300 { v += 1 / (1 + exp(-t * (x - Double(i)))) }
        XCTAssertEqual(SmoothCeil.sigmoidSum(x, temperature: t).value, v, accuracy: 1e-9)
        let explicit = SmoothCeil.sigmoidSum(x, temperature: t, steps: (0..<300).map(Double.init))
        XCTAssertEqual(explicit.value, v, accuracy: 1e-9)
      }
    }
  }

  func testCorrectedTracksCeil() {
    XCTAssertEqual(SmoothCeil.corrected(1.0, temperature: 64).value, 1.0, accuracy: 0.02)
    XCTAssertEqual(SmoothCeil.corrected(1.25, temperature: 64).value, 2.0, accuracy: 0.02)
    XCTAssertEqual(SmoothCeil.corrected(9.0 / 128, temperature: 512).value, 1.0, accuracy: 0.02)
    XCTAssertEqual(SmoothCeil.corrected(129.0 / 128, temperature: 2048).value, 2.0, accuracy: 0.02)
    // No upper bound.
    XCTAssertEqual(SmoothCeil.corrected(1000.5, temperature: 32).value, 1001, accuracy: 1e-4)
    XCTAssertEqual(SmoothCeil.corrected(-3, temperature: 32).value, 0, accuracy: 1e-9)
  }

  func testDerivativesByFiniteDifferences() {
    let kinds: [CeilingKind] = [.sigmoidSum(temperature: 10), .corrected(temperature: 16), .corrected(temperature: 64)]
    for kind in kinds {
      var x = 0.05
      while x < 5 {
        let h = 1e-6
        let fd = (kind.evaluate(x + h).value - kind.evaluate(x - h).value) / (2 * h)
        XCTAssertEqual(kind.evaluate(x).grad, fd, accuracy: 1e-4 * max(1, abs(fd)), "\(kind) at \(x)")
        x += 0.037
      }
    }
    // Reference (Float): coarser step.
    for x in stride(from: 0.1, to: 4, by: 0.13) {
      let h = 1e-3
      let fd = (SmoothCeil.reference(x + h).value - SmoothCeil.reference(x - h).value) / (2 * h)
      XCTAssertEqual(SmoothCeil.reference(x).grad, fd, accuracy: 2e-2 * max(1, abs(fd)), "reference at \(x)")
    }
  }

  func testSamples() {
    let pts = SmoothCeil.samples(.corrected(temperature: 64), from: 0.5, to: 2.5, step: 0.5)
    XCTAssertEqual(pts.map(\.x), [0.5, 1, 1.5, 2, 2.5])
    XCTAssertEqual(pts.map(\.ceil), [1, 1, 2, 2, 3])
    for p in pts { XCTAssertEqual(p.value, p.ceil, accuracy: 0.02) }
    XCTAssertTrue(SmoothCeil.samples(.exact, from: 1, to: 0, step: 0.1).isEmpty)
    XCTAssertTrue(SmoothCeil.samples(.exact, from: 0, to: 1, step: 0).isEmpty)
  }

  func testTableText() {
    let t = ceilingErrorTable(temperatures: [16, 64])
    XCTAssertTrue(t.contains("corrected(T=64)"))
    XCTAssertTrue(t.contains("reference"))
    XCTAssertEqual(t.split(separator: "\n").count, 2 + 1 + 2 + 2)
  }

  func testInvalidTemperature() {
    XCTAssertThrowsError(try SystolicModel(ceiling: .corrected(temperature: 0)).cost(.conv(k: 3, cin: 8, cout: 8, out: 4))) {
      XCTAssertTrue("\($0)".contains("temperature"))
    }
  }

  // MARK: - No bound, never below x

  /// The smooth forms used to stop at 300 steps (`smooth_ceil(1e6, temp: 32)` was 300).
  func testSmoothFormsCoverAnyInput() {
    for x in [299.5, 300.5, 1e3 + 0.25, 1e6, 1e6 + 0.5, 1e9 + 0.75, 1e12] {
      for t in [1.0, 8.0, 32.0, 64.0, 1000.0] {
        let s = SmoothCeil.sigmoidSum(x, temperature: t).value
        let c = SmoothCeil.corrected(x, temperature: t).value
        XCTAssertGreaterThanOrEqual(s, x, "sigmoid T=\(t) at \(x)")
        XCTAssertLessThanOrEqual(s, x.rounded(.up) + 1, "sigmoid T=\(t) at \(x)")
        XCTAssertGreaterThanOrEqual(c, x, "corrected T=\(t) at \(x)")
        XCTAssertLessThanOrEqual(c, x.rounded(.up) + 1, "corrected T=\(t) at \(x)")
      }
    }
    XCTAssertEqual(SmoothCeil.sigmoidSum(1e6, temperature: 32).value, 1e6 + 0.5, accuracy: 1e-6)
    XCTAssertEqual(SmoothCeil.corrected(1e6 + 0.5, temperature: 32).value, 1e6 + 1, accuracy: 1e-4)
    // The explicit bound still saturates where asked for.
    XCTAssertEqual(SmoothCeil.sigmoidSum(1e6, temperature: 32, count: 300).value, 300, accuracy: 1e-9)
  }

  /// Both smooth forms stay on or above the line y = x (the lower envelope of ceil) for every
  /// temperature, so a utilization computed with them is never above 1.
  func testSmoothFormsNeverDipBelowX() {
    for t in [0.01, 0.5, 1, 2, 3, 4, 4.5, 5, 6, 8, 10, 16, 24, 32, 48, 64, 128, 512, 1e4] {
      var x = 0.0005
      while x < 6 {
        XCTAssertGreaterThanOrEqual(SmoothCeil.sigmoidSum(x, temperature: t).value, x, "sigmoid T=\(t) at \(x)")
        XCTAssertGreaterThanOrEqual(SmoothCeil.corrected(x, temperature: t).value, x, "corrected T=\(t) at \(x)")
        x += 0.0005
      }
    }
    // T >= 30 keeps the 4/T shift (the golden corrected values); lower temperatures shift less.
    XCTAssertEqual(SmoothCeil.correctedShift(temperature: 32), 4)
    XCTAssertEqual(SmoothCeil.correctedShift(temperature: 64), 4)
    XCTAssertEqual(SmoothCeil.correctedShift(temperature: 8), 2.684, accuracy: 1e-3)
    XCTAssertEqual(SmoothCeil.correctedShift(temperature: 3), 0)
  }

  /// Finite differences of the changed forms: low-temperature corrected (smaller shift) and
  /// both forms far beyond the old 300-step bound.
  func testDerivativesOfChangedFormsByFiniteDifferences() {
    let kinds: [CeilingKind] = [.corrected(temperature: 4.5), .corrected(temperature: 8), .corrected(temperature: 2),
                                .sigmoidSum(temperature: 32), .corrected(temperature: 32)]
    for kind in kinds {
      for base in [0.0, 299.0, 1e5] {
        var x = base + 0.05
        while x < base + 3 {
          let h = 1e-6
          let fd = (kind.evaluate(x + h).value - kind.evaluate(x - h).value) / (2 * h)
          // Large x: the value carries ~1e-11 absolute rounding, i.e. ~1e-5 in the quotient.
          XCTAssertEqual(kind.evaluate(x).grad, fd, accuracy: 1e-4 * max(1, abs(fd)) + (base > 0 ? 1e-4 : 0), "\(kind) at \(x)")
          x += 0.041
        }
      }
    }
  }
}
