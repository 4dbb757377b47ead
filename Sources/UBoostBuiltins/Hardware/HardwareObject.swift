import UBoostHardware
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Hardware models

/// A hardware cost model (`systolic(...)`, `flops(...)`, `roofline(...)`, `lookup(path)`).
/// `hw.cost(layer)` returns `{latency_ms, util, cycles, macs}`; with tensor channel counts the
/// latency and utilization are tensors differentiable w.r.t. those counts.
///
/// ```
/// let hw = systolic(rows: 128, cols: 128, batch: 64)
/// hw.cost(conv(k: 3, cin: 64, cout: 129, out: [32, 32]), exact: true).cycles   # 655360
/// grad(fn(c) => hw.cost(conv(k: 3, cin: 128, cout: c, out: 8)).util, 120)
/// ```
public final class HardwareObject: HostObject {
  /// The model kind shown to users.
  public let kind: String
  public let config: HardwareConfig
  /// The model used by `cost(layer)`.
  public let model: CostModel
  /// The model used by `cost(layer, exact: true)` (the true ceiling).
  let exactModel: CostModel
  let ceilingText: String
  /// The SCALE-Sim dataflow whose cycles `cost` counts (nil: the paper's model).
  let dataflow: Dataflow?
  /// The SCALE-Sim config this model was read from (`scalesim_config(file)`): memory settings for stalls.
  let scaleSim: ScaleSimConfig?
  /// A cost model written in uboost (`hw: fn(l) => {latency, util}`); `model` then wraps it.
  let script: ScriptCost?

  init(kind: String, config: HardwareConfig, model: CostModel, exactModel: CostModel, ceiling: String,
       dataflow: Dataflow? = nil, scaleSim: ScaleSimConfig? = nil, script: ScriptCost? = nil) {
    self.kind = kind
    self.config = config
    self.model = model
    self.exactModel = exactModel
    self.ceilingText = ceiling
    self.dataflow = dataflow
    self.scaleSim = scaleSim
    self.script = script
  }

  /// A hardware object for a uboost cost function (`hw: fn(l) => {latency, util}`).
  static func function(_ f: Value, interpreter: Interpreter) -> HardwareObject {
    let s = ScriptCost(function: f, interpreter: interpreter)
    let m = ScriptCostModel(script: s)
    return HardwareObject(kind: "function", config: HardwareConfig(), model: m, exactModel: m, ceiling: "none", script: s)
  }

  /// The NAS adapter pricing supernet layers with this model (the script function itself, with
  /// its derivatives, for a function model).
  var layerCost: LayerCostEvaluator { script ?? HardwareCost(model) }

  /// The adapter pricing derived networks with the true ceiling (reports).
  var exactCost: LayerCostEvaluator { script ?? HardwareCost(exactModel) }

  public var typeName: String { kind.prefix(1).uppercased() + kind.dropFirst() }

  public var fieldNames: [String] { ["kind", "rows", "cols", "batch", "clock", "bandwidth", "ceiling", "dataflow", "peak_macs", "function", "cost"] }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "kind": return .string(kind)
    case "function": return script?.function ?? .nil_
    case "rows" where script != nil, "cols" where script != nil, "batch" where script != nil, "clock" where script != nil,
         "bandwidth" where script != nil, "peak_macs" where script != nil:
      return .nil_
    case "rows": return .number(Double(config.rows))
    case "cols": return .number(Double(config.cols))
    case "batch": return .number(Double(config.batch))
    case "clock": return .number(config.clockHz)
    case "bandwidth": return .number(config.bandwidthGBs)
    case "ceiling": return .string(ceilingText)
    case "dataflow": return dataflow.map { .string($0.rawValue) } ?? .nil_
    case "peak_macs": return .number(config.peakMacsPerSecond)
    default: return nil
    }
  }

  public func method(_ name: String) -> BuiltinFunction? {
    guard name == "cost" else { return nil }
    return BuiltinFunction("cost", "layer, exact: bool = false",
                           "Cost of a layer or a list of layers: {latency_ms, util, cycles, macs}.") { [self] a in
      let m = try a.bool("exact") ? exactModel : model
      let v = try a.value("layer")
      if let s = script {
        // A function model answers with the function's own values (tensors keep their graph).
        guard case .object(let o) = v, let l = o as? LayerObject else {
          throw a.typeError("layer", expected: "layer (a cost function prices one layer at a time)", got: v)
        }
        let r = try s.call(l)
        return .record([("latency_ms", r.latency), ("util", r.util)])
      }
      if case .object(let o) = v, let l = o as? LayerObject { return try HardwareCostRecord.single(m, l, function: "cost") }
      guard let items = try Interpreter.elements(of: v) else { throw a.typeError("layer", expected: "layer or list of layers", got: v) }
      let layers = try items.map { x -> LayerObject in
        guard case .object(let o) = x, let l = o as? LayerObject else { throw a.typeError("layer", expected: "list of layers", got: x) }
        return l
      }
      return try HardwareCostRecord.total(m, layers, function: "cost")
    }
  }

  public func describe(width: Int) -> String {
    if let s = script { return "cost function \(s.function.repr)" }
    return "\(kind)(rows: \(config.rows), cols: \(config.cols), batch: \(config.batch), clock: \(Value.formatNumber(config.clockHz))" +
      (kind == "systolic" ? ", ceiling: \(ceilingText)" + (dataflow.map { ", dataflow: \"\($0.rawValue)\"" } ?? "") + ")" : ")")
  }
}

