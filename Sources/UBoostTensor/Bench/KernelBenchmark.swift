import Dispatch
import Foundation

// MARK: - Kernel benchmark

/// Measures the engine's kernels against SGEMM and memory bandwidth measured in the same run.
///
/// Reports GFLOP/s (median of several repetitions after a warm-up) for: SGEMM 512^3; conv 3x3 and
/// 5x5 (N=8, 128->128 channels, 16x16, same padding) forward and backward (data + weight
/// gradients); depthwise 5x5 on the same sizes. Convs are given as a fraction of SGEMM;
/// depthwise also as a fraction of its memory-bandwidth bound (bytes it must move / triad
/// bandwidth).
///
/// ```swift
/// print(KernelBenchmark.run())             // at the current Parallel.threads
/// print(KernelBenchmark.run(threads: 1))
/// ```
public enum KernelBenchmark {
  /// One measured kernel.
  public struct Row {
    public let name: String
    public let seconds: Double
    public let gflops: Double
    public let ofSgemm: Double?
    public let ofBandwidthBound: Double?
  }

  /// Runs the benchmark and returns a printable table. `threads` temporarily overrides
  /// `Parallel.threads`; `reps` is the number of timed repetitions per kernel (median reported).
  public static func run(threads: Int? = nil, reps: Int = 7) -> String {
    let saved = Parallel.threads
    if let t = threads { Parallel.setThreads(t) }
    defer { Parallel.setThreads(saved) }
    let (rows, bandwidth) = measure(reps: Swift.max(reps, 1))
    return format(rows, bandwidth: bandwidth)
  }

  /// The measured rows and the triad bandwidth in GB/s.
  public static func measure(reps: Int = 7) -> ([Row], Double) {
    var rows: [Row] = []
    // SGEMM 512^3
    let m = 512
    let a = randomBuffer(m * m, seed: 1), b = randomBuffer(m * m, seed: 2)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: m * m)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    let tg = median(reps) {
      sgemm(transA: false, transB: false, m: m, n: m, k: m, a: a, lda: m, b: b, ldb: m, beta: 0, c: c, ldc: m)
    }
    let gemmFlops = 2.0 * Double(m * m * m)
    let gemmRate = gemmFlops / tg / 1e9
    rows.append(Row(name: "sgemm 512^3", seconds: tg, gflops: gemmRate, ofSgemm: 1, ofBandwidthBound: nil))

    let bw = triadBandwidth(reps: reps)

    // Convs: N=8, 128 -> 128, 16x16, same padding.
    for (k, groups) in [(3, 1), (5, 1), (5, 128)] {
      guard let g = try? ConvGeometry(x: [8, 128, 16, 16], w: [128, 128 / groups, k, k], stride: 1,
                                      padding: .same, dilation: 1, groups: groups) else { continue }
      let xs = g.n * g.cin * g.hwIn, ws = g.cout * g.kSize, ys = g.n * g.cout * g.hwOut
      let x = randomBuffer(xs, seed: 3), w = randomBuffer(ws, seed: 4), y = randomBuffer(ys, seed: 5)
      let dx = UnsafeMutablePointer<Float>.allocate(capacity: xs), dw = UnsafeMutablePointer<Float>.allocate(capacity: ws)
      defer { x.deallocate(); w.deallocate(); y.deallocate(); dx.deallocate(); dw.deallocate() }
      let flops = 2.0 * Double(g.n * g.cout * g.hwOut * g.kSize)
      let tf = median(reps) { convForward(x, w, nil, y, g) }
      let tb = median(reps) {
        dx.update(repeating: 0, count: xs)
        dw.update(repeating: 0, count: ws)
        convBackward(x, w, y, dx, dw, g)
      }
      let name = groups == 1 ? "conv \(k)x\(k)" : "depthwise \(k)x\(k)"
      var boundF: Double? = nil, boundB: Double? = nil
      if groups > 1 {
        // Minimum traffic: forward reads x and w, writes y; backward reads x, w, dy and writes dx, dw.
        let bytesF = Double(xs + ws + ys) * 4, bytesB = Double(2 * xs + 2 * ws + ys) * 4
        boundF = flops / (bytesF / (bw * 1e9)) / 1e9
        boundB = 2 * flops / (bytesB / (bw * 1e9)) / 1e9
      }
      let rf = flops / tf / 1e9, rb = 2 * flops / tb / 1e9
      rows.append(Row(name: name + " fwd", seconds: tf, gflops: rf, ofSgemm: rf / gemmRate, ofBandwidthBound: boundF.map { rf / $0 }))
      rows.append(Row(name: name + " bwd (dx+dw)", seconds: tb, gflops: rb, ofSgemm: rb / gemmRate, ofBandwidthBound: boundB.map { rb / $0 }))
    }
    return (rows, bw)
  }

  // MARK: Helpers

  /// Triad `a = b + s * c` over 3 x 16M floats (192 MB), GB/s of the bytes touched (3 arrays).
  static func triadBandwidth(reps: Int) -> Double {
    let n = 16 << 20
    let a = randomBuffer(n, seed: 7), b = randomBuffer(n, seed: 8), c = randomBuffer(n, seed: 9)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    let t = median(reps) {
      Parallel.forRanges(n, grain: 1 << 16) { r in
        let s: Float = 1.5
        let pa = a + r.lowerBound, pb = b + r.lowerBound, pc = c + r.lowerBound
        for i in 0..<r.count { pa[i] = pb[i] + s * pc[i] }
      }
    }
    return Double(3 * n * 4) / t / 1e9
  }

  static func randomBuffer(_ n: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
    var rng = RandomSource(seed: seed)
    for i in 0..<n { p[i] = Float(rng.uniformDouble()) - 0.5 }
    return p
  }

  /// Median wall time of `reps` runs of `body` after one warm-up run.
  static func median(_ reps: Int, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<reps {
      let t0 = DispatchTime.now().uptimeNanoseconds
      body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    times.sort()
    return times[times.count / 2]
  }

  static func format(_ rows: [Row], bandwidth: Double) -> String {
    func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
    func pct(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
    var out = "kernel benchmark: \(Parallel.threads) thread(s), triad bandwidth \(String(format: "%.1f", bandwidth)) GB/s\n"
    out += pad("kernel", 26) + pad("ms", 10) + pad("GFLOP/s", 10) + pad("of sgemm", 10) + "of bw bound\n"
    for r in rows {
      out += pad(r.name, 26) + pad(String(format: "%.3f", r.seconds * 1e3), 10) + pad(String(format: "%.1f", r.gflops), 10)
        + pad(pct(r.ofSgemm), 10) + pct(r.ofBandwidthBound) + "\n"
    }
    return out
  }
}
