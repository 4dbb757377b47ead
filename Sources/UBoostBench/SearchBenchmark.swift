import Foundation
import UBoostNAS
import UBoostTensor

// MARK: - Search step benchmark

/// Times one search step (zero-grad, forward with latency and utilization, loss = CE + latency -
/// util, backward, grad-norm clip 0.5, SGD lr 1e-3 momentum 0.8 wd 3e-4) of the reference-sized
/// supernets, exactly as shared/bench/torch_supernet.py does for PyTorch: 32x32x3 input,
/// 128-channel stem, 10 classes, N(0,1) batch, random labels, reference smooth ceiling and
/// aggregation.
///
/// ```swift
/// print(SearchBenchmark.run(threads: [1, 2], batches: [8, 32]))
/// ```
public enum SearchBenchmark {
  /// The channel-stage ops of the reference timing bench (bench_ref.py, seed 1).
  public static let referenceChannelOps = ["zero", "conv3x3", "conv3x3", "dil3x3", "sep5x5", "dil3x3", "dil3x3", "dil3x3", "sep3x3"]

  public struct Result: Codable, Equatable {
    public var stage: String
    public var batch: Int
    public var threads: Int
    public var weightParams: Int
    public var archParams: Int
    public var stepSecondsMedian: Double
    public var stepSecondsMin: Double
    public var stepSecondsAll: [Double]
    public var forwardSecondsMedian: Double
    public var peakRSSMB: Double
    /// Share of the timed steps' parallel loops the worker pool ran on one thread because the
    /// workers were slowing them down (fewer free cores than threads; `Parallel.poolStatistics`).
    public var soloLoopShare: Double

    /// One JSON line in the shape torch_supernet.py prints.
    public var jsonLine: String {
      let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys]
      return (try? enc.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
  }

  /// Builds the supernet of `stage` (`.micro` or `.channel`) with the reference's size.
  public static func referenceSupernet(stage: SearchStage, seed: UInt64 = 0) throws -> Supernet {
    let space = SearchSpaceConfig()
    switch stage {
    case .micro, .final:
      return try Supernet(space: space, stage: .micro, seed: seed, cost: HardwareCost.reference(), aggregation: .reference)
    case .channel:
      var ops: [String: CandidateOp] = [:]
      for (e, n) in zip(space.edges, referenceChannelOps) { ops[e.name] = CandidateOp.parse(n) ?? .zero }
      return try Supernet(space: space, stage: .channel, genotype: Genotype(cells: [CellGenotype(ops: ops)]), seed: seed,
                          cost: HardwareCost.reference(), aggregation: .reference)
    }
  }

  /// Measures one configuration.
  public static func measure(stage: SearchStage, batch: Int, threads: Int, warmup: Int = 2, steps: Int = 5,
                             forwardSteps: Int = 2) throws -> Result {
    guard batch >= 1, batch <= 4096, threads >= 1, warmup >= 0, steps >= 1 else {
      throw NASError.invalidConfig("benchmark needs batch >= 1, threads >= 1, steps >= 1")
    }
    let saved = Parallel.threads
    Parallel.setThreads(threads)
    defer { Parallel.setThreads(saved) }
    let net = try referenceSupernet(stage: stage)
    var rng = RandomSource(seed: 0)
    let x = try Tensor.randn([batch, 3, 32, 32], rng: &rng)
    let y = (0..<batch).map { _ in rng.int(below: 10) }
    let weights = net.weights
    let sgd = try SGD(lr: 1e-3, momentum: 0.8, weightDecay: 3e-4)
    let lossFn = SearchLosses.hardwareAware(latCoef: 1, utilCoef: 1)
    var times: [Double] = []
    var pool0 = Parallel.poolStatistics
    for i in 0..<(warmup + steps) {
      if i == warmup { pool0 = Parallel.poolStatistics }
      try EngineInterrupt.check()
      let t0 = DispatchTime.now().uptimeNanoseconds
      zeroGrad(weights + net.alphas)
      let out = try net.forward(x, training: true)
      let l = try lossFn(out, y)
      guard (try l.item()).isFinite else { throw NASError.nanLoss(stage: "benchmark", epoch: 0, step: i + 1) }
      try l.backward()
      try sgd.step(weights, clippingTo: 0.5)
      let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
      if i >= warmup { times.append(dt) }
    }
    let timedLoops = Parallel.poolStatistics.since(pool0)
    var fwd: [Double] = []
    try withNoGrad {
      for i in 0..<(1 + forwardSteps) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = try net.forward(x, training: false)
        if i > 0 { fwd.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) }
      }
    }
    return Result(stage: stage.rawValue, batch: batch, threads: threads, weightParams: net.weightCount, archParams: net.alphaCount,
                  stepSecondsMedian: median(times), stepSecondsMin: times.min() ?? 0, stepSecondsAll: times,
                  forwardSecondsMedian: median(fwd), peakRSSMB: peakRSSMB(),
                  soloLoopShare: timedLoops.soloShare)
  }

  /// Runs every stage x batch x thread combination and returns a Markdown table (plus one JSON
  /// line per measurement below it).
  public static func run(threads: [Int] = [1, 2], batches: [Int] = [8, 32], stages: [SearchStage] = [.micro, .channel],
                         warmup: Int = 2, steps: Int = 5) -> String {
    var rows = ["| supernet | batch | threads | step s (median) | step s (min) | forward s | peak RSS MB |",
                "|---|---|---|---|---|---|---|"]
    var json: [String] = []
    for stage in stages {
      for b in batches {
        for t in threads {
          do {
            let r = try measure(stage: stage, batch: b, threads: t, warmup: warmup, steps: steps)
            rows.append(String(format: "| %@ (%d weights) | %d | %d | %.3f | %.3f | %.3f | %.0f |", stage.rawValue, r.weightParams,
                               b, t, r.stepSecondsMedian, r.stepSecondsMin, r.forwardSecondsMedian, r.peakRSSMB))
            json.append(r.jsonLine)
          } catch {
            rows.append("| \(stage.rawValue) | \(b) | \(t) | error: \(error) | | | |")
          }
        }
      }
    }
    return (rows + [""] + json).joined(separator: "\n")
  }

  static func median(_ a: [Double]) -> Double {
    guard !a.isEmpty else { return 0 }
    let s = a.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  /// Peak resident set size of this process (getrusage ru_maxrss, KiB on Linux) in MB.
  public static func peakRSSMB() -> Double {
    var u = rusage()
    getrusage(0, &u)  // RUSAGE_SELF
    return Double(u.ru_maxrss) / 1024
  }
}
