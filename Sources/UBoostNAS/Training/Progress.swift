import Foundation

// MARK: - Progress display

/// Shows the progress of long work. On a terminal (stderr is a tty) it redraws one line with
/// `\r`: a bar, step/total, ETA, loss, accuracy, latency and utilization. Otherwise it writes a
/// plain log line every `logEvery` steps (and at the end).
///
/// ```swift
/// let p = Progress(title: "micro search 1/3", total: 100)
/// for s in 1...100 { p.update(step: s, loss: 0.5, acc: 0.8) }
/// p.finish()
/// ```
public final class Progress {
  /// Global switch (tests and batch jobs turn the display off).
  nonisolated(unsafe) public static var enabled = true
  /// Where plain log lines go (default: stderr). The language layer may redirect it.
  nonisolated(unsafe) public static var logSink: ((String) -> Void)? = nil

  let title: String
  let total: Int
  let tty: Bool
  let logEvery: Int
  let start = Date()
  var lastDraw = Date.distantPast
  var lastLine = ""

  public init(title: String, total: Int, logEvery: Int? = nil) {
    self.title = title
    self.total = max(total, 1)
    self.tty = isatty(2) != 0 && Progress.logSink == nil
    self.logEvery = logEvery ?? max(1, total / 10)
  }

  /// Reports step `step` (1-based) with optional metrics.
  public func update(step: Int, loss: Float? = nil, acc: Float? = nil, latency: Float? = nil, util: Float? = nil) {
    guard Progress.enabled else { return }
    let elapsed = Date().timeIntervalSince(start)
    let eta = step > 0 ? elapsed / Double(step) * Double(total - step) : 0
    var fields = ["\(step)/\(total)", "ETA \(Progress.clock(eta))"]
    if let l = loss { fields.append(String(format: "loss %.4f", l)) }
    if let a = acc { fields.append(String(format: "acc %.1f%%", a * 100)) }
    if let l = latency { fields.append(String(format: "lat %.3fms", l)) }
    if let u = util { fields.append(String(format: "util %.3f", u)) }
    if tty {
      let now = Date()
      guard now.timeIntervalSince(lastDraw) > 0.1 || step >= total else { return }
      lastDraw = now
      let width = 24
      let filled = min(width, step * width / total)
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      let line = "\(title) [\(bar)] " + fields.joined(separator: "  ")
      let pad = max(0, lastLine.count - line.count)
      FileHandle.standardError.write(("\r" + line + String(repeating: " ", count: pad)).data(using: .utf8) ?? Data())
      lastLine = line
    } else if step % logEvery == 0 || step >= total {
      Progress.log("\(title): " + fields.joined(separator: "  "))
    }
  }

  /// Ends the line (terminal mode).
  public func finish(summary: String? = nil) {
    guard Progress.enabled else { return }
    if tty {
      FileHandle.standardError.write("\n".data(using: .utf8) ?? Data())
    }
    if let s = summary { Progress.log("\(title): \(s)") }
  }

  /// Writes one log line.
  public static func log(_ s: String) {
    guard enabled else { return }
    if let sink = logSink { sink(s) } else { FileHandle.standardError.write((s + "\n").data(using: .utf8) ?? Data()) }
  }

  static func clock(_ t: Double) -> String {
    guard t.isFinite, t >= 0 else { return "--:--" }
    let s = Int(t.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
  }
}
