import ArgumentParser
import Foundation
import UBoostHardware

// MARK: - uboost hw validate | ceil-table | scalesim

struct HardwareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hw", abstract: "Hardware cost models: validation, smooth-ceiling tables, SCALE-Sim reports.",
    subcommands: [Validate.self, CeilTable.self, ScaleSim.self, DataflowTable.self])

  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compare the analytic models and the cycle-level simulator with a simulator table.",
      discussion: "Prints mean |runtime error| per layer type and input size; free parameters are calibrated on input sizes 2, 8 and 32 only.")

    @Option(help: "A lookup table in the reference schema (default: the bundled csim_lookup_128x128.json).")
    var table: String?

    func run() throws {
      let path = table ?? ResourceFiles.path("csim_lookup_128x128.json")
      guard let path else {
        throw ValidationError("no table given and the bundled csim_lookup_128x128.json was not found; pass --table")
      }
      printOut(withNewline(try HardwareValidation.report(path: path, calibrate: true)))
    }
  }

  struct CeilTable: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ceil-table",
      abstract: "Error of each smooth-ceiling form against ceil, and its gradient mass, at several temperatures.")
    func run() throws { printOut(withNewline(ceilingErrorTable())) }
  }
}
