import Foundation
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Architectures as values: genotypes, derivation rules, derive
//
// `genotype({...})` writes a genotype by hand (or reads one back from its record, JSON or
// printed form); `genotype(net, rule: ...)` derives one from a supernet's alphas with a chosen
// rule; `derive(x, ...)` builds the final network from a search result, a supernet or a
// genotype, always through the same constructor (`Supernet(stage: .final)`) that `train` takes.

/// A derivation rule as a value: `top_k(2, exclude: ["zero"])`, `edge_argmax(max_identity: 2)`.
public final class RuleObject: HostObject {
  public let rule: DerivationRule
  init(_ rule: DerivationRule) { self.rule = rule }

  public var typeName: String { "DeriveRule" }

  static func names(_ ops: Set<String>) -> String {
    // Built-ins in the table's order, then script ops by name.
    let builtin = CandidateOp.builtins.map(\.name).filter(ops.contains)
    let others = ops.subtracting(builtin).sorted()
    return "[" + (builtin + others).map { Value.string($0).repr }.joined(separator: ", ") + "]"
  }

  public func describe(width: Int) -> String {
    switch rule {
    case .argmax(let x, let cap):
      return "edge_argmax(exclude: \(RuleObject.names(x)), max_identity: \(cap.map(String.init) ?? "nil"))"
    case .topK(let k, let x):
      return "top_k(\(k), exclude: \(RuleObject.names(x)))"
    }
  }

  public func isEqual(to other: HostObject) -> Bool { (other as? RuleObject)?.rule == rule }
}

enum ArchLibrary {
  static let library = BuiltinLibrary(
    name: "arch",
    doc: "Architectures as values: genotypes written by hand or derived with a chosen rule, and the final network built from either (derive). Genotype fields: `cells ops widths nodes`; methods `g.with(ops:, widths:, cell:)`, `g.to_record()`, `g.pruned()`; `==` compares. See docs/nas.md, \"Architectures as values\".",
    entries: [
      BuiltinFunction("genotype", "x, rule = nil, nodes = nil, ops: list = []",
                      "A genotype: written by hand as a record of edge -> op ({xp_t1: \"conv3x3\", ...}, one cell), {ops, widths}, {cells: [...]} (the JSON form save() writes), a list of cells or the printed form (\"cell1: xp_t1=conv3x3 ...\"); or derived from a supernet or search result with rule: (default: the search's own rule, net.genotype). nodes: checks the edges against a cell of that many nodes (default: the largest node named). Script ops (op(name, stages)) are given as op values or named and listed in ops:.") { a in
        let x = try a.value("x")
        let nodes = try a.optionalInt("nodes")
        if let net = sourceNet(x) {
          guard nodes == nil else { throw LangError(.argument, "genotype(nodes:): only for hand-written genotypes (the supernet has \(net.net.space.nodes))") }
          let g = try derived(net, rule: a.optionalValue("rule"), a: a)
          return .object(GenotypeObject(g, nodes: net.net.space.nodes))
        }
        if let r = a.optionalValue("rule"), !r.isNil {
          throw LangError(.argument, "genotype(rule:): a rule derives from a supernet or search result, got \(x.typeName)")
        }
        let known = try a.sequence("ops").map { try OpObject.from($0, function: "genotype", argument: "ops") }
        return .object(try handWritten(x, nodes: nodes, function: "genotype", known: known))
      },
      BuiltinFunction("top_k", "k: int, exclude: list = []",
                      "DARTS' derivation rule for derive/genotype(rule:): each node keeps the k incoming edges whose best op not in exclude has the largest softmax weight, each with that op (top_k(2, exclude: [\"zero\"]) is DARTS').") { a in
        let k = try a.int("k")
        guard k >= 1, k <= 64 else { throw LangError(.value, "top_k(k:): must be in 1...64, got \(k)") }
        return .object(RuleObject(.topK(k, exclude: try opSet(a, "exclude"))))
      },
      BuiltinFunction("edge_argmax", "exclude: list = [], max_identity = nil",
                      "The default derivation rule as a value: every edge takes its largest alpha among the ops not in exclude (zero drops the edge), at most max_identity identity edges per cell (P-DARTS), dead edges pruned. derive(net) uses it with the supernet's max_identity.") { a in
        var cap: Int? = nil
        if let v = a.optionalValue("max_identity"), !v.isNil {
          let c = try a.int("max_identity")
          guard c >= 0, c <= 64 else { throw LangError(.value, "edge_argmax(max_identity:): must be in 0...64, got \(c)") }
          cap = c
        }
        return .object(RuleObject(.argmax(exclude: try opSet(a, "exclude"), maxIdentity: cap)))
      },
    ])

