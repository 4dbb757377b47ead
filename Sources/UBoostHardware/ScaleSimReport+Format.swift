import Foundation

// MARK: - COMPUTE_REPORT-style output

extension ScaleSimReport {
  /// Reports as an aligned text table with SCALE-Sim's COMPUTE_REPORT.csv columns.
  ///
  /// ```swift
  /// print(ScaleSimReport.table(reports))
  /// ```
  public static func table(_ reports: [ScaleSimReport]) -> String {
    let head = ["Layer", "Total Cycles", "Stall Cycles", "Overall Util %", "Mapping Efficiency %", "Compute Util %"]
    var rows = [head]
    for r in reports {
      rows.append([r.layer, fmt(r.totalCycles), fmt(r.stallCycles), String(format: "%.4f", r.overallUtil),
                   String(format: "%.4f", r.mappingEfficiency), String(format: "%.4f", r.computeUtil)])
    }
    if reports.count > 1 {
      let total = reports.reduce(0) { $0 + $1.totalCycles }, stall = reports.reduce(0) { $0 + $1.stallCycles }
      rows.append(["total", fmt(total), fmt(stall), "", "", ""])
    }
    var widths = head.map { _ in 0 }
    for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
    return rows.map { row in
      row.enumerated().map { i, c in
        i == 0 ? c.padding(toLength: widths[0], withPad: " ", startingAt: 0)
               : String(repeating: " ", count: widths[i] - c.count) + c
      }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }.joined(separator: "\n") + "\n"
  }

  /// Reports as a JSON list of objects with keys `layer`, `total_cycles`, `stall_cycles`,
  /// `overall_util`, `mapping_efficiency`, `compute_util` (utilizations in percent).
  public static func json(_ reports: [ScaleSimReport]) -> String {
    func str(_ s: String) -> String {
      var o = "\""
      for u in s.unicodeScalars {
        switch u {
        case "\"": o += "\\\""
        case "\\": o += "\\\\"
        case "\n": o += "\\n"
        case "\t": o += "\\t"
        default:
          if u.value < 0x20 { o += String(format: "\\u%04x", u.value) } else { o.unicodeScalars.append(u) }
        }
      }
      return o + "\""
    }
    func number(_ x: Double) -> String { x.isFinite ? (x == x.rounded() && abs(x) < 1e15 ? fmt(x) : "\(x)") : "null" }
    let items = reports.map { r in
      "  {\"layer\": \(str(r.layer)), \"total_cycles\": \(number(r.totalCycles)), \"stall_cycles\": \(number(r.stallCycles)), "
        + "\"overall_util\": \(number(r.overallUtil)), \"mapping_efficiency\": \(number(r.mappingEfficiency)), "
        + "\"compute_util\": \(number(r.computeUtil))}"
    }
    return items.isEmpty ? "[]\n" : "[\n" + items.joined(separator: ",\n") + "\n]\n"
  }
}
