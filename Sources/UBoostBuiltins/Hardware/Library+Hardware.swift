import Foundation
import UBoostHardware
import UBoostLang
import UBoostTensor

// MARK: - The hardware library

enum HardwareLibrary {
  static let library = BuiltinLibrary(
    name: "hardware",
    doc: "Accelerator cost models, layers, the cycle-level simulator and smooth ceilings. Channel counts may be one-element tensors: costs are then differentiable (analytic derivatives recorded on the tape).",
    entries: [
      BuiltinFunction("systolic", "rows: int = 128, cols: int = 128, batch: int = 64, clock: number = 1e9, bandwidth: number = 80, ceiling: string = \"corrected\", temp: number = 32, compat: string = \"corrected\", dataflow = nil",
                      "Analytic systolic-array model; ceiling: \"corrected\" | \"sigmoid\" | \"reference\" | \"exact\" (temp: the smooth ceiling's temperature); dataflow: \"os\" | \"ws\" | \"is\" counts SCALE-Sim's cycles of that dataflow (nil: the paper's model).") { a in
        let cfg = try config(a)
        let ceil = try ceilingKind(a, try a.string("ceiling"), temp: try a.number("temp"))
        let compat = try compatibility(a)
        let df = try dataflow(a)
        let m = SystolicModel(config: cfg, ceiling: ceil, compatibility: compat, onWarning: a.interpreter.engine.warnings.hardware, dataflow: df)
        let exact = SystolicModel(config: cfg, ceiling: .exact, compatibility: compat, dataflow: df)
        return .object(HardwareObject(kind: "systolic", config: cfg, model: m, exactModel: exact, ceiling: ceil.description,
                                      dataflow: df))
      },
      BuiltinFunction("flops", "rows: int = 128, cols: int = 128, batch: int = 64, clock: number = 1e9",
                      "Peak-throughput model: latency = MACs / (rows * cols * clock), utilization 1.") { a in
        let cfg = try config(a)
        let m = FlopsModel(config: cfg)
        return .object(HardwareObject(kind: "flops", config: cfg, model: m, exactModel: m, ceiling: "none"))
      },
      BuiltinFunction("roofline", "rows: int = 128, cols: int = 128, batch: int = 64, clock: number = 1e9, bandwidth: number = 80, compat: string = \"corrected\", sharpness: number = 40",
                      "Roofline model: the larger of DRAM time (bandwidth in GB/s) and compute time.") { a in
        let cfg = try config(a)
        let compat = try compatibility(a)
        let m = RooflineModel(config: cfg, compatibility: compat, sharpness: try a.number("sharpness"))
        return .object(HardwareObject(kind: "roofline", config: cfg, model: m, exactModel: m, ceiling: "none"))
      },
      BuiltinFunction("lookup", "path: string, rows: int = 128, cols: int = 128, batch: int = 64, clock: number = 1e9, compat: string = \"corrected\"",
                      "Black-box model interpolating a measured lookup table: the reference's JSON schema, or a CSV file (name ending .csv) with columns layer (Conv2d | DepthwiseConv2d), input_size, kernel, in_ch, out_ch, runtime_ms and optionally util, one measured layer per row (an FBNet-style per-op table).") { a in
        let cfg = try config(a)
        let compat = try compatibility(a)
        let path = try a.string("path")
        let m = try Engine.run("lookup") { try BlackboxModel(path: path, config: cfg, compatibility: compat) }
        return .object(HardwareObject(kind: "lookup", config: cfg, model: m, exactModel: m, ceiling: "none"))
      },
      BuiltinFunction("conv", "k: int, cin, cout, out = 1, stride: int = 1",
                      "A k x k convolution layer; cin/cout may be tensors; out: 32 or [h, w].") { a in
        let (h, w) = try a.resolution("out")
        return .object(LayerObject(kind: .conv, k: try kernel(a), cin: try .from(a, "cin"), cout: try .from(a, "cout"),
                                   outH: h, outW: w, stride: try positive(a, "stride")))
      },
      BuiltinFunction("depthwise", "k: int, channels, out = 1, stride: int = 1", "A k x k depthwise convolution layer.") { a in
        let (h, w) = try a.resolution("out")
        let c = try Channels.from(a, "channels")
        return .object(LayerObject(kind: .depthwise, k: try kernel(a), cin: c, cout: c, outH: h, outW: w,
                                   stride: try positive(a, "stride")))
      },
      BuiltinFunction("dilated", "k: int, cin, cout, out = 1, dilation: int = 2", "A dilated k x k convolution layer.") { a in
        let (h, w) = try a.resolution("out")
        return .object(LayerObject(kind: .dilated, k: try kernel(a), cin: try .from(a, "cin"), cout: try .from(a, "cout"),
                                   outH: h, outW: w, dilation: try positive(a, "dilation")))
      },
      BuiltinFunction("separable", "k: int, cin, cout, out = 1", "A separable convolution: depthwise k x k then pointwise cin -> cout.") { a in
        let (h, w) = try a.resolution("out")
        return .object(LayerObject(kind: .separable, k: try kernel(a), cin: try .from(a, "cin"), cout: try .from(a, "cout"),
                                   outH: h, outW: w))
      },
      BuiltinFunction("fc", "cin, cout", "A fully connected layer cin -> cout.") { a in
        .object(LayerObject(kind: .linear, k: 1, cin: try .from(a, "cin"), cout: try .from(a, "cout"), outH: 1, outW: 1))
      },
      BuiltinFunction("simulate", "hw, layer, physical: bool = false, dataflow = nil, depthwise: string = \"direct\"",
                      "Cycle-level simulation of a layer on hw's array: {cycles, latency_ms, util, macs, tiles, breakdown}; with dataflow: \"os\" | \"ws\" | \"is\" (or a hw from scalesim_config) SCALE-Sim's compute report {cycles, stall_cycles, latency_ms, util, overall_util, mapping_efficiency, compute_util, macs, dataflow} (depthwise: \"direct\" or SCALE-Sim's \"split\").") { a in
        let hw = try a.object("hw", as: HardwareObject.self, expected: "hardware model")
        let l = try a.layer("layer")
        if let df = try dataflow(a) ?? hw.dataflow {
          return try ScaleSimLibrary.simulate(hw, l, dataflow: df, depthwise: try a.string("depthwise"))
        }
        var spec = l.spec
        spec.cin = spec.cin.rounded(); spec.cout = spec.cout.rounded()
        // The simulator visits every weight tile: refuse layers that would take hours.
    let kk = Double(spec.k1 * spec.k2)
    let tiles = (kk * spec.cin / Double(hw.config.rows) + 1) * (spec.cout / Double(hw.config.cols) + 1)
    guard tiles <= 1e7 else {
      throw LangError(.value, "simulate(layer:): \(l.describe(width: 80)) needs about \(Value.formatNumber(tiles.rounded())) weight tiles on a \(hw.config.rows)x\(hw.config.cols) array (at most 10 million)")
    }
    let sim = SystolicSimulator(config: hw.config, options: try a.bool("physical") ? .physical : .csim)
        let r = try Engine.run("simulate") { try sim.simulate(spec) }
        let b = r.breakdown
        return .record([
          ("cycles", .number(r.cycles)), ("latency_ms", .number(r.latencyMs)), ("util", .number(r.util)),
          ("macs", .number(r.macs)), ("tiles", .number(Double(r.tiles))),
          ("breakdown", .record([("active", .number(b.active)), ("weight_stall", .number(b.weightStall)),
                                 ("fill_drain", .number(b.fillDrain)), ("unused_rows", .number(b.unusedRows)),
                                 ("unused_cols", .number(b.unusedCols))])),
        ])
      },
      BuiltinFunction("smooth_ceil", "x, temp = nil, form = nil",
                      "Smooth ceiling: the reference form by default, the sigmoid-sum form with temp:; form: \"reference\" | \"sigmoid\" | \"corrected\" | \"exact\". Differentiable for tensors.") { a in
        let temp = try a.optionalNumber("temp")
        let formName = try a.optionalString("form") ?? (temp == nil ? "reference" : "sigmoid")
        let kind = try ceilingKind(a, formName, temp: temp ?? 32, parameter: "form")
        try Engine.run("smooth_ceil") { try kind.validate() }
        let v = try a.value("x")
        let warn = a.interpreter.engine.warnings.hardware
        if case .number(let d) = v { return .number(kind.evaluate(d, onWarning: warn).value) }
        let t = try a.tensor("x")
        return TensorObject.value(TensorMath.pointwise(t, op: "smooth_ceil") { kind.evaluate($0, onWarning: warn) })
      },
    ] + ScaleSimLibrary.entries)

