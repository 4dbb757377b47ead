import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - The progress line on stderr

/// `sweep: 3/8 done, 2 running, 1 failed, 2 pending, ETA 4m10s` on stderr: redrawn in place on a
/// terminal, one line per change otherwise (logs, CI).
final class SweepProgress {
  let total: Int
  private(set) var done = 0
  private(set) var failed = 0
  private(set) var running = 0
  private let start = Date()
  private let terminal = isatty(2) != 0
  private var lastLine = ""
  private var lastDraw = Date.distantPast
  private var lastCounts: [Int] = []

  /// `total` configurations to run.
  init(total: Int) { self.total = total }

  /// Updates the counts (finished = ok + failed) and redraws.
  func update(done: Int, failed: Int, running: Int) {
    self.done = done
    self.failed = failed
    self.running = running
    draw()
  }

  /// Estimated seconds left: the configurations left at the throughput so far.
  var eta: Double? {
    let finished = done + failed
    guard finished > 0 else { return nil }
    return Date().timeIntervalSince(start) * Double(total - finished) / Double(finished)
  }

  var line: String {
    let pending = total - done - failed - running
    let eta = self.eta.map { "ETA \(Self.duration($0))" } ?? "ETA -"
    return "sweep: \(done + failed)/\(total) finished (\(failed) failed), \(running) running, \(max(0, pending)) pending, \(eta)"
  }

  private func draw() {
    let l = line
    if terminal {
      guard l != lastLine || Date().timeIntervalSince(lastDraw) > 1 else { return }
      FileHandle.standardError.write(Data(("\r\u{1b}[K" + l).utf8))
      lastDraw = Date()
    } else if [done, failed, running] != lastCounts {
      FileHandle.standardError.write(Data((l + "\n").utf8))
      lastCounts = [done, failed, running]
    }
    lastLine = l
  }

  /// Ends the in-place line.
  func finish() {
    if terminal, !lastLine.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  static func duration(_ s: Double) -> String {
    let t = Int(s.rounded())
    if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", (t % 3600) / 60))m" }
    if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
    return "\(t)s"
  }
}