// MARK: - Cost records

enum HardwareCostRecord {
  /// `{latency_ms, util, cycles, macs}` of one layer; tensor channels give tensor latency/util/cycles.
  static func single(_ model: CostModel, _ l: LayerObject, function: String) throws -> Value {
    let c = try Engine.run(function) { try model.cost(l.spec) }
    let parts = partials(l)
    if parts.isEmpty {
      return .record([("latency_ms", .number(c.latencyMs)), ("util", .number(c.util)),
                      ("cycles", .number(c.cycles)), ("macs", .number(c.macs))])
    }
    let lat = TensorMath.scalar(c.latencyMs, op: "hw.latency", partials: parts.map { ($0.0, $0.1 ? c.dLatency.dCin : c.dLatency.dCout) })
    let util = TensorMath.scalar(c.util, op: "hw.util", partials: parts.map { ($0.0, $0.1 ? c.dUtil.dCin : c.dUtil.dCout) })
    // cycles = latency_ms * clock / 1e3
    let k = (c.latencyMs > 0) ? c.cycles / c.latencyMs : 0
    let cyc = TensorMath.scalar(c.cycles, op: "hw.cycles", partials: parts.map { ($0.0, k * ($0.1 ? c.dLatency.dCin : c.dLatency.dCout)) })
    return .record([("latency_ms", TensorObject.value(lat)), ("util", TensorObject.value(util)),
                    ("cycles", TensorObject.value(cyc)), ("macs", .number(c.macs))])
  }

  /// Channel tensors of a layer with whether each is `cin` (true) or `cout` (false).
  static func partials(_ l: LayerObject) -> [(Tensor, Bool)] {
    var out: [(Tensor, Bool)] = []
    if let t = l.cin.tensor { out.append((t, true)) }
    if l.kind != .depthwise, let t = l.cout.tensor { out.append((t, false)) }
    return out
  }

  /// A list of layers: latency, cycles and MACs add up; util is the mean over costed layers.
  static func total(_ model: CostModel, _ layers: [LayerObject], function: String) throws -> Value {
    let costs = try layers.map { l in try Engine.run(function) { try model.cost(l.spec) } }
    let agg = aggregate(costs)
    let anyTensor = layers.contains { !partials($0).isEmpty }
    if !anyTensor {
      return .record([("latency_ms", .number(agg.latencyMs)), ("util", .number(agg.util)),
                      ("cycles", .number(agg.cycles)), ("macs", .number(agg.macs))])
    }
    var latParts: [(Tensor, Double)] = [], utilParts: [(Tensor, Double)] = []
    for (i, (l, c)) in zip(layers, costs).enumerated() {
      for (t, isIn) in partials(l) {
        latParts.append((t, isIn ? c.dLatency.dCin : c.dLatency.dCout))
        utilParts.append((t, agg.utilWeights[i] * (isIn ? c.dUtil.dCin : c.dUtil.dCout)))
      }
    }
    let k = agg.latencyMs > 0 ? agg.cycles / agg.latencyMs : 0
    return .record([("latency_ms", TensorObject.value(TensorMath.scalar(agg.latencyMs, op: "hw.latency", partials: latParts))),
                    ("util", TensorObject.value(TensorMath.scalar(agg.util, op: "hw.util", partials: utilParts))),
                    ("cycles", TensorObject.value(TensorMath.scalar(agg.cycles, op: "hw.cycles", partials: latParts.map { ($0.0, $0.1 * k) }))),
                    ("macs", .number(agg.macs))])
  }
}
