import Foundation
import UBoostHardware

// MARK: - One costed layer of a derived network

/// A layer of a derived network with its full geometry: what `final_arch.json` lists, so anyone
/// can recompute the network's cost from the formulas of design/method.md without uboost.
///
/// ```swift
/// let layers = try ArchitectureCost.layers(space: space, genotype: g, stacks: space.channelStacks)
/// try ArchLayer.writeJSON(layers, to: "final_arch.json")
/// ```
public struct ArchLayer: Codable, Equatable, Sendable {
  public enum Kind: String, Codable, Sendable { case conv, depthwise, linear }

  /// Cell index (0-based) and the edge or conv the layer belongs to (`xp_pre`, `t1_t2/dw`, ...).
  public var cell: Int
  public var edge: String
  public var kind: Kind
  public var k: Int
  public var cin: Int
  public var cout: Int
  public var stride: Int
  public var dilation: Int
  public var groups: Int
  public var inHW: [Int]
  public var outHW: [Int]

  enum CodingKeys: String, CodingKey {
    case cell, edge, kind, k, cin, cout, stride, dilation, groups
    case inHW = "in_hw", outHW = "out_hw"
  }

  public init(cell: Int, edge: String, kind: Kind, k: Int, cin: Int, cout: Int, stride: Int, dilation: Int, groups: Int,
              inHW: [Int], outHW: [Int]) {
    self.cell = cell; self.edge = edge; self.kind = kind; self.k = k; self.cin = cin; self.cout = cout
    self.stride = stride; self.dilation = dilation; self.groups = groups; self.inHW = inHW; self.outHW = outHW
  }

  /// `cell` and `edge` are uboost's labels: files written by hand may leave them out.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    cell = try c.decodeIfPresent(Int.self, forKey: .cell) ?? 0
    edge = try c.decodeIfPresent(String.self, forKey: .edge) ?? ""
    kind = try c.decode(Kind.self, forKey: .kind)
    k = try c.decode(Int.self, forKey: .k)
    cin = try c.decode(Int.self, forKey: .cin)
    cout = try c.decode(Int.self, forKey: .cout)
    stride = try c.decode(Int.self, forKey: .stride)
    dilation = try c.decode(Int.self, forKey: .dilation)
    groups = try c.decode(Int.self, forKey: .groups)
    inHW = try c.decode([Int].self, forKey: .inHW)
    outHW = try c.decode([Int].self, forKey: .outHW)
  }

  /// The cost models' view of the layer (dilated convs priced as such).
  public var spec: LayerSpec {
    let kind: LayerKind
    switch self.kind {
    case .depthwise: kind = .depthwise
    case .linear: kind = .linear
    case .conv: kind = dilation > 1 ? .dilated : .conv
    }
    return LayerSpec(kind: kind, k1: k, k2: k, cin: Double(cin), cout: Double(cout), outH: outHW.first ?? 1, outW: outHW.last ?? 1,
                     dilation: dilation, stride: stride)
  }

  /// Checks the values a file may hold before any model sees them.
  public func validate(at index: Int) throws {
    func check(_ ok: Bool, _ what: String) throws {
      if !ok { throw NASError.badArchState("layer \(index) (\(edge)): \(what)") }
    }
    let limit = 1 << 16
    try check(k >= 1 && k <= 64, "k must be in 1...64, got \(k)")
    try check(cin >= 1 && cin <= limit && cout >= 1 && cout <= limit, "cin and cout must be in 1...\(limit), got \(cin), \(cout)")
    try check(stride >= 1 && stride <= 64 && dilation >= 1 && dilation <= 64, "stride and dilation must be in 1...64")
    try check(groups >= 1 && cin % groups == 0, "groups must divide cin (\(cin)), got \(groups)")
    try check(kind != .depthwise || (groups == cin && cout == cin), "a depthwise layer has groups == cin == cout")
    try check(inHW.count == 2 && outHW.count == 2 && (inHW + outHW).allSatisfy { $0 >= 1 && $0 <= limit },
              "in_hw and out_hw must be [h, w] with sides in 1...\(limit)")
  }

  // MARK: File

  struct File: Codable { var layers: [ArchLayer] }

  /// Writes `{"layers": [...]}` atomically.
  public static func writeJSON(_ layers: [ArchLayer], to path: String) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(try enc.encode(File(layers: layers)), to: path)
  }

  /// Reads and validates a `final_arch.json`.
  public static func readJSON(from path: String) throws -> [ArchLayer] {
    guard let d = FileManager.default.contents(atPath: path) else { throw NASError.io(path: path, detail: "cannot read the file") }
    let f: File
    do { f = try JSONDecoder().decode(File.self, from: d) } catch {
      throw NASError.badArchState("\(path): not a final_arch.json ({\"layers\": [{kind, k, cin, cout, stride, dilation, groups, in_hw, out_hw}, ...]}): \(error)")
    }
    for (i, l) in f.layers.enumerated() { try l.validate(at: i) }
    return f.layers
  }
}

// MARK: - Judging a network with any evaluator

/// The whole network's cost from its layers: latency adds up; utilization is time-weighted
/// (sum of MACs over sum of cycles x PEs: the fraction of the array's work the network uses).
public enum NetworkCost {
  public struct Result: Equatable, Sendable {
    public var latencyMs: Double
    public var util: Double
    public var macs: Double
  }

  /// `evaluate(layer) -> (latencyMs, util)`; MACs from the geometry (batch included by `batch`).
  public static func judge(_ layers: [ArchLayer], batch: Int, evaluate: (LayerSpec) throws -> (latencyMs: Double, util: Double)) rethrows -> Result {
    var lat = 0.0, busy = 0.0, macs = 0.0
    for l in layers {
      let r = try evaluate(l.spec)
      lat += r.latencyMs
      busy += r.latencyMs * r.util   // util = useful MAC-time fraction of this layer's time
      macs += Double(batch) * Double(l.outHW[0] * l.outHW[1]) * Double(l.k * l.k) * Double(l.cin / l.groups) * Double(l.cout)
    }
    return Result(latencyMs: lat, util: lat > 0 ? busy / lat : 0, macs: macs)
  }
}
