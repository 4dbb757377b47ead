import Foundation
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Search spaces

/// A cell search space: candidate ops and nodes per cell.
///
/// ```
/// let space = cell_space(ops: ["conv3x3", "sep3x3", "identity", "zero"], nodes: 3)
/// print(space.edges)        # ["xp_t1", ..., "t2_t3"]
/// ```
public final class SpaceObject: HostObject {
  let ops: [CandidateOp]
  let nodes: Int
  let shared: Bool
  /// A chain space (FBNet-style layers: no pre-convs, nodes read only the previous cell).
  let chain: Bool

  /// Which inputs a node may take (`SearchSpaceConfig.inputs`; nil: every input).
  let inputs: [String: [String]]?

  init(ops: [CandidateOp], nodes: Int, shared: Bool, chain: Bool = false, inputs: [String: [String]]? = nil) {
    self.ops = ops; self.nodes = nodes; self.shared = shared; self.chain = chain; self.inputs = inputs
  }

  /// The edges of a cell of this space.
  var edges: [CellEdge] { SearchSpaceConfig.edges(nodes: nodes, chain: chain, inputs: inputs) }

  public var typeName: String { "CellSpace" }
  public var fieldNames: [String] { ["ops", "nodes", "edges", "inputs", "shared", "chain"] }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "ops": return .list(ops.map { .string($0.rawValue) })
    case "nodes": return .number(Double(nodes))
    case "edges": return .list(edges.map { .string($0.name) })
    case "inputs":
      // Every node's inputs, as the space lets it read them.
      return .record(RecordBox((1...nodes).map { t in
        ("t\(t)", .list(ListBox(edges.filter { $0.to == t }.map { .string(CellEdge.sourceName($0.from)) })))
      }))
    case "shared": return .bool(shared)
    case "chain": return .bool(chain)
    default: return nil
    }
  }

  public func describe(width: Int) -> String {
    let ins = inputs.map { t in
      ", inputs: {" + t.keys.sorted().map { k in "\(k): [" + (t[k] ?? []).map { Value.string($0).repr }.joined(separator: ", ") + "]" }
        .joined(separator: ", ") + "}"
    } ?? ""
    return "cell_space(ops: [\(ops.map { Value.string($0.rawValue).repr }.joined(separator: ", "))], nodes: \(nodes)\(chain ? ", chain: true" : "")\(ins))"
  }
}

// MARK: - Genotypes

/// A found architecture: the op of every edge per cell (and widths after channel search).
///
/// ```
/// print(ms.genotype)                     # cell1: t1_t3=conv3x3 xp_t1=sep3x3 ...
/// draw(ms.genotype, file: "cell.svg")
/// ```
public final class GenotypeObject: HostObject {
  public let genotype: Genotype
  /// Nodes per cell (edge names up to `t<nodes>`).
  public let nodes: Int

  init(_ g: Genotype, nodes: Int? = nil) {
    genotype = g
    self.nodes = nodes ?? max(1, g.cells.flatMap { $0.ops.keys.compactMap(ArchLibrary.parseEdge).map(\.to) }.max() ?? 3)
  }

  public var typeName: String { "Genotype" }
  public var fieldNames: [String] { ["cells", "ops", "widths", "nodes", "with", "to_record", "pruned"] }

  public func method(_ name: String) -> BuiltinFunction? { genotypeMethod(name) }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "cells":
      return .list(genotype.cells.map { c in
        .record([("ops", opsRecord(c)), ("widths", widthsRecord(c))])
      })
    case "ops": return genotype.cells.first.map(opsRecord) ?? .record([])
    case "widths": return genotype.cells.first.map(widthsRecord) ?? .record([])
    case "nodes": return .number(Double(nodes))
    default: return nil
    }
  }

  private func opsRecord(_ c: CellGenotype) -> Value {
    .record(c.ops.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.rawValue)) })
  }

  private func widthsRecord(_ c: CellGenotype) -> Value {
    .record(c.widths.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })
  }

  public func describe(width: Int) -> String { genotype.description }

  public func isEqual(to other: HostObject) -> Bool {
    guard let o = other as? GenotypeObject else { return false }
    return o.genotype == genotype
  }
}

// MARK: - Networks

