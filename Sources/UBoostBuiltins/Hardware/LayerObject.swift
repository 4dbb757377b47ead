import UBoostHardware
import UBoostLang
import UBoostTensor

// MARK: - Layers

/// A channel count: a plain number, or a one-element tensor (a soft, differentiable count).
enum Channels {
  case number(Double)
  case tensor(Tensor)

  var value: Double {
    switch self {
    case .number(let d): return d
    case .tensor(let t): return Double(t.data.first ?? 0)
    }
  }

  var tensor: Tensor? {
    if case .tensor(let t) = self { return t }
    return nil
  }

  var asValue: Value {
    switch self {
    case .number(let d): return .number(d)
    case .tensor(let t): return TensorObject.value(t)
    }
  }

  static func from(_ a: Arguments, _ name: String) throws -> Channels {
    let v = try a.value(name)
    switch v {
    case .number(let d):
      // A plain count is checked here, where the layer is made; soft (tensor) counts are checked
      // by the cost models, which see their current value.
      guard d.isFinite, d > 0 else {
        throw LangError(.value, "\(a.function.name)(): invalid \(name) = \(Value.formatNumber(d)): must be a positive finite channel count")
      }
      return .number(d)
    case .object(let o):
      guard let t = o as? TensorObject else { throw a.typeError(name, expected: "number or one-element tensor", got: v) }
      guard t.tensor.count == 1 else {
        throw LangError(.value, "\(a.function.name)(\(name):): a channel tensor must have one element, got shape \(t.tensor.shape)")
      }
      return .tensor(t.tensor)
    default:
      throw a.typeError(name, expected: "number or one-element tensor", got: v)
    }
  }
}

/// One layer as the hardware models see it (`conv(k: 3, cin: 64, cout: 129, out: [32, 32])`).
/// Channel counts may be tensors; costs then carry gradients into them.
///
/// ```
/// let l = conv(k: 3, cin: 64, cout: 129, out: [32, 32])
/// print(l.kind, l.cout, l.out)          # conv 129 [32, 32]
/// ```
public final class LayerObject: HostObject {
  var kind: LayerKind
  var k: Int
  var cin: Channels
  var cout: Channels
  var outH: Int
  var outW: Int
  var stride: Int
  var dilation: Int
  /// Filter width when it differs from the height `k` (SCALE-Sim topologies allow non-square filters).
  var kWidth: Int?
  /// The layer's name (from a SCALE-Sim topology), used by `save_topology`.
  var name: String?

  init(kind: LayerKind, k: Int, cin: Channels, cout: Channels, outH: Int, outW: Int, stride: Int = 1, dilation: Int = 1,
       kWidth: Int? = nil, name: String? = nil) {
    self.kind = kind; self.k = k; self.cin = cin; self.cout = cout
    self.outH = outH; self.outW = outW; self.stride = stride; self.dilation = dilation
    self.kWidth = kWidth; self.name = name
  }

  /// The engine's layer description (tensor channels read as numbers).
  var spec: LayerSpec {
    LayerSpec(kind: kind, k1: k, k2: kWidth ?? k, cin: cin.value, cout: kind == .depthwise ? cin.value : cout.value,
              outH: outH, outW: outW, dilation: dilation, stride: stride)
  }

  public var typeName: String { "Layer" }
  public var fieldNames: [String] { ["kind", "k", "cin", "cout", "out", "stride", "dilation", "name"] }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "kind": return .string(kind.rawValue)
    case "k":
      if let w = kWidth { return .list([.number(Double(k)), .number(Double(w))]) }
      return .number(Double(k))
    case "name":
      if let n = self.name { return .string(n) }
      return .nil_
    case "cin": return cin.asValue
    case "cout": return kind == .depthwise ? cin.asValue : cout.asValue
    case "out": return .list([.number(Double(outH)), .number(Double(outW))])
    case "stride": return .number(Double(stride))
    case "dilation": return .number(Double(dilation))
    default: return nil
    }
  }

  public func describe(width: Int) -> String {
    func ch(_ c: Channels) -> String {
      switch c {
      case .number(let d): return Value.formatNumber(d)
      case .tensor(let t): return "tensor(\(TensorConvert.format(t.data.first ?? 0)))"
      }
    }
    let out = "out: [\(outH), \(outW)]"
    let kText = kWidth.map { "[\(k), \($0)]" } ?? String(k)
    switch kind {
    case .depthwise: return "depthwise(k: \(kText), channels: \(ch(cin)), \(out)\(stride != 1 ? ", stride: \(stride)" : ""))"
    case .linear: return "fc(cin: \(ch(cin)), cout: \(ch(cout)))"
    case .dilated: return "dilated(k: \(k), cin: \(ch(cin)), cout: \(ch(cout)), \(out), dilation: \(dilation))"
    case .conv, .separable, .identity, .zero, .pool:
      return "\(kind.rawValue)(k: \(kText), cin: \(ch(cin)), cout: \(ch(cout)), \(out)\(stride != 1 ? ", stride: \(stride)" : ""))"
    }
  }
}

extension Arguments {
  /// An output resolution: `32` or `[32, 32]`.
  func resolution(_ name: String) throws -> (Int, Int) {
    let v = try value(name)
    func dim(_ x: Value) throws -> Int {
      guard case .number(let d) = x, d == d.rounded(), d >= 1, d <= 1e6 else {
        throw LangError(.value, "\(function.name)(\(name):): sizes must be positive integers, got \(x.repr)")
      }
      return Int(d)
    }
    switch v {
    case .number: let n = try dim(v); return (n, n)
    case .list(let l):
      guard l.items.count == 2 else {
        throw LangError(.value, "\(function.name)(\(name):): expected [height, width], got \(l.items.count) values")
      }
      return (try dim(l.items[0]), try dim(l.items[1]))
    default:
      throw typeError(name, expected: "number or [height, width]", got: v)
    }
  }

  /// A layer argument.
  func layer(_ name: String) throws -> LayerObject {
    try object(name, as: LayerObject.self, expected: "layer (conv(...), depthwise(...), ...)")
  }
}
