import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Candidate ops as values

/// A candidate op (`op("sep3x3")` for a built-in, `op("mbconv3", [{conv: 1, expand: 3}, {dw: 3}, {conv: 1}], residual: true)`
/// or `op("max_pool_3x3", [{pool: "max", k: 3}])` for one defined in uboost), usable in
/// `cell_space(ops: [...])` beside built-in names.
///
/// ```
/// let mb = op("mbconv3", [{conv: 1, expand: 3}, {dw: 3}, {conv: 1}], residual: true)
/// print(mb.stages)                    # [{conv: 1, expand: 3}, {dw: 3}, {conv: 1}]
/// print(op("sep3x3").stages)          # [{dw: 3}, {conv: 1}]
/// print(op("avg3", [{pool: "avg", k: 3}]).stages)   # [{pool: "avg", k: 3}]
/// print(op("ghostsum", [{conv: 1}, {sum: [[], [{dw: 3}]]}]).stages)   # [{conv: 1}, {sum: [[], [{dw: 3}]]}]
/// ```
public final class OpObject: HostObject {
  public let op: CandidateOp

  init(_ op: CandidateOp) { self.op = op }

  public var typeName: String { "Op" }
  public var fieldNames: [String] { ["name", "stages", "residual", "builtin"] }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "name": return .string(op.name)
    case "stages": return .list(ListBox(op.stages.map(OpObject.stageRecord)))
    case "residual": return .bool(op.residual)
    case "builtin": return .bool(op.isBuiltin)
    default: return nil
    }
  }

  public func isEqual(to other: HostObject) -> Bool { (other as? OpObject)?.op == op }

  public func describe(width: Int) -> String {
    if op.isBuiltin { return "op(\(Value.string(op.name).repr))" }
    let stages = op.stages.map { OpObject.stageRecord($0).repr }.joined(separator: ", ")
    return "op(\(Value.string(op.name).repr), [\(stages)]\(op.residual ? ", residual: true" : ""))"
  }

  /// `{conv: 3}`, `{dw: 5, dilation: 2}`, `{conv: 1, expand: 4}`, `{pool: "max", k: 3}`,
  /// `{sum: [[], [{dw: 3}]]}`.
  static func stageRecord(_ s: OpStage) -> Value {
    if s.isSum {
      return .record([("sum", .list(ListBox(s.branches.map { b in .list(ListBox(b.map(OpObject.stageRecord))) })))])
    }
    if let mode = s.poolMode { return .record([("pool", .string(mode.rawValue)), ("k", .number(Double(s.kernel)))]) }
    var f: [(String, Value)] = [(s.kind == .depthwise ? "dw" : "conv", .number(Double(s.kernel)))]
    if s.dilation != 1 { f.append(("dilation", .number(Double(s.dilation)))) }
    if let e = s.expand { f.append(("expand", .number(Double(e)))) }
    return .record(f)
  }

  /// Parses a stage record; errors name the stage.
  static func stage(_ v: Value, index: Int, function: String) throws -> OpStage {
    try stage(v, path: "stage \(index + 1)", function: function, inSum: false)
  }

  /// Parses a stage record at `path` (`stage 2`, `stage 1, branch 2, stage 1`); `inSum`: a stage
  /// of a sum's branch, which may not be a sum itself.
  static func stage(_ v: Value, path: String, function: String, inSum: Bool) throws -> OpStage {
    let at = "\(function)(stages:): \(path)"
    guard case .record(let r) = v else {
      throw LangError(.type, "\(at) must be a record like {conv: 3}, {dw: 3}, {pool: \"max\", k: 3} or {sum: [[...], [...]]}, got \(v.typeName)")
    }
    for k in r.keys where !["conv", "dw", "pool", "k", "dilation", "expand", "sum"].contains(k) {
      throw LangError(.value, "\(at): unknown field '\(k)' (fields: conv, dw, pool or sum, k, dilation, expand)")
    }
    if let sv = r["sum"] {
      guard !inSum else { throw LangError(.value, "\(at): a sum inside a sum is not supported") }
      for key in r.keys where key != "sum" {
        throw LangError(.value, "\(at): a sum stage has only sum: [branch, ...] (no \(key))")
      }
      guard case .list(let bl) = sv else {
        throw LangError(.type, "\(at): sum must be a list of branches, each a list of stages, got \(sv.typeName)")
      }
      guard bl.items.count >= OpStage.minBranches, bl.items.count <= OpStage.maxBranches else {
        throw LangError(.value, "\(at): a sum needs \(OpStage.minBranches) to \(OpStage.maxBranches) branches, got \(bl.items.count)")
      }
      var branches: [[OpStage]] = []
      for (j, b) in bl.items.enumerated() {
        guard case .list(let stages) = b else {
          throw LangError(.type, "\(at), branch \(j + 1) must be a list of stages ([] for the identity), got \(b.typeName)")
        }
        branches.append(try stages.items.enumerated().map { k, x in
          try stage(x, path: "\(path), branch \(j + 1), stage \(k + 1)", function: function, inSum: true)
        })
      }
      let s = OpStage.sum(branches)
      try Engine.run(function) { try s.validate(path) }
      return s
    }
    func int(_ key: String) throws -> Int? {
      guard let x = r[key] else { return nil }
      guard case .number(let d) = x, d == d.rounded(), abs(d) <= 1e6 else {
        throw LangError(.value, "\(at): \(key) must be an integer, got \(x.repr)")
      }
      return Int(d)
    }
    if let p = r["pool"] {
      guard r["conv"] == nil, r["dw"] == nil else {
        throw LangError(.value, "\(at) needs exactly one of conv: K, dw: K or pool: \"max\" / \"avg\"")
      }
      guard case .string(let name) = p, let mode = PoolMode(rawValue: name) else {
        throw LangError(.value, "\(at): pool must be \"max\" or \"avg\", got \(p.repr)")
      }
      for key in ["dilation", "expand"] where r[key] != nil {
        throw LangError(.value, "\(at): a pool stage has no \(key) (it keeps its width and has no weights)")
      }
      guard let k = try int("k") else { throw LangError(.value, "\(at): a pool stage needs k: K (its K x K window)") }
      let s = OpStage(kind: mode == .max ? .maxPool : .avgPool, kernel: k)
      try Engine.run(function) { try s.validate(path) }
      return s
    }
    if r["k"] != nil {
      throw LangError(.value, "\(at): k: goes with pool: (a conv stage is {conv: K} or {dw: K})")
    }
    let conv = try int("conv"), dw = try int("dw")
    guard (conv == nil) != (dw == nil) else {
      throw LangError(.value, "\(at) needs exactly one of conv: K (a full K x K conv), dw: K (depthwise) or pool: \"max\" / \"avg\" with k: K")
    }
    let s = OpStage(kind: dw != nil ? .depthwise : .conv, kernel: conv ?? dw ?? 1, dilation: try int("dilation") ?? 1,
                    expand: try int("expand"))
    try Engine.run(function) { try s.validate(path) }
    return s
  }

  /// An op from a script value: a built-in's name or an `Op`.
  static func from(_ v: Value, function: String, argument: String) throws -> CandidateOp {
    switch v {
    case .string(let s):
      guard let op = CandidateOp.parse(s) else {
        throw LangError(.value, "\(function)(\(argument):): unknown op '\(s)' (built in: \(CandidateOp.builtins.map(\.name).joined(separator: ", ")); define others with op(name, stages))")
      }
      return op
    case .object(let o as OpObject):
      return o.op
    default:
      throw LangError(.type, "\(function)(\(argument):): expected an op name or op(...), got \(v.typeName)")
    }
  }
}