/// A supernet (micro or channel search) or a derived network: `net.forward(x)` gives
/// `{logits, latency, util}`; `net.weights`, `net.alphas`, `net.tau` (settable), `net.genotype`.
///
/// ```
/// let net = supernet(space, stem: 32, stacks: [1, 1, 1], classes: 10)
/// let out = net.forward(batch.x)
/// sgd_step(net.weights, cross_entropy(out.logits, batch.y) + 0.5 * out.latency)
/// net.tau = max(net.tau * 0.95, 0.001)
/// ```
public final class SupernetObject: HostObject {
  public let net: Supernet
  /// The hardware model pricing the network (nil: latency and util are 0).
  var hardware: HardwareObject?
  /// Per-epoch records of `train`.
  var history: [Value] = []

  /// The interpreter that made it: `net.hw = fn(l) => ...` calls that function there.
  weak var interpreter: Interpreter?

  init(_ net: Supernet, hardware: HardwareObject?, interpreter: Interpreter? = nil) {
    self.net = net
    self.interpreter = interpreter
    self.hardware = hardware
    net.cost = hardware?.layerCost
  }

  func setHardware(_ hw: HardwareObject?) {
    guard let hw = hw else { return }
    hardware = hw
    net.cost = hw.layerCost
  }

  public var typeName: String { net.stage == .final ? "Network" : "Supernet" }

  public var fieldNames: [String] {
    ["stage", "tau", "noise", "relax", "aux_skip", "max_identity", "weights", "alphas", "genotype", "weight_count", "alpha_count", "cells", "hw",
     "history", "forward", "zero_grad"]
  }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "stage": return .string(net.stage.rawValue)
    case "tau": return .number(Double(net.tau))
    case "noise": return .bool(net.gumbelNoise)
    case "relax": return .string(net.relaxation.rawValue)
    case "aux_skip": return .number(Double(net.auxSkip))
    case "max_identity": return net.maxIdentityEdges.map { .number(Double($0)) } ?? .nil_
    case "weights": return .list(net.weights.map(TensorObject.value))
    case "alphas": return .object(AlphaTableObject(self))
    case "genotype": return .object(GenotypeObject(try Engine.run("genotype") { try net.genotype }, nodes: net.space.nodes))
    case "weight_count": return .number(Double(net.weightCount))
    case "alpha_count": return .number(Double(net.alphaCount))
    case "cells": return .list(net.cellNames.map(Value.string))
    case "hw": return hardware.map { .object($0) } ?? .nil_
    case "history": return .list(history)
    default: return nil
    }
  }

  public func setField(_ name: String, _ value: Value) throws {
    switch name {
    case "alphas":
      try AlphaTableObject(self).assignAll(value)
    case "tau":
      guard case .number(let d) = value, d > 0, d.isFinite else {
        throw LangError(.value, "tau must be a positive number, got \(value.repr)")
      }
      net.tau = Float(d)
    case "noise":
      guard case .bool(let b) = value else { throw LangError(.type, "noise must be a bool, got \(value.typeName)") }
      net.gumbelNoise = b
    case "relax":
      guard case .string(let s) = value, let r = ArchRelaxation(rawValue: s) else {
        throw LangError(.value, "relax must be \"gumbel\" or \"sigmoid\", got \(value.repr)")
      }
      net.relaxation = r
    case "aux_skip":
      guard case .number(let d) = value, d >= 0, d.isFinite else {
        throw LangError(.value, "aux_skip must be a number >= 0 (the weight of the auxiliary skip), got \(value.repr)")
      }
      net.auxSkip = Float(d)
    case "max_identity":
      if value.isNil { net.maxIdentityEdges = nil; return }
      guard case .number(let d) = value, d >= 0, d <= 64, d == d.rounded() else {
        throw LangError(.value, "max_identity must be nil or an integer in 0...64, got \(value.repr)")
      }
      net.maxIdentityEdges = Int(d)
    case "hw":
      if value.isCallable, let interp = interpreter {
        setHardware(HardwareObject.function(value, interpreter: interp))
        return
      }
      guard case .object(let o) = value, let hw = o as? HardwareObject else {
        throw LangError(.type, "hw must be a hardware model or a cost function fn(layer) => {latency, util}, got \(value.typeName)")
      }
      setHardware(hw)
    default:
      throw LangError(.type, "cannot set field '\(name)' of \(typeName) (settable: alphas, tau, noise, relax, aux_skip, max_identity, hw)")
    }
  }

  public func method(_ name: String) -> BuiltinFunction? {
    switch name {
    case "forward":
      return BuiltinFunction("forward", "x, training: bool = true",
                             "Runs the network on images [N, C, H, W]: {logits, latency, util, costs} (costs: [{cell, name, latency, util}], every costed pre-conv and edge; a mixed edge's entry adds ops, weights, op_latency and op_util, each candidate's own cost).") { [self] a in
        let x = try a.tensor("x")
        let training = try a.bool("training")
        return try forward(x, training: training)
      }
    case "zero_grad":
      return BuiltinFunction("zero_grad", "", "Clears the gradients of weights and alphas.") { [self] _ in
        net.zeroGrad()
        return .nil_
      }
    default: return nil
    }
  }

  func forward(_ x: Tensor, training: Bool) throws -> Value {
    let out = try Engine.run("forward") { try net.forward(x, training: training) }
    return SupernetObject.record(out)
  }

  /// A forward's output as scripts see it (also the `out` of a loss function):
  /// `{logits, latency, util, costs}`, `costs` a list of `{cell, name, latency, util}` (a mixed
  /// edge adds `{ops, weights, op_latency, op_util}`).
  static func record(_ out: SupernetOutput) -> Value {
    let costs = out.costs.map { c in
      var fields: [(String, Value)] = [("cell", .string(c.cell)), ("name", .string(c.name)),
                                       ("latency", TensorObject.value(c.latency)), ("util", TensorObject.value(c.util))]
      if let m = c.mix {
        fields += [("ops", .list(ListBox(m.ops.map { .string($0) }))), ("weights", TensorObject.value(m.weights)),
                   ("op_latency", TensorObject.value(m.latency)), ("op_util", TensorObject.value(m.util))]
      }
      return Value.record(fields)
    }
    return .record([("logits", TensorObject.value(out.logits)), ("latency", TensorObject.value(out.latency)),
                    ("util", TensorObject.value(out.util)), ("costs", .list(ListBox(costs)))])
  }

  public func describe(width: Int) -> String {
    let kind = net.stage == .final ? "network" : "supernet(\(net.stage.rawValue))"
    return "\(kind): \(net.cellNames.count) cells, \(net.weightCount) weights, \(net.alphaCount) alphas, tau \(Value.formatNumber(Double(net.tau)))"
  }
}