  static var deriveSignature: String {
    "result, rule = nil, seed: int = 0, like = nil, stem = nil, width = nil, stacks = nil, classes = nil, input = nil, hw = nil"
  }

  static let deriveDoc = "The final network (freshly initialized) of a search result, a supernet (its ops and chosen widths) or a genotype. rule: (top_k(2, exclude: [\"zero\"]), edge_argmax(...), or a function of one alpha table {cell, name, nodes, edges, ops, alphas, weights} returning {edge: op} or one op name per edge) replaces the default rule (net.genotype). A genotype takes its network shape from like: (a supernet, search result or network) or from stem: (32), width: (default: stem), stacks: ([1, 1, 1]), classes: (10), input: (Fashion-MNIST); these also override a search result's."

  // MARK: derive

  static func derive(_ a: Arguments) throws -> Value {
    let v = try a.value("result")
    let seed = UInt64(bitPattern: Int64(try a.int("seed")))
    var cfg: SearchSpaceConfig
    var hw: HardwareObject?
    let genotype: Genotype
    let likeValue = a.optionalValue("like").flatMap { $0.isNil ? nil : $0 }
    if case .object(let o as GenotypeObject) = v {
      if let r = a.optionalValue("rule"), !r.isNil {
        throw LangError(.argument, "derive(rule:): a genotype is already derived; rule: applies to a search result or supernet")
      }
      genotype = o.genotype
      if let lv = likeValue {
        guard let like = sourceNet(lv) else {
          throw a.typeError("like", expected: "supernet, search result or network", got: lv)
        }
        cfg = like.net.space
        if like.net.stage == .micro { cfg.channelStacks = cfg.microStacks }
        guard o.nodes == cfg.nodes else {
          throw LangError(.value, "derive(like:): the genotype's cells have \(o.nodes) node\(o.nodes == 1 ? "" : "s"), the network's \(cfg.nodes)")
        }
        hw = like.hardware
      } else {
        cfg = SearchSpaceConfig()
        cfg.input = .fashionMNIST
        cfg.stemChannels = 32
        cfg.channelStacks = [1, 1, 1]
        cfg.nodes = o.nodes
      }
    } else if let net = sourceNet(v) {
      if let lv = likeValue { throw LangError(.argument, "derive(like:): only for genotypes (got \(lv.typeName)); a \(v.typeName) has its own shape") }
      if case .object(let o as SupernetObject) = v, o.net.stage == .final {
        throw LangError(.value, "derive(result:): this is already a final network; derive(net.genotype, like: net) builds a fresh one")
      }
      genotype = try derived(net, rule: a.optionalValue("rule"), a: a)
      cfg = net.net.space
      if net.net.stage == .micro { cfg.channelStacks = cfg.microStacks }
      hw = net.hardware
    } else {
      throw a.typeError("result", expected: "search result (search(...) or channel_search(...)), supernet or genotype", got: v)
    }
    // Script ops the genotype uses are defined in the network's space (Supernet resolves by it).
    for op in genotype.cells.flatMap({ $0.ops.values }) where !op.isBuiltin && op.isResolved && !cfg.ops.contains(where: { $0.name == op.name }) {
      cfg.ops.append(op)
    }
    if let s = try a.optionalInt("stem") { cfg.stemChannels = s }
    if let w = try a.optionalInt("width") { cfg.microWidth = w }
    if let s = a.optionalValue("stacks"), !s.isNil { cfg.channelStacks = try a.intList("stacks") }
    if let c = try a.optionalInt("classes") { cfg.classes = c }
    if let i = a.optionalValue("input"), !i.isNil { cfg.input = try NASLibrary.inputShape(a) }
    let finalCfg = cfg
    let net = try Engine.run("derive") { try Supernet(space: finalCfg, stage: .final, genotype: genotype, seed: seed) }
    return .object(SupernetObject(net, hardware: try NASLibrary.optionalHardware(a) ?? hw ?? NASLibrary.defaultHardware(), interpreter: a.interpreter))
  }

