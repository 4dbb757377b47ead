// MARK: - Layers

/// Operation kinds the cost models price.
public enum LayerKind: String, Equatable, Sendable, CaseIterable {
  case conv, depthwise, dilated, separable, linear, identity, zero, pool

  /// Kinds that cost nothing (utilization 1, excluded from averages).
  public var isFree: Bool {
    switch self {
    case .identity, .zero, .pool: return true
    case .conv, .depthwise, .dilated, .separable, .linear: return false
    }
  }
}

/// One layer as the hardware sees it. Channel counts are `Double` so soft (expected) channel
/// counts from channel search can be priced and differentiated.
///
/// `outH x outW` is the output resolution; the input resolution is `outH*stride x outW*stride`.
/// ```swift
/// let l = LayerSpec.conv(k: 3, cin: 64, cout: 128, out: 16)
/// let fc = LayerSpec.linear(in: 512, out: 10)
/// ```
public struct LayerSpec: Equatable, Sendable {
  public var kind: LayerKind
  public var k1: Int
  public var k2: Int
  public var cin: Double
  public var cout: Double
  public var outH: Int
  public var outW: Int
  public var dilation: Int
  public var stride: Int

  public init(kind: LayerKind, k1: Int = 1, k2: Int = 1, cin: Double, cout: Double, outH: Int = 1, outW: Int = 1,
              dilation: Int = 1, stride: Int = 1) {
    self.kind = kind
    self.k1 = k1
    self.k2 = k2
    self.cin = cin
    self.cout = cout
    self.outH = outH
    self.outW = outW
    self.dilation = dilation
    self.stride = stride
  }

  /// Largest kernel side, output side, stride or dilation accepted (keeps all products finite and exact).
  public static let maxExtent = 1 << 16

  /// Kernel as a pair.
  public var kernel: (Int, Int) { (k1, k2) }

  /// A square `k x k` convolution with square output `out x out`.
  public static func conv(k: Int, cin: Double, cout: Double, out: Int, stride: Int = 1) -> LayerSpec {
    LayerSpec(kind: .conv, k1: k, k2: k, cin: cin, cout: cout, outH: out, outW: out, stride: stride)
  }
  /// A `k x k` depthwise convolution over `channels` channels.
  public static func depthwise(k: Int, channels: Double, out: Int, stride: Int = 1) -> LayerSpec {
    LayerSpec(kind: .depthwise, k1: k, k2: k, cin: channels, cout: channels, outH: out, outW: out, stride: stride)
  }
  /// A dilated `k x k` convolution (dilation 2 by default).
  public static func dilated(k: Int, cin: Double, cout: Double, out: Int, dilation: Int = 2) -> LayerSpec {
    LayerSpec(kind: .dilated, k1: k, k2: k, cin: cin, cout: cout, outH: out, outW: out, dilation: dilation)
  }
  /// A separable convolution: depthwise `k x k` on `cin` then pointwise `cin -> cout`.
  public static func separable(k: Int, cin: Double, cout: Double, out: Int) -> LayerSpec {
    LayerSpec(kind: .separable, k1: k, k2: k, cin: cin, cout: cout, outH: out, outW: out)
  }
  /// A fully connected layer `in -> out` (a 1x1 conv on a 1x1 map).
  public static func linear(in cin: Double, out cout: Double) -> LayerSpec {
    LayerSpec(kind: .linear, k1: 1, k2: 1, cin: cin, cout: cout, outH: 1, outW: 1)
  }
  /// A free layer (identity, zero or pooling).
  public static func free(_ kind: LayerKind, channels: Double = 0, out: Int = 1) -> LayerSpec {
    LayerSpec(kind: kind, cin: channels, cout: channels, outH: out, outW: out)
  }

  /// Throws if a field is out of range (non-positive sizes, negative or non-finite channels).
  public func validate() throws {
    func bad(_ n: String, _ v: String, _ r: String) -> HardwareError { .invalidParameter(name: n, value: v, reason: r) }
    if kind.isFree { return }
    if !(cin > 0) || !cin.isFinite { throw bad("cin", String(cin), "must be a positive finite channel count") }
    if !(cout > 0) || !cout.isFinite { throw bad("cout", String(cout), "must be a positive finite channel count") }
    if k1 < 1 || k2 < 1 || k1 > LayerSpec.maxExtent || k2 > LayerSpec.maxExtent {
      throw bad("kernel", "\(k1)x\(k2)", "must be between 1x1 and \(LayerSpec.maxExtent)x\(LayerSpec.maxExtent)")
    }
    if outH < 1 || outW < 1 || outH > LayerSpec.maxExtent || outW > LayerSpec.maxExtent {
      throw bad("output size", "\(outH)x\(outW)", "must be between 1x1 and \(LayerSpec.maxExtent)x\(LayerSpec.maxExtent)")
    }
    if stride < 1 || stride > LayerSpec.maxExtent { throw bad("stride", String(stride), "must be in 1...\(LayerSpec.maxExtent)") }
    if dilation < 1 || dilation > LayerSpec.maxExtent {
      throw bad("dilation", String(dilation), "must be in 1...\(LayerSpec.maxExtent)")
    }
    if cin > 1e12 || cout > 1e12 { throw bad("channels", "\(cin), \(cout)", "must be at most 1e12") }
  }
}

// MARK: - Costs

/// The cost of one layer (or a sum of layers) with derivatives w.r.t. the soft channel counts.
///
/// For a depthwise layer `cout == cin`; the whole derivative is reported in `dCin` and `dCout` is 0.
public struct LayerCost: Equatable, Sendable {
  public var cycles: Double
  public var latencyMs: Double
  public var util: Double
  public var macs: Double
  public var dLatency: (dCin: Double, dCout: Double)
  public var dUtil: (dCin: Double, dCout: Double)
  /// True for identity / zero / pooling: no runtime, excluded from utilization averages.
  public var zeroCost: Bool

  public init(cycles: Double, latencyMs: Double, util: Double, macs: Double,
              dLatency: (dCin: Double, dCout: Double) = (0, 0), dUtil: (dCin: Double, dCout: Double) = (0, 0),
              zeroCost: Bool = false) {
    self.cycles = cycles
    self.latencyMs = latencyMs
    self.util = util
    self.macs = macs
    self.dLatency = dLatency
    self.dUtil = dUtil
    self.zeroCost = zeroCost
  }

  /// The cost of a free layer: nothing, utilization 1.
  public static let free = LayerCost(cycles: 0, latencyMs: 0, util: 1, macs: 0, zeroCost: true)

  public static func == (a: LayerCost, b: LayerCost) -> Bool {
    a.cycles == b.cycles && a.latencyMs == b.latencyMs && a.util == b.util && a.macs == b.macs
      && a.dLatency == b.dLatency && a.dUtil == b.dUtil && a.zeroCost == b.zeroCost
  }
}

// MARK: - Cost model protocol

/// A per-layer hardware cost model.
///
/// ```swift
/// let model: CostModel = SystolicModel()
/// let c = try model.cost(.conv(k: 3, cin: 64, cout: 64, out: 32))
/// print(c.latencyMs, c.util)
/// ```
public protocol CostModel: Sendable {
  var name: String { get }
  func cost(_ layer: LayerSpec) throws -> LayerCost
}

extension CostModel {
  /// Costs of several layers, in order.
  public func costs(_ layers: [LayerSpec]) throws -> [LayerCost] { try layers.map { try cost($0) } }
}