// MARK: - Search results

/// What `search` and `channel_search` return: the searched supernet, its genotype, the alphas
/// (a labeled matrix for `plot`) and the per-epoch history.
///
/// ```
/// let ms = search(net, data, hw: hw, loss: objective, epochs: 1)
/// print(ms.genotype, ms.history[0].loss)
/// plot(ms.alphas)
/// save(ms, "ms_arch_state.json")
/// ```
public final class SearchResultObject: HostObject {
  let supernet: SupernetObject
  var history: [Value]
  /// The alpha matrix (softmax rows) after every epoch of this search: those it ran and those a
  /// resumed search read back from its checkpoint.
  var alphaHistory: [TensorObject] = []

  init(supernet: SupernetObject, history: [Value]) { self.supernet = supernet; self.history = history }

  /// The row and column names of this search's alpha matrices (they do not change with the epochs).
  private lazy var alphaLabels = AlphaMatrix(supernet.net)

  /// Appends the alphas an epoch recorded (nothing for an epoch of a checkpoint written before
  /// they were kept).
  func recordAlphas(_ st: EpochStats) {
    guard let rows = st.alphas, let m = try? Self.tensorObject(rows, labelledAs: alphaLabels) else { return }
    alphaHistory.append(m)
  }

  public func method(_ name: String) -> BuiltinFunction? {
    switch name {
    case "alpha_trace":
      return BuiltinFunction("alpha_trace", "row",
                             "The alphas (softmax) of one edge or searched conv after every epoch: [epochs, choices], for heatmap().") { [self] a in
        .object(try alphaTrace(try a.value("row")))
      }
    default: return nil
    }
  }

