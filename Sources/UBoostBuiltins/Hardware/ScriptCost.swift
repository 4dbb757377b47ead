import UBoostHardware
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Cost models written in uboost

/// A cost model that is a uboost function: `hw: fn(l) => {latency: ..., util: ...}`.
///
/// The function gets a layer (`l.kind`, `l.k`, `l.cin`, `l.cout`, `l.out`, `l.stride`,
/// `l.dilation`, as from `conv(...)`) and returns a record with `latency` (ms; `latency_ms` is
/// accepted too, so `fn(l) => hw.cost(l)` works) and `util`, each a number or a one-element
/// tensor. Where the asker needs derivatives (a channel search's soft widths), `l.cin` and
/// `l.cout` are one-element tensors and the answer's gradient with respect to them is taken by
/// the tape, so the function is differentiable exactly when it uses differentiable builtins
/// (`smooth_ceil`, arithmetic, `hw.cost`); elsewhere they are numbers. With numbers the answer
/// of each distinct layer is cached, so the function should be pure.
///
/// ```
/// fn my_cost(l) = {latency: l.k * l.k * l.cin * l.cout * l.out[0] * l.out[1] / 1e9, util: 1}
/// let net = supernet(cell_space(), hw: my_cost)
/// ```
final class ScriptCost: LayerCostEvaluator, @unchecked Sendable {
  // @unchecked Sendable: called only from the interpreter's evaluation thread (the searches and
  // cost builtins run there), like every other callback into scripts.
  let function: Value
  weak var interpreter: Interpreter?
  private var cache: [CostQuery: CostAnswer] = [:]

  init(function: Value, interpreter: Interpreter) {
    self.function = function
    self.interpreter = interpreter
  }

  // MARK: Calling the function

  /// The function's `(latency, util)` for `layer`, checked: numbers or one-element tensors, finite, >= 0.
  func call(_ layer: LayerObject) throws -> (latency: Value, util: Value) {
    guard let interp = interpreter else { throw LangError(.internal, "cost function: its interpreter is gone") }
    let r = try interp.call(function, [.object(layer)])
    let what = "the cost function (hw:) must return {latency, util}"
    guard case .record(let rec) = r else {
      throw LangError(.type, "\(what), got \(r.typeName) for \(layer.describe(width: 80))")
    }
    guard let lat = rec["latency"] ?? rec["latency_ms"] else {
      throw LangError(.value, "\(what): no latency in {\(rec.keys.joined(separator: ", "))} for \(layer.describe(width: 80))")
    }
    guard let util = rec["util"] else {
      throw LangError(.value, "\(what): no util in {\(rec.keys.joined(separator: ", "))} for \(layer.describe(width: 80))")
    }
    for (name, v) in [("latency", lat), ("util", util)] {
      let x: Double
      switch v {
      case .number(let d): x = d
      case .object(let o):
        guard let t = o as? TensorObject, t.tensor.count == 1 else { fallthrough }
        x = Double(t.tensor.data[0])
      default:
        throw LangError(.type, "\(what): \(name) must be a number or a one-element tensor, got \(v.typeName) for \(layer.describe(width: 80))")
      }
      guard x.isFinite, x >= 0 else {
        throw LangError(.value, "\(what): \(name) must be finite and >= 0, got \(Value.formatNumber(x)) for \(layer.describe(width: 80))")
      }
    }
    return (lat, util)
  }

  static func number(_ v: Value) -> Double {
    switch v {
    case .number(let d): return d
    case .object(let o): return Double((o as? TensorObject)?.tensor.data.first ?? 0)
    default: return 0
    }
  }

  // MARK: LayerCostEvaluator

