import UBoostLang
import UBoostNAS

// MARK: - Candidate ops as values

/// A candidate op (`op("sep3x3")` for a built-in, `op("mbconv3", [{conv: 1, expand: 3}, {dw: 3}, {conv: 1}], residual: true)`
/// for one defined in uboost), usable in `cell_space(ops: [...])` beside built-in names.
///
/// ```
/// let mb = op("mbconv3", [{conv: 1, expand: 3}, {dw: 3}, {conv: 1}], residual: true)
/// print(mb.stages)                    # [{conv: 1, expand: 3}, {dw: 3}, {conv: 1}]
/// print(op("sep3x3").stages)          # [{dw: 3}, {conv: 1}]
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

  /// `{conv: 3}`, `{dw: 5, dilation: 2}`, `{conv: 1, expand: 4}`.
  static func stageRecord(_ s: OpStage) -> Value {
    var f: [(String, Value)] = [(s.kind == .depthwise ? "dw" : "conv", .number(Double(s.kernel)))]
    if s.dilation != 1 { f.append(("dilation", .number(Double(s.dilation)))) }
    if let e = s.expand { f.append(("expand", .number(Double(e)))) }
    return .record(f)
  }

  /// Parses a stage record; errors name the stage.
  static func stage(_ v: Value, index: Int, function: String) throws -> OpStage {
    let at = "\(function)(stages:): stage \(index + 1)"
    guard case .record(let r) = v else {
      throw LangError(.type, "\(at) must be a record like {conv: 3} or {dw: 3}, got \(v.typeName)")
    }
    for k in r.keys where !["conv", "dw", "dilation", "expand"].contains(k) {
      throw LangError(.value, "\(at): unknown field '\(k)' (fields: conv or dw, dilation, expand)")
    }
    func int(_ key: String) throws -> Int? {
      guard let x = r[key] else { return nil }
      guard case .number(let d) = x, d == d.rounded(), abs(d) <= 1e6 else {
        throw LangError(.value, "\(at): \(key) must be an integer, got \(x.repr)")
      }
      return Int(d)
    }
    let conv = try int("conv"), dw = try int("dw")
    guard (conv == nil) != (dw == nil) else {
      throw LangError(.value, "\(at) needs exactly one of conv: K (a full K x K conv) or dw: K (depthwise)")
    }
    let s = OpStage(kind: dw != nil ? .depthwise : .conv, kernel: conv ?? dw ?? 1, dilation: try int("dilation") ?? 1,
                    expand: try int("expand"))
    try Engine.run(function) { try s.validate("stage \(index + 1)") }
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