  /// Row `row` (a conv / edge name or an index) of every epoch's alpha matrix: [epochs, choices].
  func alphaTrace(_ row: Value) throws -> TensorObject {
    guard let first = alphaHistory.first else {
      throw LangError(.value, "alpha_trace: no epoch's alphas were recorded (the search ran no epoch, or resumed from a checkpoint written before they were kept)")
    }
    let names = first.rowLabels ?? []
    let rows = first.tensor.shape.first ?? 0, cols = first.tensor.rank == 2 ? first.tensor.shape[1] : 0
    let index: Int
    switch row {
    case .number(let d) where d == d.rounded() && d >= 0 && d < Double(rows): index = Int(d)
    case .string(let s):
      guard let i = names.firstIndex(of: s) else {
        throw LangError(.value, "alpha_trace: no row '\(s)' (rows: \(names.joined(separator: ", ")))")
      }
      index = i
    default:
      throw LangError(.value, "alpha_trace: expected a row name or an index in 0..<\(rows), got \(row.repr)")
    }
    var data: [Float] = []
    for m in alphaHistory { data += Array(m.tensor.data[(index * cols)..<((index + 1) * cols)]) }
    let t = try Engine.run("alpha_trace") { try Tensor(shape: [alphaHistory.count, cols], data: data) }
    return TensorObject(t, rowLabels: alphaHistory.indices.map { "epoch \($0 + 1)" }, columnLabels: first.columnLabels)
  }

  public var typeName: String { supernet.net.stage == .micro ? "SearchResult" : "ChannelSearchResult" }
  public var fieldNames: [String] { ["genotype", "argmax_genotype", "alphas", "alpha_history", "alpha_trace", "history", "net", "stage", "widths", "latency", "util", "loss", "arch_state"] }

  public func getField(_ name: String) throws -> Value? {
    let net = supernet.net
    switch name {
    case "genotype": return try supernet.getField("genotype")
    case "argmax_genotype": return .object(GenotypeObject(try Engine.run("genotype") { try net.argmaxGenotype }, nodes: net.space.nodes))
    case "alphas": return .object(try alphaMatrix())
    case "alpha_history": return .list(alphaHistory.map { .object($0) })
    case "history": return .list(history)
    case "net": return .object(supernet)
    case "arch_state": return try archStateValue()
    case "stage": return .string(net.stage.rawValue)
    case "widths": return .record(net.chosenWidths.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })
    case "latency", "util", "loss":
      guard case .record(let r)? = history.last else { return .nil_ }
      return r[name == "latency" ? "latency_ms" : name] ?? .nil_
    default: return nil
    }
  }

  /// Micro: softmax of each edge's alphas (rows: edges, columns: ops); channel: softmax over the
  /// width choices of each searched conv (rows: `midstageN/conv`, columns: widths).
  func alphaMatrix() throws -> TensorObject {
    let m = AlphaMatrix(supernet.net)
    return try Self.tensorObject(m.rows, labelledAs: m)
  }

  /// `rows` (one epoch's `AlphaMatrix` rows) as a labelled tensor, with `m`'s labels.
  static func tensorObject(_ rows: [[Float]], labelledAs m: AlphaMatrix) throws -> TensorObject {
    let cols = rows.first?.count ?? 0
    guard rows.allSatisfy({ $0.count == cols }), !rows.isEmpty else {
      return TensorObject(Tensor.constant(shape: [0, 0], data: []))
    }
    let t = try Engine.run("alphas") { try Tensor(shape: [rows.count, cols], data: rows.flatMap { $0 }) }
    let sameRows = m.rowLabels.count == rows.count && !m.rowLabels.isEmpty
    return TensorObject(t, rowLabels: sameRows ? m.rowLabels : nil, columnLabels: m.columnLabels?.count == cols ? m.columnLabels : nil)
  }

  /// The arch state (the reference's JSON schema) as a record.
  func archStateValue() throws -> Value {
    let data = try Engine.run("arch_state") { try ArchState(supernet.net).jsonData() }
    let any = try Engine.run("arch_state") { try JSONSerialization.jsonObject(with: data) }
    return JSONValue.value(any)
  }

  public func describe(width: Int) -> String {
    let g = (try? supernet.net.genotype.description) ?? "?"
    return "\(typeName.lowercased() == "searchresult" ? "search result" : "channel search result") after \(history.count) epoch\(history.count == 1 ? "" : "s"):\n\(g)"
  }
}
