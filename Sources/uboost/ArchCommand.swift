import ArgumentParser
import Foundation
import UBoostHardware
import UBoostNAS

// MARK: - uboost arch cost FILE

struct ArchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "arch", abstract: "Derived architectures (final_arch.json files).",
    subcommands: [Cost.self])

  struct Cost: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Price every layer of a final_arch.json with every cost model.",
      discussion: """
        Reads {"layers": [{kind, k, cin, cout, stride, dilation, groups, in_hw, out_hw}, ...]} (written by \
        save_arch(net, path) and the paper-table notebook) and prints, per model, the network's latency (the sum \
        over layers) and time-weighted utilization (busy PE-time over total PE-time). Models: the smooth-ceiling \
        systolic model (the search's), the exact ceiling, the cycle-level simulator (the judge), FLOPs (MACs / peak) \
        and the roofline.
        """)

    @Argument(help: "A final_arch.json file.")
    var file: String
    @Option(help: "Array rows.") var rows = 128
    @Option(help: "Array columns.") var cols = 128
    @Option(help: "Hardware batch (images per inference).") var batch = 64
    @Option(help: "Clock in Hz.") var clock = 1e9
    @Flag(help: "Also print every layer's latency under each model.") var layers = false
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
      guard (1...65536).contains(rows), (1...65536).contains(cols) else { throw ValidationError("--rows and --cols must be in 1...65536") }
      guard (1...65536).contains(batch) else { throw ValidationError("--batch must be in 1...65536") }
      guard clock > 0, clock.isFinite else { throw ValidationError("--clock must be a positive number of Hz") }
    }

    func run() throws {
      let arch = try ArchLayer.readJSON(from: file)
      let cfg = HardwareConfig(rows: rows, cols: cols, batch: batch, clockHz: clock)
      let sim = SystolicSimulator(config: cfg, options: .csim)
      let models: [(String, (LayerSpec) throws -> (latencyMs: Double, util: Double))] = [
        ("systolic (smooth)", { let c = try SystolicModel(config: cfg).cost($0); return (c.latencyMs, c.util) }),
        ("systolic (exact ceiling)", { let c = try SystolicModel(config: cfg, ceiling: .exact).cost($0); return (c.latencyMs, c.util) }),
        ("simulator", { let r = try sim.simulate($0); return (r.latencyMs, r.util) }),
        ("flops", { let c = try FlopsModel(config: cfg).cost($0); return (c.latencyMs, c.util) }),
        ("roofline", { let c = try RooflineModel(config: cfg).cost($0); return (c.latencyMs, c.util) }),
      ]
      var results: [(String, NetworkCost.Result, [Double])] = []
      for (name, f) in models {
        var per: [Double] = []
        let r = try NetworkCost.judge(arch, batch: batch) { spec in let c = try f(spec); per.append(c.latencyMs); return c }
        results.append((name, r, per))
      }
      if json {
        let rows = results.map { name, r, per -> [String: Any] in
          var d: [String: Any] = ["model": name, "latency_ms": r.latencyMs, "util": r.util, "macs": r.macs]
          if layers { d["layer_latency_ms"] = per }
          return d
        }
        let data = try JSONSerialization.data(withJSONObject: ["file": file, "layers": arch.count,
                                                               "hw": ["rows": self.rows, "cols": cols, "batch": batch, "clock_hz": clock],
                                                               "models": rows], options: [.prettyPrinted, .sortedKeys])
        printOut(String(decoding: data, as: UTF8.self) + "\n")
        return
      }
      var out = "\(file): \(arch.count) layers, \(rows)x\(cols) array, batch \(batch), \(clock / 1e9) GHz\n"
      out += "model                      latency ms   utilization\n"
      for (name, r, _) in results {
        out += name.padding(toLength: 26, withPad: " ", startingAt: 0) + " " + String(format: "%10.4f   %11.4f", r.latencyMs, r.util) + "\n"
      }
      if layers {
        // Column heads short enough for the 11-wide columns; the label column as wide as its longest.
        let heads = results.map { r in
          r.0.replacingOccurrences(of: "systolic (exact ceiling)", with: "exact")
            .replacingOccurrences(of: "systolic (smooth)", with: "smooth")
        }
        let labels = arch.map { l in "c\(l.cell) \(l.edge) \(l.kind.rawValue) k\(l.k) \(l.cin)->\(l.cout)" }
        let width = max(5, labels.map(\.count).max() ?? 0) + 2
        out += "\n" + "layer ms".padding(toLength: width, withPad: " ", startingAt: 0)
          + heads.map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined() + "\n"
        for (i, label) in labels.enumerated() {
          out += label.padding(toLength: width, withPad: " ", startingAt: 0) + results.map { String(format: "%-11.4f", $0.2[i]) }.joined() + "\n"
        }
      }
      printOut(out)
    }
  }
}
