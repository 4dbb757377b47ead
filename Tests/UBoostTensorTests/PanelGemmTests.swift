import XCTest
@testable import UBoostTensor

/// The panel-split SGEMM (large products at more than one engine thread) against a Double loop,
/// for every transpose combination and both split directions (wide C splits columns, tall C rows).
final class PanelGemmTests: XCTestCase {
  func testPanelSplitMatchesDirectLoop() throws {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    var rng = RandomSource(seed: 7)
    for threads in [1, 2, 3] {
      Parallel.setThreads(threads)
      for (m, n, k) in [(70, 1000, 40), (900, 90, 30), (280, 192, 64), (5, 7, 3)] {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
          let a = (0..<(m * k)).map { _ in Float(rng.normal()) }
          let b = (0..<(k * n)).map { _ in Float(rng.normal()) }
          var c = [Float](repeating: 1, count: m * n)
          a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
              c.withUnsafeMutableBufferPointer { cp in
                sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 2, a: ap.baseAddress!, lda: ta ? m : k,
                      b: bp.baseAddress!, ldb: tb ? k : n, beta: 0.5, c: cp.baseAddress!, ldc: n)
              }
            }
          }
          var worst = 0.0
          for i in 0..<m {
            for j in 0..<n {
              var s = 0.0
              for p in 0..<k {
                let av = ta ? a[p * m + i] : a[i * k + p], bv = tb ? b[j * k + p] : b[p * n + j]
                s += Double(av) * Double(bv)
              }
              worst = max(worst, abs(Double(c[i * n + j]) - (2 * s + 0.5)))
            }
          }
          XCTAssertLessThan(worst, 1e-3, "threads \(threads) m \(m) n \(n) k \(k) transA \(ta) transB \(tb)")
        }
      }
    }
  }

  /// Split points are multiples of 16 within 8 of the even share, and the panels tile the range.
  func testPanelStartsAreNearestMultiplesOf16() {
    XCTAssertEqual(panelStart(1, of: 2, dim: 280), 144)  // rounding down gave 128: 128 / 152
    for dim in [64, 128, 280, 1000, 2520] {
      for panels in 1...Swift.max(1, Swift.min(4, dim / 64)) {
        XCTAssertEqual(panelStart(0, of: panels, dim: dim), 0)
        XCTAssertEqual(panelStart(panels, of: panels, dim: dim), dim)
        for p in 1..<panels {
          let s = panelStart(p, of: panels, dim: dim)
          XCTAssertEqual(s % 16, 0, "dim \(dim) panels \(panels) p \(p)")
          XCTAssertLessThanOrEqual(abs(s * panels - dim * p), 8 * panels, "dim \(dim) panels \(panels) p \(p)")
          XCTAssertGreaterThan(s, panelStart(p - 1, of: panels, dim: dim))
        }
      }
    }
  }
}
