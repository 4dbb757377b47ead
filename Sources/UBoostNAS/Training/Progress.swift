import Foundation

// MARK: - Progress display

/// Shows the progress of long work. On a terminal (stderr is a tty) it redraws one line with
/// `\r`: a bar, step/total, ETA, loss, accuracy, latency and utilization. Otherwise it writes a
/// plain log line every `logEvery` steps (and at the end).
///
/// Where it goes is a `ProgressOutput` value the caller owns (the search loop's, the trainer's,
/// the pipeline's): no process-wide switch, so two searches in one process can report apart.
///
/// ```swift
/// let p = Progress(title: "micro search 1/3", total: 100, output: ProgressOutput())
/// for s in 1...100 { p.update(step: s, loss: 0.5, acc: 0.8) }
/// p.finish()
/// ```
public final class Progress {
  let output: ProgressOutput
  let title: String
  let total: Int
  let tty: Bool
  let logEvery: Int
  let start = Date()
  var lastDraw = Date.distantPast
  var lastLine = ""

  public init(title: String, total: Int, logEvery: Int? = nil, output: ProgressOutput = ProgressOutput()) {
    self.output = output
    self.title = title
    self.total = max(total, 1)
    self.tty = isatty(2) != 0 && output.sink == nil
    self.logEvery = logEvery ?? max(1, total / 10)
  }

  /// Reports step `step` (1-based) with optional metrics.
  public func update(step: Int, loss: Float? = nil, acc: Float? = nil, latency: Float? = nil, util: Float? = nil) {
    guard output.enabled else { return }
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
      output.log("\(title): " + fields.joined(separator: "  "))
    }
  }

  /// Ends the line (terminal mode).
  public func finish(summary: String? = nil) {
    guard output.enabled else { return }
    if tty {
      FileHandle.standardError.write("\n".data(using: .utf8) ?? Data())
    }
    if let s = summary { output.log("\(title): \(s)") }
  }

  static func clock(_ t: Double) -> String {
    guard t.isFinite, t >= 0 else { return "--:--" }
    let s = Int(t.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
  }
}

// MARK: - Where progress goes

/// Whether progress is shown and where its plain log lines go; owned by whoever runs the work
/// (`SearchLoop.progress`, `FinalTrainer.progress`, `Pipeline.run(progress:)`; the language
/// layer passes its interpreter's setting).
///
/// ```swift
/// var quiet = ProgressOutput(); quiet.enabled = false
/// loop.progress = quiet
/// ```
public struct ProgressOutput {
  /// Draw the bar / write log lines at all (tests and batch jobs turn this off).
  public var enabled: Bool
  /// Receives plain log lines instead of standard error (nil: standard error, with a redrawn
  /// bar when standard error is a terminal).
  public var sink: ((String) -> Void)?

  public init(enabled: Bool = true, sink: ((String) -> Void)? = nil) {
    self.enabled = enabled
    self.sink = sink
  }

  /// Writes one log line.
  public func log(_ s: String) {
    guard enabled else { return }
    if let sink { sink(s) } else { FileHandle.standardError.write((s + "\n").data(using: .utf8) ?? Data()) }
  }
}
