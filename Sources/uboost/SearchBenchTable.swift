import Foundation
import UBoostBench
import UBoostNAS

// MARK: - uboost bench search: uboost against PyTorch, one process per cell

/// Each cell of the table runs in its own process (uboost re-executing itself with `--one`, and
/// `python3 torch_supernet.py`), so peak memory is that configuration's alone.
enum SearchBenchTable {
  static func run(threads: [Int], batches: [Int], warmup: Int, steps: Int, torchScript: String?) throws -> String {
    let me = URL(fileURLWithPath: CommandLine.arguments.first ?? "uboost").resolvingSymlinksInPath().path
    let python = ["/usr/bin/python3", "python3"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "python3"
    var torchNote = ""
    var torchAvailable = false
    if let torchScript {
      let probe = try? ChildProcess.run(python, ["-c", "import torch"])
      torchAvailable = probe?.status == 0
      if !torchAvailable { torchNote = "PyTorch baseline skipped: `import torch` failed (apt-get install -y python3-torch)." }
      _ = torchScript
    } else {
      torchNote = "PyTorch baseline skipped: torch_supernet.py not found (set UBOOST_TORCH_BENCH)."
    }
    var out = "Seconds per search step (forward + backward + clip + SGD), 32x32x3 input, 10 classes, 128-channel stem;\n"
    out += "median of \(steps) steps after \(warmup) warm-up, each cell in its own process. ratio = uboost / PyTorch (<= 1 is the target).\n\n"
    out += "| supernet | batch | threads | uboost s | PyTorch s | ratio | uboost peak MB | PyTorch peak MB |\n"
    out += "|---|---|---|---|---|---|---|---|\n"
    for stage in ["micro", "channel"] {
      for b in batches {
        for t in threads {
          let u = try ChildProcess.run(me, ["bench", "search", "--one", "\(stage),\(b),\(t)", "--warmup", "\(warmup)", "--steps", "\(steps)"])
          let ur = parse(u.stdout, key: "stepSecondsMedian")
          var tr: Double?
          var tmem: Double?
          if torchAvailable, let script = torchScript {
            var args = [script, "--stage", stage, "--batch", "\(b)", "--threads", "\(t)", "--warmup", "\(warmup)",
                        "--steps", "\(steps)", "--forward-steps", "1"]
            if stage == "channel" { args += ["--ops", SearchBenchmark.referenceChannelOps.joined(separator: ",")] }
            let p = try ChildProcess.run(python, args)
            tr = parse(p.stdout, key: "step_s_median")
            tmem = p.status == 0 ? p.peakRSSMB : nil
          }
          let ratio = (ur != nil && tr != nil) ? String(format: "%.2f", ur! / tr!) : "-"
          out += "| \(stage) | \(b) | \(t) | \(fmt(ur)) | \(fmt(tr)) | \(ratio) | \(fmt(u.status == 0 ? u.peakRSSMB : nil, "%.0f")) | \(fmt(tmem, "%.0f")) |\n"
        }
      }
    }
    if !torchNote.isEmpty { out += "\n" + torchNote + "\n" }
    return out
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
