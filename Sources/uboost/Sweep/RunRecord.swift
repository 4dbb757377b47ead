import Foundation
import UBoostLang

// MARK: - DIR/runs/<id>/result.json

/// The outcome of one configuration's run, as `result.json` stores it.
///
/// ```json
/// {"id": "9f...", "config": {"seed": 0}, "status": "ok", "outputs": {"loss": 1.2}, "seconds": 14.2,
///  "exit_status": 0, "signal": null, "attempts": 1, "host": "node1", "error": null, "stderr_tail": null}
/// ```
struct RunRecord {
  enum Status: String {
    case ok
    case failed
  }

  var id: String
  var config: Value
  var status: Status
  /// The record `run(config)` returned (nil when it failed).
  var outputs: Value
  /// Wall time of the configuration's process.
  var seconds: Double
  var exitStatus: Int
  var signal: Int?
  /// How many times this configuration has been run (a failed one is retried once).
  var attempts: Int
  var host: String
  var error: String?
  var stderrTail: String?

  static let fileName = "result.json"

  var value: Value {
    .record([
      ("id", .string(id)), ("config", config), ("status", .string(status.rawValue)), ("outputs", outputs),
      ("seconds", .number((seconds * 1000).rounded() / 1000)), ("exit_status", .number(Double(exitStatus))),
      ("signal", signal.map { .number(Double($0)) } ?? .nil_), ("attempts", .number(Double(attempts))),
      ("host", .string(host)), ("error", error.map(Value.string) ?? .nil_),
      ("stderr_tail", stderrTail.map(Value.string) ?? .nil_),
    ])
  }

  /// Writes `dir/result.json` atomically (a temporary file renamed over it).
  func write(inDirectory dir: String) throws {
    try AtomicWrite.write(try value.jsonText() + "\n", to: dir + "/" + RunRecord.fileName)
  }

  /// The record in `dir/result.json`, or nil when there is none (or it cannot be read).
  static func read(inDirectory dir: String) -> RunRecord? {
    guard let text = try? String(contentsOfFile: dir + "/" + fileName, encoding: .utf8),
          let v = try? Value.parseJSON(text), case .record(let r) = v,
          let id = r["id"]?.asString, let s = r["status"]?.asString, let status = Status(rawValue: s) else { return nil }
    return RunRecord(id: id, config: r["config"] ?? .nil_, status: status, outputs: r["outputs"] ?? .nil_,
                     seconds: r["seconds"]?.asNumber ?? 0, exitStatus: Int(r["exit_status"]?.asNumber ?? -1),
                     signal: r["signal"]?.asNumber.map { Int($0) }, attempts: Int(r["attempts"]?.asNumber ?? 1),
                     host: r["host"]?.asString ?? "", error: r["error"]?.asString, stderrTail: r["stderr_tail"]?.asString)
  }

  /// This machine's name from gethostname (no DNS lookup, which can hang without a network).
  static func hostName() -> String {
    var buf = [CChar](repeating: 0, count: 256)
    guard gethostname(&buf, buf.count - 1) == 0 else { return "" }
    return String(cString: buf)
  }

  /// The last `lines` lines (at most `maxChars` characters) of a text file.
  static func tail(ofFile path: String, lines: Int = 20, maxChars: Int = 4000) -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
    let kept = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1).joined(separator: "\n")
    let trimmed = kept.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.count > maxChars ? String(trimmed.suffix(maxChars)) : trimmed
  }
}

// MARK: - Atomic files

enum AtomicWrite {
  /// Writes `text` to a temporary file in the same directory, then renames it over `path`, so a
  /// reader (or a crash) never sees half a file.
  static func write(_ text: String, to path: String) throws {
    let tmp = path + ".tmp.\(getpid())"
    guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
      throw SweepError("cannot write '\(tmp)'")
    }
    guard rename(tmp, path) == 0 else {
      unlink(tmp)
      throw SweepError("cannot rename '\(tmp)' to '\(path)': \(String(cString: strerror(errno)))")
    }
  }
}

/// A sweep failure the user can fix (bad options, unreadable files, a scheduler error).
struct SweepError: Error, CustomStringConvertible {
  let description: String
  init(_ d: String) { description = d }
}