  func evaluate(_ q: CostQuery) throws -> CostAnswer {
    if !q.needsDerivatives, let hit = cache[q] { return hit }
    if !q.needsDerivatives {
      let (lat, util) = try call(ScriptCost.layer(q, cin: .number(q.cin), cout: .number(q.cout)))
      let a = CostAnswer(latencyMs: ScriptCost.number(lat), util: ScriptCost.number(util))
      cache[q] = a
      return a
    }
    // Soft widths: one call per output, each on fresh leaves, so each backward sees its own graph
    // (a backward releases the tape it walks).
    func derivatives(_ pick: (Value, Value) -> Value) throws -> (value: Double, dCin: Double, dCout: Double) {
      let cin = Tensor(scalar: Float(q.cin)).trainable(), cout = Tensor(scalar: Float(q.cout)).trainable()
      let saved = GradMode.isEnabled
      GradMode.isEnabled = true
      defer { GradMode.isEnabled = saved }
      let r = try call(ScriptCost.layer(q, cin: .tensor(cin), cout: .tensor(cout)))
      let v = pick(r.latency, r.util)
      guard case .object(let o) = v, let t = (o as? TensorObject)?.tensor, t.requiresGrad else {
        return (ScriptCost.number(v), 0, 0)
      }
      try Engine.run("cost function") { try t.backward() }
      return (Double(t.data[0]), Double(cin.gradData?.first ?? 0), Double(cout.gradData?.first ?? 0))
    }
    let l = try derivatives { lat, _ in lat }
    let u = try derivatives { _, util in util }
    return CostAnswer(latencyMs: l.value, util: u.value, dLatencyDCin: l.dCin, dLatencyDCout: l.dCout,
                      dUtilDCin: u.dCin, dUtilDCout: u.dCout)
  }

  /// The layer a query describes, as the function sees it.
  static func layer(_ q: CostQuery, cin: Channels, cout: Channels) -> LayerObject {
    switch q.kind {
    case .conv: return LayerObject(kind: .conv, k: q.kernel, cin: cin, cout: cout, outH: q.outH, outW: q.outW)
    case .dilated: return LayerObject(kind: .dilated, k: q.kernel, cin: cin, cout: cout, outH: q.outH, outW: q.outW, dilation: q.dilation)
    case .depthwise: return LayerObject(kind: .depthwise, k: q.kernel, cin: cin, cout: cin, outH: q.outH, outW: q.outW)
    case .linear: return LayerObject(kind: .linear, k: 1, cin: cin, cout: cout, outH: 1, outW: 1)
    }
  }
}

// MARK: - The same function as a CostModel

/// `ScriptCost` seen as a `CostModel` (numbers in, no derivatives): what reports and
/// `ArchitectureCost` use to price derived networks with the function.
struct ScriptCostModel: CostModel {
  let script: ScriptCost
  var name: String { "function" }

  func cost(_ layer: LayerSpec) throws -> LayerCost {
    let kind: CostLayerKind
    switch layer.kind {
    case .conv: kind = .conv
    case .dilated: kind = .dilated
    case .depthwise: kind = .depthwise
    case .linear: kind = .linear
    case .identity, .zero, .pool: return .free
    case .separable:
      // Depthwise k x k then pointwise: latencies add, utilization is the mean (as the supernet counts it).
      var dw = layer, pw = layer
      dw.kind = .depthwise; dw.cout = layer.cin
      pw.kind = .conv; pw.k1 = 1; pw.k2 = 1
      let a = try cost(dw), b = try cost(pw)
      return LayerCost(cycles: a.cycles + b.cycles, latencyMs: a.latencyMs + b.latencyMs, util: (a.util + b.util) / 2,
                       macs: a.macs + b.macs)
    }
    let a = try script.evaluate(CostQuery(kind: kind, kernel: layer.k1, cin: layer.cin, cout: layer.cout,
                                          outH: layer.outH, outW: layer.outW, dilation: layer.dilation))
    let macs = (try? FlopsModel(config: HardwareConfig()).cost(layer).macs) ?? 0
    return LayerCost(cycles: 0, latencyMs: a.latencyMs, util: a.util, macs: macs)
  }
}
