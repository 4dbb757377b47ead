import Foundation
import UBoostBuiltins
import UBoostLang
import UBoostPlot

// MARK: - DIR/sweep.json, DIR/report.md, DIR/pareto.svg

/// Gathers the configurations' records into `sweep.json` (`{"runs": [{id, config, status,
/// result, ...}]}`, in the script's order) and a Markdown report with the table and a Pareto
/// plot of two result fields.
struct SweepReport {
  struct Run {
    let id: String
    let config: Value
    /// ok, failed, or pending (never run, or interrupted).
    let status: String
    let record: RunRecord?
  }

  /// Which two fields the Pareto plot shows and which direction is better on each.
  struct Axes {
    var x: String?
    var y: String?
    var xBetter: Objective = .minimize
    var yBetter: Objective = .maximize
  }

  let file: String
  let runs: [Run]

  init(file: String, configs: [SweepConfig], runsDirectory: String) {
    self.file = file
    runs = configs.map { c in
      let r = RunRecord.read(inDirectory: runsDirectory + "/" + c.id)
      return Run(id: c.id, config: c.value, status: r?.status.rawValue ?? "pending", record: r)
    }
  }

  var counts: (ok: Int, failed: Int, pending: Int) {
    (runs.filter { $0.status == "ok" }.count, runs.filter { $0.status == "failed" }.count,
     runs.filter { $0.status == "pending" }.count)
  }

  // MARK: sweep.json

  /// One run per line, so diffs and `grep` stay readable.
  func json() throws -> String {
    let lines = try runs.map { run -> String in
      var fields: [(String, Value)] = [("id", .string(run.id)), ("config", run.config), ("status", .string(run.status)),
                                       ("result", run.status == "ok" ? run.record?.outputs ?? .nil_ : .nil_)]
      if let r = run.record {
        fields += [("seconds", .number((r.seconds * 1000).rounded() / 1000)), ("attempts", .number(Double(r.attempts)))]
        if r.status == .failed { fields.append(("error", r.error.map(Value.string) ?? .nil_)) }
      }
      return "  " + (try Value.record(fields).jsonText())
    }
    return "{\"runs\": [\n" + lines.joined(separator: ",\n") + "\n]}\n"
  }

  // MARK: Markdown + SVG

  /// Writes `sweep.json`, `report.md` and (with two numeric fields) `pareto.svg` into `dir`.
  func write(to dir: String, axes: Axes) throws {
    try AtomicWrite.write(try json(), to: dir + "/sweep.json")
    let (md, svg) = try markdown(axes: axes)
    if let svg { try AtomicWrite.write(svg, to: dir + "/pareto.svg") }
    try AtomicWrite.write(md, to: dir + "/report.md")
  }

  /// The fields of a run's record: config first, then outputs (outputs win on a name clash).
  static func field(_ run: Run, _ name: String) -> Value? {
    if case .record(let o)? = run.record?.outputs, run.status == "ok", let v = o[name] { return v }
    if case .record(let c) = run.config { return c[name] }
    return nil
  }

  func markdown(axes: Axes) throws -> (String, String?) {
    var configKeys: [String] = [], outputKeys: [String] = []
    for run in runs {
      if case .record(let c) = run.config { for k in c.keys where !configKeys.contains(k) { configKeys.append(k) } }
      if run.status == "ok", case .record(let o)? = run.record?.outputs {
        for k in o.keys where !outputKeys.contains(k) { outputKeys.append(k) }
      }
    }
    let (ok, failed, pending) = counts
    var md = "# Sweep: \(file)\n\n\(runs.count) configurations: \(ok) ok, \(failed) failed, \(pending) pending.\n"
    md += "Written by `uboost sweep`; every run's record is `runs/<id>/result.json`, all of them `sweep.json`.\n\n"
    let header = ["id"] + configKeys + ["status", "seconds"] + outputKeys
    md += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
    for run in runs {
      var cells = [run.id]
      for k in configKeys { cells.append(Self.cell(run.config.recordField(k))) }
      cells.append(run.status)
      cells.append(run.record.map { String(format: "%.1f", $0.seconds) } ?? "")
      for k in outputKeys { cells.append(run.status == "ok" ? Self.cell(run.record?.outputs.recordField(k)) : "") }
      md += "| " + cells.joined(separator: " | ") + " |\n"
    }
    let failures = runs.filter { $0.status == "failed" }
    if !failures.isEmpty {
      md += "\n## Failures\n\n"
      for f in failures { md += "- `\(f.id)`: \(f.record?.error ?? "no result") (`runs/\(f.id)/stderr.log`)\n" }
    }

    // The Pareto plot: the chosen fields, or the first two numeric result fields.
    let numeric = outputKeys.filter { k in runs.contains { Self.field($0, k)?.asNumber != nil } }
    guard let xName = axes.x ?? numeric.first, let yName = axes.y ?? numeric.dropFirst().first(where: { $0 != xName }) else {
      md += "\nNo Pareto plot: the results have fewer than two numeric fields (choose them with --x and --y).\n"
      return (md, nil)
    }
    let shown = runs.filter { Self.field($0, xName)?.asNumber != nil && Self.field($0, yName)?.asNumber != nil }
    if shown.isEmpty {
      md += "\nNo Pareto plot: no run has numeric `\(xName)` and `\(yName)`.\n"
      return (md, nil)
    }
    let xs = shown.map { Self.field($0, xName)?.asNumber ?? .nan }
    let ys = shown.map { Self.field($0, yName)?.asNumber ?? .nan }
    let better = { (o: Objective) in o == .minimize ? "lower" : "higher" }
    let chart = try ScatterPlot(x: xs, y: ys, labels: shown.map { String($0.id.prefix(6)) },
                                title: "\(yName) vs \(xName)", xLabel: "\(xName) (\(better(axes.xBetter)) is better)",
                                yLabel: "\(yName) (\(better(axes.yBetter)) is better)",
                                pareto: ScatterPlot.Pareto(x: axes.xBetter, y: axes.yBetter), name: "configurations")
    let front = chart.frontIndices.map { shown[$0].id }
    md += "\n## Pareto front: \(xName) vs \(yName)\n\n![Pareto plot of \(yName) vs \(xName)](pareto.svg)\n\n"
    md += "On the front (\(better(axes.xBetter)) \(xName), \(better(axes.yBetter)) \(yName)): " + front.map { "`\($0)`" }.joined(separator: ", ") + "\n"
    return (md, chart.renderSVG())
  }

  static func cell(_ v: Value?) -> String {
    guard let v else { return "" }
    switch v {
    case .number(let d): return abs(d) >= 1e-3 || d == 0 ? Value.formatNumber((d * 10000).rounded() / 10000) : String(format: "%.3g", d)
    case .string(let s): return s.replacingOccurrences(of: "|", with: "\\|")
    case .nil_: return ""
    case .bool, .list, .record, .range, .function, .builtin, .object:
      let t = v.description.replacingOccurrences(of: "|", with: "\\|")
      return t.count > 40 ? String(t.prefix(37)) + "..." : t
    }
  }
}

extension Value {
  /// A record's field, nil for other values.
  func recordField(_ name: String) -> Value? {
    if case .record(let r) = self { return r[name] }
    return nil
  }
}
