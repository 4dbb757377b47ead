import Dispatch
import Foundation
import UBoostTensor

// MARK: - Kernel benchmark

/// Measures the engine's kernels against SGEMM and memory bandwidth measured in the same run.
///
/// Kernels: SGEMM 512^3; conv 3x3 and 5x5 (N=8, 128->128 channels, 16x16, same padding) forward
/// and backward (data + weight gradients), each by Winograd (the engine's choice for these
/// sizes; rates count the direct conv's FLOPs) and by im2col + SGEMM; depthwise 5x5 on the same
/// sizes. Every kernel repetition runs back to back with an SGEMM repetition; the table gives
/// medians over the repetitions (after a warm-up) of the kernel's time, its GFLOP/s and its rate
/// as a fraction of the paired SGEMM rate. Depthwise is also given as a fraction of its
/// memory-bandwidth bound (minimum bytes it must move / streaming-triad bandwidth of the same run).
///
/// Both wall-clock and process-CPU-time figures are reported: on a machine shared with other work
/// the wall clock includes time the process was descheduled, CPU time does not (at 1 thread the
/// CPU-time figures are the kernel's own speed; at more threads they are per-thread rates).
///
/// ```swift
/// print(KernelBenchmark.run())             // at the current Parallel.threads
/// print(KernelBenchmark.run(threads: 1))
/// ```
public enum KernelBenchmark {
  /// One measured kernel (medians over the repetitions).
  public struct Row {
    public let name: String
    /// Wall-clock seconds per run.
    public let seconds: Double
    /// GFLOP/s by wall clock.
    public let gflops: Double
    /// Kernel rate / paired SGEMM rate, by wall clock.
    public let ofSgemm: Double
    /// GFLOP/s per thread by process CPU time.
    public let cpuGflopsPerThread: Double
    /// Kernel rate / paired SGEMM rate, by CPU time.
    public let cpuOfSgemm: Double
    /// Wall-clock rate / memory-bandwidth-bound rate (depthwise only).
    public let ofBandwidthBound: Double?
  }

  /// Runs the benchmark and returns a printable table. `threads` temporarily overrides
  /// `Parallel.threads`; `reps` is the number of timed repetitions per kernel.
  public static func run(threads: Int? = nil, reps: Int = 9) -> String {
    let saved = Parallel.threads
    if let t = threads { Parallel.setThreads(t) }
    defer { Parallel.setThreads(saved) }
    let (rows, bandwidth) = measure(reps: Swift.max(reps, 1))
    return format(rows, bandwidth: bandwidth)
  }

  /// The measured rows and the triad bandwidth in GB/s.
  public static func measure(reps: Int = 9) -> ([Row], Double) {
    var rows: [Row] = []
    let m = 512
    let a = randomBuffer(m * m, seed: 1), b = randomBuffer(m * m, seed: 2)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: m * m)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    let gemmFlops = 2.0 * Double(m * m * m)
    let runGemm = { sgemm(transA: false, transB: false, m: m, n: m, k: m, a: a, lda: m, b: b, ldb: m, beta: 0, c: c, ldc: m) }

    func row(_ name: String, flops: Double, bytes: Double?, bandwidth: Double, _ body: () -> Void) -> Row {
      let s = paired(reps, reference: runGemm, body)
      let rate = flops / s.wall / 1e9
      let bound = bytes.map { flops / ($0 / (bandwidth * 1e9)) / 1e9 }
      return Row(name: name, seconds: s.wall, gflops: rate, ofSgemm: s.wallRatio * flops / gemmFlops,
                 cpuGflopsPerThread: flops / s.cpu / 1e9, cpuOfSgemm: s.cpuRatio * flops / gemmFlops,
                 ofBandwidthBound: bound.map { rate / $0 })
    }

