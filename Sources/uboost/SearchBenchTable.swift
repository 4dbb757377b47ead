import Foundation
import UBoostBench
import UBoostNAS

// MARK: - uboost bench search: uboost against PyTorch, one process per cell

/// Each cell of the table runs in its own process (uboost re-executing itself with `--one`, and
/// `python3 torch_supernet.py`), so peak memory is that configuration's alone.
enum SearchBenchTable {
  /// One cell of the table (nil: not measured or failed).
  struct Row: Codable {
    var stage: String
    var batch: Int
    var threads: Int
    var uboostSeconds: Double?
    var torchSeconds: Double?
    /// uboost / PyTorch.
    var ratio: Double?
    /// uboost's own speed-up over its 1-thread cell of the same supernet and batch.
    var uboostSpeedup: Double?
    var torchSpeedup: Double?
    var uboostPeakMB: Double?
    /// Share of uboost's parallel loops its pool ran on one thread (workers slowing them down).
    var uboostSoloShare: Double?
    var torchPeakMB: Double?
  }

  struct Table: Codable {
    var warmup: Int
    var steps: Int
    var loadAverage: String?
    /// The machine's ceiling at the largest thread count before and after the cells (nil at 1
    /// thread): on a shared host it moves during the run.
    var ceilingBefore: KernelBenchmark.Ceiling?
    var ceilingAfter: KernelBenchmark.Ceiling?
    var rows: [Row]
  }

  /// Measures every cell and returns the Markdown table, followed by the table as one JSON line
  /// when `json` is set.
  static func run(threads: [Int], batches: [Int], warmup: Int, steps: Int, torchScript: String?, json: Bool = false) throws -> String {
    let me = URL(fileURLWithPath: CommandLine.arguments.first ?? "uboost").resolvingSymlinksInPath().path
    let python = ["/usr/bin/python3", "python3"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "python3"
    var torchNote = ""
    var torchAvailable = false
    if torchScript != nil {
      let probe = try? ChildProcess.run(python, ["-c", "import torch"])
      torchAvailable = probe?.status == 0
      if !torchAvailable { torchNote = "PyTorch baseline skipped: `import torch` failed (apt-get install -y python3-torch)." }
    } else {
      torchNote = "PyTorch baseline skipped: torch_supernet.py not found (set UBOOST_TORCH_BENCH)."
    }
    let loadBefore = loadAverage()
    // What the cores give to independent work, before the cells (so they do not load it).
    let most = threads.max() ?? 1
    let ceilingBefore = most > 1 ? KernelBenchmark.ceiling(threads: most) : nil
    var rows: [Row] = []
    for stage in ["micro", "channel"] {
      for b in batches {
        var base: (u: Double?, t: Double?) = (nil, nil)
        for t in threads {
          let u = try ChildProcess.run(me, ["bench", "search", "--one", "\(stage),\(b),\(t)", "--warmup", "\(warmup)", "--steps", "\(steps)"])
          var row = Row(stage: stage, batch: b, threads: t)
          row.uboostSeconds = parse(u.stdout, key: "stepSecondsMedian")
          row.uboostPeakMB = u.status == 0 ? u.peakRSSMB : nil
          if t > 1 { row.uboostSoloShare = parse(u.stdout, key: "soloLoopShare") }
          if torchAvailable, let script = torchScript {
            var args = [script, "--stage", stage, "--batch", "\(b)", "--threads", "\(t)", "--warmup", "\(warmup)",
                        "--steps", "\(steps)", "--forward-steps", "1"]
            if stage == "channel" { args += ["--ops", SearchBenchmark.referenceChannelOps.joined(separator: ",")] }
            let p = try ChildProcess.run(python, args)
            row.torchSeconds = parse(p.stdout, key: "step_s_median")
            row.torchPeakMB = p.status == 0 ? p.peakRSSMB : nil
          }
          if let us = row.uboostSeconds, let ts = row.torchSeconds, ts > 0 { row.ratio = us / ts }
          if t == 1 { base = (row.uboostSeconds, row.torchSeconds) }
          if t > 1 {
            if let b1 = base.u, let us = row.uboostSeconds, us > 0 { row.uboostSpeedup = b1 / us }
            if let b1 = base.t, let ts = row.torchSeconds, ts > 0 { row.torchSpeedup = b1 / ts }
          }
          rows.append(row)
        }
      }
    }
    let loadAfter = loadAverage()
    let ceilingAfter = most > 1 ? KernelBenchmark.ceiling(threads: most) : nil
    var out = "Seconds per search step (forward + backward + clip + SGD), 32x32x3 input, 10 classes, 128-channel stem;\n"
    out += "median of \(steps) steps after \(warmup) warm-up, each cell in its own process. ratio = uboost / PyTorch (<= 1 is the target);\n"
    out += "speed-up = the 1-thread cell's time / this cell's (same supernet, batch and run).\n"
    if let c = ceilingBefore { out += "Before the cells, " + KernelBenchmark.describe(c) + "; no speed-up can pass these here.\n" }
    if let c = ceilingAfter { out += "After the cells, " + KernelBenchmark.describe(c) + ".\n" }
    out += "Load average (1, 5, 15 min) before: \(loadBefore ?? "-"), after: \(loadAfter ?? "-").\n"
    out += "uboost 1-thr loops = share of its parallel loops run on one thread because the workers slowed them (fewer free cores than threads).\n\n"
    out += "| supernet | batch | threads | uboost s | PyTorch s | ratio | uboost speed-up | PyTorch speed-up | uboost peak MB | PyTorch peak MB | uboost 1-thr loops |\n"
    out += "|---|---|---|---|---|---|---|---|---|---|---|\n"
    for r in rows {
      out += "| \(r.stage) | \(r.batch) | \(r.threads) | \(fmt(r.uboostSeconds)) | \(fmt(r.torchSeconds)) | \(fmt(r.ratio, "%.2f")) | "
      out += "\(fmt(r.uboostSpeedup, "%.2fx")) | \(fmt(r.torchSpeedup, "%.2fx")) | \(fmt(r.uboostPeakMB, "%.0f")) | \(fmt(r.torchPeakMB, "%.0f")) | "
      out += "\(fmt(r.uboostSoloShare.map { $0 * 100 }, "%.0f%%")) |\n"
    }
    if !torchNote.isEmpty { out += "\n" + torchNote + "\n" }
    if json {
      let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys]
      let table = Table(warmup: warmup, steps: steps, loadAverage: loadBefore, ceilingBefore: ceilingBefore,
                        ceilingAfter: ceilingAfter, rows: rows)
      if let d = try? enc.encode(table), let line = String(data: d, encoding: .utf8) { out += "\n" + line + "\n" }
    }
    return out
  }

  /// The first three fields of /proc/loadavg ("1.02 0.88 0.61"), nil where unavailable.
  static func loadAverage() -> String? {
    guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
    let f = s.split(separator: " ").prefix(3)
    return f.count == 3 ? f.joined(separator: " ") : nil
  }

  static func fmt(_ v: Double?, _ f: String = "%.3f") -> String { v.map { String(format: f, $0) } ?? "-" }

  /// Reads `"key": number` from the last JSON line of `text`.
  static func parse(_ text: String, key: String) -> Double? {
    for line in text.split(separator: "\n").reversed() where line.hasPrefix("{") {
      guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
      if let v = obj[key] as? Double { return v }
      if let v = obj[key] as? Int { return Double(v) }
    }
    return nil
  }
}
