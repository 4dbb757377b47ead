import Foundation
import UBoostHardware
import UBoostLang
import UBoostNAS

// MARK: - SCALE-Sim files and dataflows in the language

enum ScaleSimLibrary {
  static let entries: [BuiltinFunction] = [
    BuiltinFunction("scalesim_config", "path: string, temp: number = 64",
                    "A systolic model from a SCALE-Sim .cfg file: its array, dataflow and memory settings (batch 1); cost() uses the smooth form of the dataflow's cycles (temp: ceiling temperature), cost(exact: true) SCALE-Sim's count.") { a in
      let path = try a.string("path")
      let sc = try Engine.run("scalesim_config") { try ScaleSimConfig(path: path) }
      var cfg = HardwareConfig(rows: sc.rows, cols: sc.cols, batch: 1)
      cfg.clockHz = 1e9
      let ceil = try HardwareLibrary.ceilingKind(a, "corrected", temp: try a.number("temp"))
      let m = SystolicModel(config: cfg, ceiling: ceil, onWarning: a.interpreter.engine.warnings.hardware, dataflow: sc.dataflow)
      let exact = SystolicModel(config: cfg, ceiling: .exact, dataflow: sc.dataflow)
      return .object(HardwareObject(kind: "systolic", config: cfg, model: m, exactModel: exact, ceiling: ceil.description,
                                    dataflow: sc.dataflow, scaleSim: sc))
    },
    BuiltinFunction("topology", "path: string",
                    "The layers of a SCALE-Sim conv topology .csv (DP-named rows become depthwise layers), usable with every cost model.") { a in
      let path = try a.string("path")
      let rows = try Engine.run("topology") { try ScaleSimTopology.read(path: path) }
      return .list(try rows.map { .object(try layer($0, path: path)) })
    },
    BuiltinFunction("save_topology", "net, path: string",
                    "Writes a list of layers or a network's priced layers (a supernet or derived net, per its genotype) as a SCALE-Sim topology .csv; returns the number of rows.") { a in
      let path = try a.string("path")
      let rows = try topologyRows(a)
      try Engine.run("save_topology") { try ScaleSimTopology.write(rows, to: path) }
      return .number(Double(rows.count))
    },
  ]

  /// A topology row as a layer object (output size as SCALE-Sim computes it).
  static func layer(_ r: ScaleSimLayer, path: String) throws -> LayerObject {
    guard r.filterH <= LayerSpec.maxExtent, r.filterW <= LayerSpec.maxExtent else {
      throw LangError(.value, "topology(): layer '\(r.name)' in \(path): filter \(r.filterH)x\(r.filterW) is too large")
    }
    let kw = r.filterW == r.filterH ? nil : r.filterW
    if r.isDepthwise {
      guard r.numFilter == 1 else {
        throw LangError(.value, "topology(): layer '\(r.name)' in \(path) is depthwise (DP) with Num Filter \(r.numFilter); only 1 filter per channel is supported here (uboost hw scalesim prices it)")
      }
      return LayerObject(kind: .depthwise, k: r.filterH, cin: .number(Double(r.channels)), cout: .number(Double(r.channels)),
                         outH: r.ofmapH, outW: r.ofmapW, stride: r.stride, kWidth: kw, name: r.name)
    }
    return LayerObject(kind: .conv, k: r.filterH, cin: .number(Double(r.channels)), cout: .number(Double(r.numFilter)),
                       outH: r.ofmapH, outW: r.ofmapW, stride: r.stride, kWidth: kw, name: r.name)
  }

  /// The SCALE-Sim rows of `save_topology`'s first argument.
  static func topologyRows(_ a: Arguments) throws -> [ScaleSimLayer] {
    let v = try a.value("net")
    var specs: [(String, LayerSpec)] = []
    if case .object(let o) = v, let n = o as? SupernetObject {
      let net = n.net
      let stacks = net.stage == .micro ? net.space.microStacks : net.space.channelStacks
      let cells = try Engine.run("save_topology") {
        try ArchitectureCost.layerSpecs(space: net.space, genotype: try net.genotype, stacks: stacks)
      }
      for (c, cell) in cells.enumerated() {
        for (i, l) in cell.enumerated() { specs.append(("cell\(c + 1)_\(i + 1)", l)) }
      }
    } else if case .object(let o) = v, let l = o as? LayerObject {
      specs.append((l.name ?? "layer1", l.spec))
    } else if let items = try Interpreter.elements(of: v) {
      for (i, x) in items.enumerated() {
        guard case .object(let o) = x, let l = o as? LayerObject else {
          throw a.typeError("net", expected: "network, layer or list of layers", got: x)
        }
        specs.append((l.name ?? "layer\(i + 1)", l.spec))
      }
    } else {
      throw a.typeError("net", expected: "network, layer or list of layers", got: v)
    }
    var rows: [ScaleSimLayer] = []
    for (name, s) in specs {
      // A conv row must not be read back as depthwise (SCALE-Sim's rule: DP in the name).
      let safe = s.kind == .depthwise || s.kind == .separable ? name : name.replacingOccurrences(of: "DP", with: "Dp")
      rows += try Engine.run("save_topology") { try s.scaleSimLayers(name: safe) }
    }
    return rows
  }

  /// `simulate(hw, layer, dataflow: ...)`: SCALE-Sim's compute report of the layer.
  static func simulate(_ hw: HardwareObject, _ l: LayerObject, dataflow df: Dataflow, depthwise: String) throws -> Value {
    guard let mode = DepthwiseMode(rawValue: depthwise) else {
      throw LangError(.value, "simulate(depthwise:): must be \"direct\" or \"split\", got '\(depthwise)'")
    }
    let spec = l.spec
    var reports = try Engine.run("simulate") { try spec.scaleSimReports(config: hw.config, dataflow: df, depthwise: mode) }
    if var sc = hw.scaleSim, sc.userBandwidth {
      sc.dataflow = df
      let rows = try Engine.run("simulate") { try spec.scaleSimLayers(name: l.name ?? "layer") }
      let memory = ScaleSimMemory(config: sc)
      for (i, r) in rows.enumerated() where i < reports.count {
        let perLayer = try Engine.run("simulate") { try memory.stallCycles(r, depthwise: mode) }
        let copies = r.isDepthwise && mode == .split ? Double(r.channels) : 1
        reports[i] = reports[i].addingStalls(perLayer * copies)
      }
    }
    let total = reports.reduce(0) { $0 + $1.totalCycles }, stall = reports.reduce(0) { $0 + $1.stallCycles }
    let macs = reports.reduce(0) { $0 + $1.macs }
    let pes = Double(hw.config.rows) * Double(hw.config.cols)
    let mean = { (f: (ScaleSimReport) -> Double) in reports.isEmpty ? 0 : reports.reduce(0) { $0 + f($1) } / Double(reports.count) }
    return .record([
      ("cycles", .number(total)), ("stall_cycles", .number(stall)),
      ("latency_ms", .number(total * 1e3 / hw.config.clockHz)),
      ("util", .number(total > 0 ? macs / (total * pes) : 0)),
      ("overall_util", .number(total > 0 ? macs * 100 / (total * pes) : 0)),
      ("mapping_efficiency", .number(mean { $0.mappingEfficiency })),
      ("compute_util", .number(mean { $0.computeUtil })),
      ("macs", .number(macs)), ("dataflow", .string(df.rawValue)),
    ])
  }
}
