import UBoostTensor

// MARK: - What the supernet asks of a hardware cost model

/// Kind of a costed layer, as the supernet sees it.
public enum CostLayerKind: String, Hashable, Sendable {
  case conv, depthwise, dilated, linear
}

/// One layer's cost question: kernel, soft input / output channel counts, output size.
public struct CostQuery: Hashable, Sendable {
  public var kind: CostLayerKind
  public var kernel: Int
  public var cin: Double
  public var cout: Double
  public var outH: Int
  public var outW: Int
  /// Dilation of a `.dilated` layer (the paper's dilated convs: 2).
  public var dilation: Int
  /// Whether the asker uses the derivatives (a channel search's soft widths); evaluators whose
  /// derivatives are expensive (a script function) may skip them when false.
  public var needsDerivatives: Bool
  public init(kind: CostLayerKind, kernel: Int, cin: Double, cout: Double, outH: Int, outW: Int, dilation: Int = 2,
              needsDerivatives: Bool = false) {
    self.kind = kind; self.kernel = kernel; self.cin = cin; self.cout = cout; self.outH = outH; self.outW = outW
    self.dilation = kind == .dilated ? max(dilation, 2) : 1
    self.needsDerivatives = needsDerivatives
  }
}

/// A layer's latency (ms) and utilization (0...1) with their derivatives w.r.t. the soft
/// channel counts.
public struct CostAnswer: Equatable, Sendable {
  public var latencyMs: Double
  public var util: Double
  public var dLatencyDCin: Double, dLatencyDCout: Double
  public var dUtilDCin: Double, dUtilDCout: Double
  public init(latencyMs: Double, util: Double, dLatencyDCin: Double = 0, dLatencyDCout: Double = 0,
              dUtilDCin: Double = 0, dUtilDCout: Double = 0) {
    self.latencyMs = latencyMs; self.util = util
    self.dLatencyDCin = dLatencyDCin; self.dLatencyDCout = dLatencyDCout
    self.dUtilDCin = dUtilDCin; self.dUtilDCout = dUtilDCout
  }
}

/// Anything that prices a layer for the supernet. `HardwareCost` adapts the UBoostHardware
/// models; tests may plug in their own.
public protocol LayerCostEvaluator {
  func evaluate(_ q: CostQuery) throws -> CostAnswer
}

// MARK: - The differentiable cost op

/// Latency and utilization of a layer as 0-d tensors on the tape: their backward pushes the
/// analytic derivatives into the soft channel counts `cin` and `cout` (0-d tensors; constants
/// when the width is fixed).
struct LayerCostTensors {
  var latency: Tensor
  var util: Tensor
  /// A mixed edge's candidates, behind the expected cost above (nil for a single op).
  var mix: SupernetOutput.MixedCost? = nil

  static func evaluate(_ evaluator: LayerCostEvaluator, kind: CostLayerKind, kernel: Int, cin: Tensor, cout: Tensor,
                       outH: Int, outW: Int, dilation: Int = 2) throws -> LayerCostTensors {
    let q = CostQuery(kind: kind, kernel: kernel, cin: Double(cin.data.first ?? 0), cout: Double(cout.data.first ?? 0),
                      outH: outH, outW: outW, dilation: dilation, needsDerivatives: cin.requiresGrad || cout.requiresGrad)
    let a = try evaluator.evaluate(q)
    let dlci = Float(a.dLatencyDCin), dlco = Float(a.dLatencyDCout)
    let duci = Float(a.dUtilDCin), duco = Float(a.dUtilDCout)
    let lat = Tensor.record(op: "hwLatency", shape: [], data: [Float(a.latencyMs)], parents: [cin, cout]) { g in
      cin.accumulateGrad([g[0] * dlci])
      cout.accumulateGrad([g[0] * dlco])
    }
    let util = Tensor.record(op: "hwUtil", shape: [], data: [Float(a.util)], parents: [cin, cout]) { g in
      cin.accumulateGrad([g[0] * duci])
      cout.accumulateGrad([g[0] * duco])
    }
    return LayerCostTensors(latency: lat, util: util)
  }
}
