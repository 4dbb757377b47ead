import ArgumentParser
import Foundation
import UBoostHardware

// MARK: - uboost hw scalesim

extension HardwareCommand {
  /// `uboost hw scalesim -c CONFIG.cfg -t TOPOLOGY.csv [--json]`: SCALE-Sim's compute report, computed.
  struct ScaleSim: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "scalesim",
      abstract: "SCALE-Sim's COMPUTE_REPORT (cycles, stalls, utilizations) for its own .cfg and topology .csv files.",
      discussion: """
        Reads SCALE-Sim 3.0.0 config and conv topology files unchanged and prints, per layer, total cycles, \
        stall cycles, overall utilization, mapping efficiency and compute utilization (percent), as SCALE-Sim's \
        COMPUTE_REPORT.csv defines them. Compute cycles are SCALE-Sim's exactly; stalls are 0 under \
        InterfaceBandwidth: CALC and, under USER, replayed through SCALE-Sim's read and write buffers \
        (its stall cycles exactly on the tested layers; docs/fidelity.md).
        """)

    @Option(name: [.customShort("c"), .long], help: "SCALE-Sim config file (.cfg).")
    var config: String

    @Option(name: [.customShort("t"), .long], help: "SCALE-Sim conv topology file (.csv).")
    var topology: String

    @Flag(help: "Print a JSON list of {layer, total_cycles, stall_cycles, overall_util, mapping_efficiency, compute_util}.")
    var json = false

    @Option(help: "Override the config's Dataflow (os, ws or is).")
    var dataflow: String?

    @Flag(help: "Print the time taken to compute the reports (after reading the files) to standard error.")
    var timing = false

    @Option(help: "DP (depthwise) layers: split (SCALE-Sim: one layer per channel) or direct (one grouped layer).")
    var depthwise: String = "split"

    func run() throws {
      do {
        var cfg = try ScaleSimConfig(path: config)
        if let d = dataflow {
          guard let df = Dataflow(name: d) else { throw ValidationError("--dataflow must be os, ws or is, got '\(d)'") }
          cfg.dataflow = df
        }
        guard let mode = DepthwiseMode(rawValue: depthwise) else {
          throw ValidationError("--depthwise must be split or direct, got '\(depthwise)'")
        }
        let layers = try ScaleSimTopology.read(path: topology)
        let start = DispatchTime.now().uptimeNanoseconds
        let reports = try cfg.reports(layers, depthwise: mode)
        if timing {
          let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
          printError(String(format: "%d layers (%d report rows) in %.4f ms", layers.count, reports.count, ms))
        }
        printOut(json ? ScaleSimReport.json(reports) : ScaleSimReport.table(reports))
      } catch let e as HardwareError {
        printError("error: \(e.description)")
        throw ExitCode(1)
      }
    }
  }
}

// MARK: - uboost hw dataflow-table

extension HardwareCommand {
  struct DataflowTable: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "dataflow-table",
      abstract: "Smooth vs exact SCALE-Sim cycles of each dataflow on a table's conv layers; depthwise direct vs split.")

    @Option(help: "A lookup table in the reference schema (default: the bundled csim_lookup_128x128.json).")
    var table: String?

    func run() throws {
      guard let path = table ?? ResourceFiles.path("csim_lookup_128x128.json") else {
        throw ValidationError("no table given and the bundled csim_lookup_128x128.json was not found; pass --table")
      }
      printOut(withNewline(try DataflowValidation.report(path: path)))
    }
  }
}