    let bw = triadBandwidth(reps: reps)
    let ref = row("sgemm 512^3", flops: gemmFlops, bytes: nil, bandwidth: bw, runGemm)
    // The reference row is 100% by definition (its paired ratio would only show timing noise).
    rows.append(Row(name: ref.name, seconds: ref.seconds, gflops: ref.gflops, ofSgemm: 1,
                    cpuGflopsPerThread: ref.cpuGflopsPerThread, cpuOfSgemm: 1, ofBandwidthBound: nil))

    // Convs: N=8, 128 -> 128, 16x16, same padding.
    for (k, groups) in [(3, 1), (5, 1), (5, 128)] {
      guard let g = try? ConvGeometry(x: [8, 128, 16, 16], w: [128, 128 / groups, k, k], stride: 1,
                                      padding: .same, dilation: 1, groups: groups) else { continue }
      let xs = g.n * g.cin * g.hwIn, ws = g.cout * g.kSize, ys = g.n * g.cout * g.hwOut
      let x = randomBuffer(xs, seed: 3), w = randomBuffer(ws, seed: 4), y = randomBuffer(ys, seed: 5)
      let dx = UnsafeMutablePointer<Float>.allocate(capacity: xs), dw = UnsafeMutablePointer<Float>.allocate(capacity: ws)
      defer { x.deallocate(); w.deallocate(); y.deallocate(); dx.deallocate(); dw.deallocate() }
      let flops = 2.0 * Double(g.n * g.cout * g.hwOut * g.kSize)
      let name = groups == 1 ? "conv \(k)x\(k)" : "depthwise \(k)x\(k)"
      // Minimum traffic: forward reads x and w, writes y; backward reads x, w, dy, writes dx, dw.
      let bytesF = groups > 1 ? Double(xs + ws + ys) * 4 : nil
      let bytesB = groups > 1 ? Double(2 * xs + 2 * ws + ys) * 4 : nil
      // Dense convs twice: the engine's choice (Winograd for these sizes) and im2col + SGEMM.
      // Both count the direct conv's FLOPs, so Winograd's row can pass 100% of SGEMM.
      for wino in groups == 1 ? [true, false] : [true] {
        let label = groups > 1 ? name : name + (wino ? " winograd" : " im2col")
        rows.append(row(label + " fwd", flops: flops, bytes: bytesF, bandwidth: bw) { convForward(x, w, nil, y, g, algorithm: wino ? .auto : .im2col) })
        rows.append(row(label + " bwd (dx+dw)", flops: 2 * flops, bytes: bytesB, bandwidth: bw) {
          dx.update(repeating: 0, count: xs)
          dw.update(repeating: 0, count: ws)
          convBackward(x, w, y, dx, dw, g, algorithm: wino ? .auto : .im2col)
        })
      }
    }
    return (rows, bw)
  }

  // MARK: Winograd crossover

  /// Forward + backward (dx and dw) milliseconds of one conv by Winograd and by im2col + SGEMM
  /// (stride 1, same padding), medians of `reps`, and whether `conv2d` picks Winograd for it.
  /// `winograd` is nil when no Winograd plan exists for the shape. The measurement the
  /// Winograd plan's cost model (`Winograd.plan`) was fitted to.
  public static func compareConv(n: Int, cin: Int, cout: Int, hw: Int, k: Int, dilation: Int = 1, reps: Int = 5) throws
    -> (winograd: Double?, im2col: Double, picksWinograd: Bool) {
    // Sizes are checked (and compared with the free memory) before anything is allocated.
    _ = try Shape.count([n, cin, hw, hw], op: "bench --conv")
    _ = try Shape.count([cout, cin, k, k], op: "bench --conv")
    let g = try ConvGeometry(x: [n, cin, hw, hw], w: [cout, cin, k, k], stride: 1, padding: .same, dilation: dilation, groups: 1)
    let xs = g.n * g.cin * g.hwIn, ws = g.cout * g.kSize, ys = g.n * g.cout * g.hwOut
    let x = randomBuffer(xs, seed: 3), w = randomBuffer(ws, seed: 4), y = randomBuffer(ys, seed: 5)
    let dx = UnsafeMutablePointer<Float>.allocate(capacity: xs), dw = UnsafeMutablePointer<Float>.allocate(capacity: ws)
    defer { x.deallocate(); w.deallocate(); y.deallocate(); dx.deallocate(); dw.deallocate() }
    func time(_ a: ConvAlgorithm) -> Double {
      paired(Swift.max(reps, 1), reference: {}) {
        convForward(x, w, nil, y, g, algorithm: a)
        dw.update(repeating: 0, count: ws)
        convBackward(x, w, y, dx, dw, g, algorithm: a)
      }.wall * 1e3
    }
    let (exists, picked) = winogradChoice(g)
    return (exists ? time(.winograd) : nil, time(.im2col), picked)
  }

  // MARK: Helpers

  /// Triad `a = b + s * c` over 3 x 16M floats (192 MB), GB/s of the bytes touched (3 arrays).
  static func triadBandwidth(reps: Int) -> Double {
    let n = 16 << 20
    let a = randomBuffer(n, seed: 7), b = randomBuffer(n, seed: 8), c = randomBuffer(n, seed: 9)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    let t = paired(reps, reference: {}) {
      Parallel.forRanges(n, grain: 1 << 16) { r in
        let s: Float = 1.5
        let pa = a + r.lowerBound, pb = b + r.lowerBound, pc = c + r.lowerBound
        for i in 0..<r.count { pa[i] = pb[i] + s * pc[i] }
      }
    }
    return Double(3 * n * 4) / t.wall / 1e9
  }

  static func randomBuffer(_ n: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
    var rng = RandomSource(seed: seed)
    for i in 0..<n { p[i] = Float(rng.uniformDouble()) - 0.5 }
    return p
  }

  /// Medians of a kernel's wall and CPU time and of the (reference time / kernel time) ratios.
  struct Sample { let wall, cpu, wallRatio, cpuRatio: Double }

  static func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  static func wallSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  /// Runs `reference` then `body` back to back `reps` times (after one warm-up of each).
  static func paired(_ reps: Int, reference: () -> Void, _ body: () -> Void) -> Sample {
    reference(); body()
    var wall: [Double] = [], cpu: [Double] = [], wr: [Double] = [], cr: [Double] = []
    for _ in 0..<reps {
      let w0 = wallSeconds(), c0 = cpuSeconds()
      reference()
      let w1 = wallSeconds(), c1 = cpuSeconds()
      body()
      let w2 = wallSeconds(), c2 = cpuSeconds()
      let tw = Swift.max(w2 - w1, 1e-9), tc = Swift.max(c2 - c1, 1e-9)
      wall.append(tw); cpu.append(tc)
      wr.append((w1 - w0) / tw); cr.append((c1 - c0) / tc)
    }
    func med(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
    return Sample(wall: med(wall), cpu: med(cpu), wallRatio: med(wr), cpuRatio: med(cr))
  }

  static func format(_ rows: [Row], bandwidth: Double) -> String {
    func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
    func pct(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
    var out = "kernel benchmark: \(Parallel.threads) thread(s), BLAS core \(BLASCore.name), "
      + "triad bandwidth \(String(format: "%.1f", bandwidth)) GB/s\n"
    out += pad("kernel", 34) + pad("ms", 9) + pad("GFLOP/s", 9) + pad("of sgemm", 10) + pad("cpu GF/s", 10)
      + pad("cpu of sgemm", 14) + "of bw bound\n"
    for r in rows {
      out += pad(r.name, 34) + pad(String(format: "%.3f", r.seconds * 1e3), 9) + pad(String(format: "%.1f", r.gflops), 9)
        + pad(pct(r.ofSgemm), 10) + pad(String(format: "%.1f", r.cpuGflopsPerThread), 10) + pad(pct(r.cpuOfSgemm), 14)
        + pct(r.ofBandwidthBound) + "\n"
    }
    return out
  }
}