  /// The supernet behind a search result or supernet value, else nil.
  static func sourceNet(_ v: Value) -> SupernetObject? {
    switch v {
    case .object(let o as SearchResultObject): return o.supernet
    case .object(let o as SupernetObject): return o
    default: return nil
    }
  }

  /// The genotype of `net` under `rule` (nil: `net.genotype`, exactly what search reports).
  static func derived(_ net: SupernetObject, rule: Value?, a: Arguments) throws -> Genotype {
    let fn = a.function.name
    guard let rule = rule, !rule.isNil else { return try Engine.run(fn) { try net.net.genotype } }
    guard net.net.stage == .micro else {
      throw LangError(.value, "\(fn)(rule:): a rule chooses the ops of a micro supernet; the \(net.net.stage.rawValue) stage's ops are fixed by its genotype")
    }
    if case .object(let o as RuleObject) = rule { return try Engine.run(fn) { try net.net.genotype(rule: o.rule) } }
    guard rule.isCallable else {
      throw a.typeError("rule", expected: "rule (top_k(...), edge_argmax(...)) or function", got: rule)
    }
    let n = net.net
    var cells: [CellGenotype] = []
    for (s, table) in n.alphaTables.enumerated() {
      let rows = table.edges.map(\.name), cols = table.ops.map(\.rawValue)
      let alphas = TensorObject(Tensor.constant(shape: [rows.count, cols.count], data: table.values.flatMap { $0 }),
                                rowLabels: rows, columnLabels: cols)
      let weights = TensorObject(Tensor.constant(shape: [rows.count, cols.count], data: table.weights.flatMap { $0 }),
                                 rowLabels: rows, columnLabels: cols)
      let arg = Value.record([("cell", .number(Double(s))), ("name", .string(n.alphaSetName(s))),
                              ("nodes", .number(Double(n.space.nodes))), ("edges", .list(rows.map(Value.string))),
                              ("ops", .list(cols.map(Value.string))), ("alphas", .object(alphas)), ("weights", .object(weights))])
      let out = try a.interpreter.call(rule, [arg])
      var ops: [String: CandidateOp] = [:]
      let what = "\(fn)(rule:): the rule's answer for \(n.alphaSetName(s))"
      switch out {
      case .record(let r):
        for (edge, opValue) in r.fields {
          guard rows.contains(edge) else {
            throw LangError(.value, "\(what) names edge '\(edge)', which the cell does not have (edges: \(rows.joined(separator: ", ")))")
          }
          let op = try parseOp(opValue, what: "\(what), edge \(edge)", known: n.space.ops)
          if !op.isZero { ops[edge] = op }
        }
      case .list(let l):
        guard l.items.count == rows.count else {
          throw LangError(.value, "\(what) is a list of \(l.items.count) ops; the cell has \(rows.count) edges (\(rows.joined(separator: ", ")))")
        }
        for (edge, opValue) in zip(rows, l.items) {
          let op = try parseOp(opValue, what: "\(what), edge \(edge)", known: n.space.ops)
          if !op.isZero { ops[edge] = op }
        }
      default:
        throw LangError(.type, "\(what) is \(out.typeName); expected a record {edge: op} or a list of op names, one per edge")
      }
      var c = CellGenotype(ops: ops)
      do { try c.prune(nodes: n.space.nodes, cellName: n.alphaSetName(s)) } catch {
        throw LangError(.value, "\(what) leaves no path from the cell's inputs to its output node t\(n.space.nodes)")
      }
      cells.append(c)
    }
    return Genotype(cells: cells)
  }

