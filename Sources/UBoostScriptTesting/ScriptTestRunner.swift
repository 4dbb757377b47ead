import Foundation
import UBoostLang

// MARK: - Golden script tests

/// Runs `.uboost` scripts that state their expected output in comments and compares.
///
/// In a script:
/// - `# expect: TEXT` — the next expected output line (in order; may follow code on a line),
/// - `# expect error: TEXT` — the script must fail with an error whose rendering contains TEXT,
/// - `# requires: engine` on the first line — skipped unless the runner has engine builtins.
///
/// Each run gets its own empty scratch directory (`temp_dir()` in the script), removed afterwards;
/// its path appears as `<tmp>` in the output and error compared with the expectations, so
/// `# expect: [plot written to <tmp>/a.svg]` matches.
///
/// ```swift
/// let runner = ScriptTestRunner(engineAvailable: false) { out in Interpreter(output: out) }
/// for o in runner.runAll(in: scriptsDir) where !o.passed && !o.skipped { print(o.report) }
/// ```
public struct ScriptTestRunner {
  /// The result of one script.
  public struct Outcome {
    public var file: URL
    public var passed: Bool
    public var skipped: Bool
    /// Expected/actual comparison when the script failed.
    public var report: String
  }

  /// Expectations parsed from a script.
  public struct Expectations {
    public var lines: [String] = []
    public var error: String?
    public var requiresEngine = false
  }

  let makeInterpreter: (@escaping (String) -> Void) -> Interpreter
  let engineAvailable: Bool

  /// `makeInterpreter` builds a fresh interpreter writing to the given output for each script.
  public init(engineAvailable: Bool, makeInterpreter: @escaping (@escaping (String) -> Void) -> Interpreter) {
    self.engineAvailable = engineAvailable
    self.makeInterpreter = makeInterpreter
  }

  public static func expectations(in source: String) -> Expectations {
    var e = Expectations()
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    if let first = lines.first, first.hasPrefix("# requires:"), first.contains("engine") { e.requiresEngine = true }
    for line in lines {
      if let r = line.range(of: "# expect error:") {
        e.error = String(line[r.upperBound...]).trimmingCharacters(in: .whitespaces)
      } else if let r = line.range(of: "# expect:") {
        var text = String(line[r.upperBound...])
        if text.hasPrefix(" ") { text.removeFirst() }
        e.lines.append(text.trailingSpacesTrimmed)
      }
    }
    return e
  }

  /// Runs one script file.
  public func run(file: URL) -> Outcome {
    guard let source = try? String(contentsOf: file, encoding: .utf8) else {
      return Outcome(file: file, passed: false, skipped: false, report: "cannot read \(file.path)")
    }
    let exp = ScriptTestRunner.expectations(in: source)
    if exp.requiresEngine && !engineAvailable {
      return Outcome(file: file, passed: true, skipped: true, report: "")
    }
    final class Sink: @unchecked Sendable { var text = "" }
    let sink = Sink()
    let interp = makeInterpreter { sink.text += $0 }
    let scratch = FileManager.default.temporaryDirectory
      .appendingPathComponent("uboost-script-\(UUID().uuidString)", isDirectory: true)
    interp.scratchDirectory = scratch
    defer { try? FileManager.default.removeItem(at: scratch) }
    var failure: String?
    do {
      try interp.run(source: source, file: file.path)
    } catch let e as LangError {
      failure = e.description
    } catch {
      failure = "\(error)"
    }
    failure = failure?.replacingOccurrences(of: scratch.path, with: "<tmp>")
    var actual = sink.text.replacingOccurrences(of: scratch.path, with: "<tmp>").split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trailingSpacesTrimmed }
    if actual.last == "" { actual.removeLast() }
    var problems: [String] = []
    if actual != exp.lines { problems.append(ScriptTestRunner.diff(expected: exp.lines, actual: actual)) }
    switch (exp.error, failure) {
    case (nil, nil): break
    case (nil, let f?): problems.append("unexpected error:\n\(f)")
    case (let want?, nil): problems.append("expected an error containing \"\(want)\" but the script succeeded")
    case (let want?, let f?):
      if !f.contains(want) { problems.append("expected an error containing \"\(want)\", got:\n\(f)") }
    }
    return Outcome(file: file, passed: problems.isEmpty, skipped: false,
                   report: problems.isEmpty ? "" : "FAIL \(file.path)\n" + problems.joined(separator: "\n"))
  }

  /// Runs every `*.uboost` file in `dir` and its subfolders (sorted), optionally only `folders`.
  public func runAll(in dir: URL, folders: [String]? = nil) -> [Outcome] {
    ScriptTestRunner.scripts(in: dir, folders: folders).map { run(file: $0) }
  }

  /// Script files under `dir` (one level of feature folders), sorted.
  public static func scripts(in dir: URL, folders: [String]? = nil) -> [URL] {
    let fm = FileManager.default
    guard let enumerator = fm.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
    var out: [URL] = []
    for case let url as URL in enumerator where url.pathExtension == "uboost" {
      if let fs = folders, !fs.contains(url.deletingLastPathComponent().lastPathComponent) { continue }
      // Files in `lib` folders are imported by other scripts, not run directly.
      if url.deletingLastPathComponent().lastPathComponent == "lib" { continue }
      out.append(url)
    }
    return out.sorted { $0.path < $1.path }
  }

  /// A line-by-line comparison marking differing lines.
  public static func diff(expected: [String], actual: [String]) -> String {
    var out = "output differs (- expected, + actual):"
    let n = max(expected.count, actual.count)
    for i in 0..<n {
      let e = i < expected.count ? expected[i] : nil
      let a = i < actual.count ? actual[i] : nil
      if e == a { out += "\n   \(e ?? "")" } else {
        if let e = e { out += "\n - \(e)" }
        if let a = a { out += "\n + \(a)" }
      }
    }
    return out
  }
}

extension String {
  var trailingSpacesTrimmed: String {
    var s = Substring(self)
    while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
    return String(s)
  }
}