  // MARK: Helpers

  /// The optional `dataflow:` argument.
  static func dataflow(_ a: Arguments) throws -> Dataflow? {
    let v = try a.value("dataflow")
    if case .nil_ = v { return nil }
    guard case .string(let s) = v else { throw a.typeError("dataflow", expected: "\"os\", \"ws\" or \"is\"", got: v) }
    guard let df = Dataflow(name: s) else {
      throw LangError(.value, "\(a.function.name)(dataflow:): unknown dataflow '\(s)' (choose os, ws or is)")
    }
    return df
  }

  static func config(_ a: Arguments) throws -> HardwareConfig {
    var c = HardwareConfig()
    c.rows = try a.int("rows")
    c.cols = try a.int("cols")
    c.batch = try a.int("batch")
    c.clockHz = try a.number("clock")
    if a.function.paramIndexContains("bandwidth") { c.bandwidthGBs = try a.number("bandwidth") }
    try Engine.run(a.function.name) { try c.validate() }
    guard c.rows <= 1 << 16, c.cols <= 1 << 16, c.batch <= 1 << 20 else {
      throw LangError(.value, "\(a.function.name)(): array or batch size too large")
    }
    return c
  }

  static func ceilingKind(_ a: Arguments, _ name: String, temp: Double, parameter: String = "ceiling") throws -> CeilingKind {
    // Smooth forms evaluate about 80/temp steps per call: keep the temperature sane.
    guard temp.isNaN || temp <= 0 || (temp >= 0.01 && temp <= 1e6) else {
      throw LangError(.value, "\(a.function.name)(temp:): the temperature must be in 0.01...1000000, got \(Value.formatNumber(temp))")
    }
    let k: CeilingKind
    switch name {
    case "corrected": k = .corrected(temperature: temp)
    case "sigmoid", "sigmoid-sum": k = .sigmoidSum(temperature: temp)
    case "reference": k = .reference
    case "exact": k = .exact
    default:
      throw LangError(.value, "\(a.function.name)(\(parameter):): unknown ceiling '\(name)' (choose corrected, sigmoid, reference or exact)")
    }
    try Engine.run(a.function.name) { try k.validate() }
    return k
  }

  static func compatibility(_ a: Arguments) throws -> Compatibility {
    let s = try a.string("compat")
    guard let c = Compatibility(rawValue: s) else {
      throw LangError(.value, "\(a.function.name)(compat:): unknown compatibility '\(s)' (choose corrected or reference)")
    }
    return c
  }

  static func kernel(_ a: Arguments) throws -> Int {
    let k = try a.int("k")
    guard k >= 1, k <= 64 else { throw LangError(.value, "\(a.function.name)(k:): kernel size must be in 1...64, got \(k)") }
    return k
  }

  static func positive(_ a: Arguments, _ name: String) throws -> Int {
    let v = try a.int(name)
    guard v >= 1, v <= 64 else { throw LangError(.value, "\(a.function.name)(\(name):): must be in 1...64, got \(v)") }
    return v
  }
}

extension BuiltinFunction {
  func paramIndexContains(_ name: String) -> Bool { params.contains { $0.name == name } }
}