  /// Op names for `exclude:`: names (built-in or of script ops; checked against the space when
  /// the rule runs) or ops made with op(...).
  static func opSet(_ a: Arguments, _ name: String) throws -> Set<String> {
    Set(try a.sequence(name).map { v -> String in
      switch v {
      case .string(let s):
        guard !s.isEmpty, s.count <= 64 else { throw LangError(.value, "\(a.function.name)(\(name):): '\(s)' is not an op name") }
        return CandidateOp.parse(s)?.name ?? s
      case .object(let o as OpObject): return o.op.name
      default: throw LangError(.type, "\(a.function.name)(\(name):): an op is a name (\"zero\") or op(...), got \(v.typeName)")
      }
    })
  }

  /// An op given as a name (a built-in, or one of `known`: the space's or the genotype's script
  /// ops) or as an op(...) value.
  static func parseOp(_ v: Value, what: String, known: [CandidateOp] = []) throws -> CandidateOp {
    if case .object(let o as OpObject) = v { return o.op }
    guard case .string(let s) = v else { throw LangError(.type, "\(what): an op is a name (\"conv3x3\") or op(...), got \(v.typeName)") }
    guard let op = CandidateOp.parse(s, in: known) else {
      let names = (CandidateOp.builtins + known.filter { !$0.isBuiltin }).map(\.name)
      throw LangError(.value, "\(what): unknown op '\(s)' (known: \(names.joined(separator: ", ")); define others with op(name, stages) and pass them in ops:)")
    }
    return op
  }

  // MARK: Hand-written genotypes

