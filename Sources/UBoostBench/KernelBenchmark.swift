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
/// At more than one thread the table starts with the machine's ceiling (`ceiling(threads:)`):
/// how much faster independent single-thread streams run together than one alone. The rates
/// are wall-clock rates; process CPU time is not reported (at 2 threads it counts the worker
/// pool's spinning between loops, and Linux updates other threads' CPU time only at ticks,
/// 4 ms, longer than most of these kernels).
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
    /// Wall-clock rate / memory-bandwidth-bound rate (depthwise only).
    public let ofBandwidthBound: Double?
  }

  /// Runs the benchmark and returns a printable table. `threads` temporarily overrides
  /// `Parallel.threads`; `reps` is the number of timed repetitions per kernel.
  public static func run(threads: Int? = nil, reps: Int = 9) -> String {
    let saved = Parallel.threads
    if let t = threads { Parallel.setThreads(t) }
    defer { Parallel.setThreads(saved) }
    let t = Parallel.threads
    let head = t > 1 ? describe(ceiling(threads: t)) + "\n" : ""
    let (rows, bandwidth) = measure(reps: Swift.max(reps, 1))
    return head + format(rows, bandwidth: bandwidth)
  }

  /// The measured rows and the triad bandwidth in GB/s.
  public static func measure(reps: Int = 9) -> ([Row], Double) {
    var rows: [Row] = []
    let m = GemmStream.m
    let gemm = GemmStream(seed: 1)
    let gemmFlops = 2.0 * Double(m * m * m)
    let runGemm = { gemm.run(1) }

    func row(_ name: String, flops: Double, bytes: Double?, bandwidth: Double, _ body: () -> Void) -> Row {
      let s = paired(reps, reference: runGemm, body)
      let rate = flops / s.wall / 1e9
      let bound = bytes.map { flops / ($0 / (bandwidth * 1e9)) / 1e9 }
      return Row(name: name, seconds: s.wall, gflops: rate, ofSgemm: s.wallRatio * flops / gemmFlops,
                 ofBandwidthBound: bound.map { rate / $0 })
    }

    let bw = triadBandwidth(reps: reps)
    let ref = row("sgemm 512^3", flops: gemmFlops, bytes: nil, bandwidth: bw, runGemm)
    // The reference row is 100% by definition (its paired ratio would only show timing noise).
    rows.append(Row(name: ref.name, seconds: ref.seconds, gflops: ref.gflops, ofSgemm: 1, ofBandwidthBound: nil))

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

  // MARK: Machine ceiling

  /// What `threads` cores of this machine give to work that needs no coordination at all,
  /// measured in this run: no program's speed-up over one thread can pass it here (cache effects
  /// aside). On a VM two "cores" may be two hyperthreads of one physical core, or share it with
  /// other guests: the 2-vCPU Zen 3 VM of docs/performance.md gave 1.43-2.06x, moving with the
  /// host's load.
  public struct Ceiling: Codable, Equatable {
    public let threads: Int
    /// `threads` independent single-thread SGEMM 512^3 streams (own buffers, one OS thread
    /// each) running together, over one stream alone (aggregate GFLOP/s ratio).
    public let compute: Double
    /// Streaming-triad bandwidth at `threads` engine threads over 1 thread.
    public let memory: Double
  }

  /// Measures `Ceiling` for `threads` (medians of `reps` alternating alone / together rounds of
  /// ~0.1 s each). Runs the streams at the engine's 1-thread setting and restores it.
  public static func ceiling(threads: Int, reps: Int = 5) -> Ceiling {
    let t = Swift.max(1, Swift.min(threads, 64))
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    Parallel.setThreads(1)
    let streams = (0..<t).map { GemmStream(seed: UInt64(20 + $0)) }
    streams[0].run(2)
    let w0 = wallSeconds()
    streams[0].run(3)
    let count = Swift.max(5, Int(0.1 / Swift.max((wallSeconds() - w0) / 3, 1e-6)))
    var ratios: [Double] = []
    for _ in 0..<Swift.max(1, reps) {
      let a0 = wallSeconds()
      streams[0].run(count)
      let alone = wallSeconds() - a0
      let done = DispatchSemaphore(value: 0)
      let b0 = wallSeconds()
      for s in 1..<t {
        let stream = streams[s]
        Thread { stream.run(count); done.signal() }.start()
      }
      streams[0].run(count)
      for _ in 1..<t { done.wait() }
      let together = wallSeconds() - b0
      ratios.append(Double(t) * alone / Swift.max(together, 1e-9))
    }
    let bw = triadBandwidths(reps: reps, threads: [1, t])
    let sorted = ratios.sorted()
    return Ceiling(threads: t, compute: sorted[sorted.count / 2], memory: bw[1] / Swift.max(bw[0], 1e-9))
  }

  /// One SGEMM 512^3 stream's buffers (the benchmark's reference kernel), owned by one thread
  /// at a time.
  final class GemmStream: @unchecked Sendable {
    static let m = 512
    let a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>
    init(seed: UInt64) {
      a = randomBuffer(Self.m * Self.m, seed: seed)
      b = randomBuffer(Self.m * Self.m, seed: seed + 1000)
      c = UnsafeMutablePointer<Float>.allocate(capacity: Self.m * Self.m)
    }
    deinit { a.deallocate(); b.deallocate(); c.deallocate() }
    func run(_ count: Int) {
      let m = Self.m
      for _ in 0..<count { sgemm(transA: false, transB: false, m: m, n: m, k: m, a: a, lda: m, b: b, ldb: m, beta: 0, c: c, ldc: m) }
    }
  }

  /// "machine ceiling at 2 threads: ..." (one line).
  public static func describe(_ c: Ceiling) -> String {
    String(format: "machine ceiling at %d threads: %.2fx for %d independent 1-thread SGEMM streams, %.2fx triad bandwidth",
           c.threads, c.compute, c.threads, c.memory)
  }

  // MARK: Helpers

  /// Triad `a = b + s * c` over 3 x 16M floats (192 MB), GB/s of the bytes touched (3 arrays),
  /// at the current thread count.
  static func triadBandwidth(reps: Int) -> Double {
    triadBandwidths(reps: reps, threads: [Parallel.threads])[0]
  }

  /// The triad's GB/s at each of `threads` engine thread counts, over one set of buffers (filling
  /// them costs more than a measurement); restores the thread setting.
  static func triadBandwidths(reps: Int, threads: [Int]) -> [Double] {
    let n = 16 << 20
    let a = randomBuffer(n, seed: 7), b = randomBuffer(n, seed: 8), c = randomBuffer(n, seed: 9)
    let saved = Parallel.threads
    defer { a.deallocate(); b.deallocate(); c.deallocate(); Parallel.setThreads(saved) }
    return threads.map { t in
      Parallel.setThreads(t)
      let s = paired(reps, reference: {}) {
        Parallel.forRanges(n, grain: 1 << 16) { r in
          let s: Float = 1.5
          let pa = a + r.lowerBound, pb = b + r.lowerBound, pc = c + r.lowerBound
          for i in 0..<r.count { pa[i] = pb[i] + s * pc[i] }
        }
      }
      return Double(3 * n * 4) / s.wall / 1e9
    }
  }

  static func randomBuffer(_ n: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
    var rng = RandomSource(seed: seed)
    for i in 0..<n { p[i] = Float(rng.uniformDouble()) - 0.5 }
    return p
  }

  /// Medians of a kernel's wall time and of the (reference time / kernel time) ratios.
  struct Sample { let wall, wallRatio: Double }

  static func wallSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  /// Runs `reference` then `body` back to back `reps` times (after one warm-up of each).
  static func paired(_ reps: Int, reference: () -> Void, _ body: () -> Void) -> Sample {
    reference(); body()
    var wall: [Double] = [], wr: [Double] = []
    for _ in 0..<reps {
      let w0 = wallSeconds()
      reference()
      let w1 = wallSeconds()
      body()
      let tw = Swift.max(wallSeconds() - w1, 1e-9)
      wall.append(tw)
      wr.append((w1 - w0) / tw)
    }
    func med(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
    return Sample(wall: med(wall), wallRatio: med(wr))
  }

  static func format(_ rows: [Row], bandwidth: Double) -> String {
    func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
    func pct(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
    var out = "kernel benchmark: \(Parallel.threads) thread(s), BLAS core \(BLASCore.name), "
      + "triad bandwidth \(String(format: "%.1f", bandwidth)) GB/s\n"
    out += pad("kernel", 34) + pad("ms", 9) + pad("GFLOP/s", 9) + pad("of sgemm", 10) + "of bw bound\n"
    for r in rows {
      out += pad(r.name, 34) + pad(String(format: "%.3f", r.seconds * 1e3), 9) + pad(String(format: "%.1f", r.gflops), 9)
        + pad(pct(r.ofSgemm), 10) + pct(r.ofBandwidthBound) + "\n"
    }
    return out
  }
}