  /// Source and target node of an edge name (`xp_t1`: 0 -> 1, `xpp_t2`: -1 -> 2, `t1_t3`: 1 -> 3).
  static func parseEdge(_ s: String) -> CellEdge? {
    let parts = s.split(separator: "_", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[1].hasPrefix("t"), let to = Int(parts[1].dropFirst()), to >= 1, to <= 64 else { return nil }
    let src = parts[0]
    let from: Int
    if src == "xp" { from = 0 } else if src == "xpp" { from = -1 } else {
      guard src.hasPrefix("t"), let f = Int(src.dropFirst()), f >= 1, f < to else { return nil }
      from = f
    }
    guard CellEdge(from: from, to: to).name == s else { return nil }   // no "t01"
    return CellEdge(from: from, to: to)
  }

  static let edgeHelp = "edges are xp_tN, xpp_tN and tI_tN with I < N, e.g. xp_t1, xpp_t2, t1_t3"

  /// One cell of a hand-written genotype: a record of edge -> op, or {ops, widths}.
  static func cell(_ v: Value, index: Int, function: String, known: [CandidateOp] = []) throws -> CellGenotype {
    let where_ = "\(function)(): cell \(index + 1)"
    guard case .record(let r) = v else {
      throw LangError(.type, "\(where_) must be a record of edge -> op (or {ops, widths}), got \(v.typeName)")
    }
    var opsRecord = r, widthsRecord: RecordBox? = nil
    if let o = r["ops"] {
      guard case .record(let or) = o else { throw LangError(.type, "\(where_): ops must be a record of edge -> op, got \(o.typeName)") }
      opsRecord = or
      if let w = r["widths"], !w.isNil {
        guard case .record(let wr) = w else { throw LangError(.type, "\(where_): widths must be a record of conv -> width, got \(w.typeName)") }
        widthsRecord = wr
      }
      for k in r.keys where k != "ops" && k != "widths" {
        throw LangError(.value, "\(where_): unknown field '\(k)' (a cell is {ops, widths})")
      }
    }
    var ops: [String: CandidateOp] = [:]
    for (edge, opValue) in opsRecord.fields {
      guard parseEdge(edge) != nil else { throw LangError(.value, "\(where_): unknown edge '\(edge)' (\(edgeHelp))") }
      let op = try parseOp(opValue, what: "\(where_), edge \(edge)", known: known)
      if !op.isZero { ops[edge] = op }
    }
    var widths: [String: Int] = [:]
    for (k, wv) in widthsRecord?.fields ?? [] {
      guard k == "xp_pre" || k == "xpp_pre" || parseEdge(k) != nil else {
        throw LangError(.value, "\(where_): widths: unknown conv '\(k)' (xp_pre, xpp_pre or an edge)")
      }
      guard case .number(let d) = wv, d == d.rounded(), d >= 1, d <= 65_536 else {
        throw LangError(.value, "\(where_): widths: \(k) must be an integer in 1...65536, got \(wv.repr)")
      }
      widths[k] = Int(d)
    }
    return CellGenotype(ops: ops, widths: widths)
  }

  /// A genotype from a record, list, printed form or genotype; every cell is checked to have a
  /// path from its inputs to the output node.
  static func handWritten(_ v: Value, nodes: Int?, function: String, known: [CandidateOp] = []) throws -> GenotypeObject {
    var cells: [CellGenotype]
    switch v {
    case .object(let o as GenotypeObject):
      cells = o.genotype.cells
    case .string(let s):
      cells = try parsePrinted(s, function: function, known: known)
    case .list(let l):
      cells = try l.items.enumerated().map { try cell($1, index: $0, function: function, known: known) }
    case .record(let r):
      if let c = r["cells"] {
        guard r.keys == ["cells"] else { throw LangError(.value, "\(function)(): a genotype record with cells: has no other fields") }
        guard case .list(let l) = c else { throw LangError(.type, "\(function)(): cells must be a list, got \(c.typeName)") }
        cells = try l.items.enumerated().map { try cell($1, index: $0, function: function, known: known) }
      } else {
        cells = [try cell(v, index: 0, function: function, known: known)]
      }
    default:
      throw LangError(.type, "\(function)(x:): expected a record of edge -> op, {cells: [...]}, a list of cells, a printed genotype, a supernet or a search result, got \(v.typeName)")
    }
    return try checked(Genotype(cells: cells), nodes: nodes, function: function)
  }

  /// Checks edges against `nodes` (default: the largest node named) and that every cell is alive.
  static func checked(_ g: Genotype, nodes: Int?, function: String) throws -> GenotypeObject {
    guard !g.cells.isEmpty else { throw LangError(.value, "\(function)(): a genotype needs at least one cell") }
    guard g.cells.count <= 64 else { throw LangError(.value, "\(function)(): at most 64 cells, got \(g.cells.count)") }
    let named = g.cells.flatMap { $0.ops.keys.compactMap(parseEdge).map(\.to) }.max() ?? 0
    if let n = nodes {
      guard n >= 1, n <= 8 else { throw LangError(.value, "\(function)(nodes:): must be in 1...8, got \(n)") }
      for (i, c) in g.cells.enumerated() {
        for e in c.ops.keys.sorted() where (parseEdge(e)?.to ?? 0) > n {
          throw LangError(.value, "\(function)(): cell \(i + 1): edge '\(e)' leads to a node past t\(n) (nodes: \(n))")
        }
      }
    }
    let n = nodes ?? named
    guard n >= 1 else { throw LangError(.value, "\(function)(): the genotype has no edges (every edge zero or absent)") }
    guard n <= 8 else { throw LangError(.value, "\(function)(): cells have at most 8 nodes, an edge leads to t\(n)") }
    for (i, c) in g.cells.enumerated() {
      var copy = c
      do { try copy.prune(nodes: n, cellName: "cell \(i + 1)") } catch {
        throw LangError(.value, "\(function)(): cell \(i + 1) has no path from its inputs (xp, xpp) to its output node t\(n)")
      }
    }
    return GenotypeObject(g, nodes: n)
  }

  /// The printed form: one line per cell, `cellN: edge=op ... widths{conv=w ...}`.
  static func parsePrinted(_ s: String, function: String, known: [CandidateOp] = []) throws -> [CellGenotype] {
    var cells: [CellGenotype] = []
    for (li, raw) in s.split(separator: "\n").enumerated() {
      var line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty { continue }
      if let colon = line.firstIndex(of: ":"), line.hasPrefix("cell") { line = String(line[line.index(after: colon)...]) }
      var widths = RecordBox()
      if let w = line.range(of: "widths{") {
        guard let close = line[w.upperBound...].firstIndex(of: "}") else {
          throw LangError(.value, "\(function)(): line \(li + 1): 'widths{' is not closed")
        }
        for item in line[w.upperBound..<close].split(separator: " ") {
          let kv = item.split(separator: "=")
          guard kv.count == 2, let d = Double(kv[1]) else { throw LangError(.value, "\(function)(): line \(li + 1): bad width '\(item)' (conv=width)") }
          widths[String(kv[0])] = .number(d)
        }
        line = String(line[..<w.lowerBound])
      }
      let ops = RecordBox()
      for item in line.split(separator: " ") {
        let kv = item.split(separator: "=")
        guard kv.count == 2 else { throw LangError(.value, "\(function)(): line \(li + 1): expected edge=op, got '\(item)'") }
        ops[String(kv[0])] = .string(String(kv[1]))
      }
      if widths.count == 0 { widths = RecordBox() }
      cells.append(try cell(.record(RecordBox([("ops", .record(ops)), ("widths", .record(widths))])), index: cells.count, function: function, known: known))
    }
    return cells
  }
}

// MARK: - Genotype methods

extension GenotypeObject {
  func genotypeMethod(_ name: String) -> BuiltinFunction? {
    switch name {
    case "with":
      return BuiltinFunction("with", "ops = nil, widths = nil, cell = nil",
                             "A copy with ops (edge -> op; \"zero\" removes the edge) and widths (conv -> width) changed, in every cell or in cell (0-based).") { [self] a in
        var cells = genotype.cells
        var targets = Array(cells.indices)
        if let c = try a.optionalInt("cell") {
          guard c >= 0, c < cells.count else { throw LangError(.index, "with(cell:): index \(c) out of range for a genotype of \(cells.count) cell\(cells.count == 1 ? "" : "s")") }
          targets = [c]
        }
        let opsV = a.optionalValue("ops").flatMap { $0.isNil ? nil : $0 }
        let widthsV = a.optionalValue("widths").flatMap { $0.isNil ? nil : $0 }
        let change = try ArchLibrary.cell(.record(RecordBox([("ops", opsV ?? .record(RecordBox())), ("widths", widthsV ?? .record(RecordBox()))])),
                                          index: 0, function: "with", known: genotype.cells.flatMap { $0.ops.values.filter { !$0.isBuiltin } })
        var zeroed: Set<String> = []
        if case .record(let r)? = opsV {
          for (edge, v) in r.fields where ArchLibrary.parseOp(v)?.isZero == true { zeroed.insert(edge) }
        }
        for i in targets {
          for (e, op) in change.ops { cells[i].ops[e] = op }
          for e in zeroed { cells[i].ops[e] = nil; cells[i].widths[e] = nil }
          for (k, w) in change.widths { cells[i].widths[k] = w }
        }
        let named = cells.flatMap { $0.ops.keys.compactMap(ArchLibrary.parseEdge).map(\.to) }.max() ?? nodes
        return .object(try ArchLibrary.checked(Genotype(cells: cells), nodes: max(nodes, named), function: "with"))
      }
    case "to_record":
      return BuiltinFunction("to_record", "", "The genotype as a record {cells: [{ops, widths}]} (its JSON form; genotype(r) reads it back).") { [self] _ in
        recordValue()
      }
    case "pruned":
      return BuiltinFunction("pruned", "", "A copy without dead edges (what derive builds).") { [self] _ in
        var cells = genotype.cells
        for i in cells.indices {
          try Engine.run("pruned") { try cells[i].prune(nodes: nodes, cellName: "cell \(i + 1)") }
        }
        return .object(GenotypeObject(Genotype(cells: cells), nodes: nodes))
      }
    default:
      return nil
    }
  }

  func recordValue() -> Value {
    .record([("cells", .list(genotype.cells.map { c in
      .record([("ops", .record(c.ops.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.rawValue)) })),
               ("widths", .record(c.widths.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) }))])
    }))])
  }
}

extension ArchLibrary {
  /// An op name's op, or nil (no error): for recognising "zero" in `with(ops:)`.
  static func parseOp(_ v: Value) -> CandidateOp? {
    if case .string(let s) = v { return CandidateOp.parse(s) }
    return nil
  }
}
