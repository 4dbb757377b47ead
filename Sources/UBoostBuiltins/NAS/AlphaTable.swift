import Foundation
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - net.alphas: the architecture parameters, readable and writable

/// `net.alphas`: the supernet's architecture parameters as one table, one row per alpha tensor
/// (an edge in the micro stage, a searched conv in the channel stage), one column per op or
/// width choice. It is a view, never a copy: rows are the supernet's own tensors, so writes
/// through it change what the next forward, `net.genotype` and `derive` see.
///
/// ```
/// net.alphas[0]                     # the first edge's alpha tensor (the parameter itself)
/// net.alphas["xp_t1", "zero"] = -5  # by name; also net.alphas[e, k], net.alphas[:, 7] = 0
/// net.alphas[1] *= 0
/// net.alphas = 1e-3 * randn([9, 8])  # the whole table, shape checked
/// adam_step(net.alphas, loss)        # iterates as the list of parameters
/// ```
public final class AlphaTableObject: HostObject {
  let owner: SupernetObject
  var net: Supernet { owner.net }

  init(_ owner: SupernetObject) { self.owner = owner }

  var rows: [Tensor] { net.alphas }
  var rowNames: [String] { net.alphaNames }
  var columns: Int { rows.map(\.count).max() ?? 0 }

  public var typeName: String { "Alphas[\(rows.count),\(columns)]" }
  public var fieldNames: [String] { ["shape", "rows", "columns", "tensor"] }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "shape": return .list([.number(Double(rows.count)), .number(Double(columns))])
    case "rows": return .list(rowNames.map(Value.string))
    case "columns": return .list(net.alphaColumnNames.map(Value.string))
    case "tensor": return .object(try labeledTensor())
    default: return nil
    }
  }

  /// The table as a labeled constant copy (for `plot`, `heatmap` and `net.alphas.tensor`).
  func labeledTensor() throws -> TensorObject {
    let o = TensorObject(try stacked(), rowLabels: rowNames, columnLabels: net.alphaColumnNames)
    o.copyOf = "net.alphas.tensor"
    return o
  }

  /// A constant copy of the table [rows, columns] (rows must have one length).
  func stacked() throws -> Tensor {
    let rs = rows
    let n = columns
    guard rs.allSatisfy({ $0.count == n }) else { throw LangError(.value, "the alphas' rows differ in length; read them one by one") }
    return try Engine.run("alphas") { try Tensor(shape: [rs.count, n], data: rs.flatMap(\.data)) }
  }

  func rowIndex(_ key: Value) throws -> Int {
    if case .string(let s) = key {
      guard let i = rowNames.firstIndex(of: s) else {
        throw LangError(.index, "no alpha row '\(s)' (rows: \(rowNames.joined(separator: ", ")))")
      }
      return i
    }
    guard case .number = key else {
      throw LangError(.type, "an alpha row is chosen by a number or a name, got \(key.typeName)")
    }
    return try key.asIndex(count: rows.count, what: "alphas")
  }

  /// The rows a key's first item selects and the rest of the key for each row's tensor.
  private func split(_ key: Value) throws -> (rows: [Int], single: Bool, rest: IndexKey) {
    switch key {
    case .object(let o as IndexKey):
      guard let first = o.items.first else { return (Array(rows.indices), false, o) }
      let rest = IndexKey(Array(o.items.dropFirst()))
      switch first {
      case .at(let v): return ([try rowIndex(v)], true, rest)
      case .slice(let a, let b):
        let sel = try IndexKey([.slice(a, b)]).resolve(sizes: [rows.count], what: "alphas")
        guard case .range(let r) = sel[0] else { return ([], false, rest) }
        return (Array(r), false, rest)
      }
    case .range(let r):
      let lo = Int(max(0, min(r.start, Double(rows.count)))), hi = Int(max(0, min(r.end, Double(rows.count))))
      return (Array(lo..<max(lo, hi)), false, IndexKey([]))
    default:
      return ([try rowIndex(key)], true, IndexKey([]))
    }
  }

  /// Column items may name ops (`"zero"`) or widths (`"64"`).
  private func columnKey(_ rest: IndexKey) throws -> IndexKey {
    let names = net.alphaColumnNames
    return IndexKey(try rest.items.map { item in
      if case .at(.string(let s)) = item {
        guard let j = names.firstIndex(of: s) else {
          throw LangError(.index, "no alpha column '\(s)' (columns: \(names.joined(separator: ", ")))")
        }
        return .at(.number(Double(j)))
      }
      return item
    })
  }

  public func index(_ key: Value) throws -> Value? {
    let (sel, single, rest) = try split(key)
    let cols = try columnKey(rest)
    let ts = rows
    if single && cols.items.isEmpty { return TensorObject.value(ts[sel[0]]) }   // the parameter itself
    if !single && cols.items.isEmpty && !(key.isIndexKey) { return .list(sel.map { TensorObject.value(ts[$0]) }) }
    let parts = try sel.map { try TensorIndexing.index(ts[$0], .object(cols)) }
    if single { return TensorObject.copy(parts[0], of: "net.alphas[...]") }
    guard let first = parts.first else { return TensorObject.copy(Tensor.constant(shape: [0], data: []), of: "net.alphas[...]") }
    guard parts.allSatisfy({ $0.shape == first.shape }) else { throw LangError(.value, "the selected alpha rows differ in length") }
    return TensorObject.copy(try Engine.run("alphas") { try Tensor.stack(parts, axis: 0) }, of: "net.alphas[...]")
  }

  public func setIndex(_ key: Value, _ value: Value) throws {
    let (sel, single, rest) = try split(key)
    let cols = try columnKey(rest)
    let ts = rows
    if single {
      try TensorIndexing.write(ts[sel[0]], .object(cols), value, target: "alpha row '\(rowNames[sel[0]])' of shape")
      return
    }
    try writeRows(sel, cols, value)
  }

  /// Writes `value` into the rows `sel` (a number fills; a tensor or list has one entry per row).
  func writeRows(_ sel: [Int], _ cols: IndexKey, _ value: Value) throws {
    let ts = rows, names = rowNames
    if case .number = value {
      for i in sel { try TensorIndexing.write(ts[i], .object(cols), value, target: "alpha row '\(names[i])' of shape") }
      return
    }
    let v: Tensor
    switch value {
    case .object(let o as AlphaTableObject): v = try o.stacked()
    case .object(let o as TensorObject): v = o.tensor
    case .list, .range: v = try TensorConvert.tensor(from: value, function: "alphas", parameter: "value")
    default: throw LangError(.type, "can only write numbers, tensors or lists of numbers into the alphas, got \(value.typeName)")
    }
    if v.count == 1 {
      for i in sel { try TensorIndexing.write(ts[i], .object(cols), .object(TensorObject(v)), target: "alpha row '\(names[i])' of shape") }
      return
    }
    guard v.rank >= 1, v.shape[0] == sel.count else {
      throw LangError(.value, "shape mismatch: the value has shape \(v.shape), the \(sel.count) selected alpha rows need [\(sel.count), ...]")
    }
    // Check every row before writing any, so a mismatch leaves the table as it was.
    let parts = try (0..<sel.count).map { k in try Engine.run("alphas") { try v.select(axis: 0, index: k) }.detached() }
    for (k, i) in sel.enumerated() {
      let region = try TensorIndexing.index(ts[i], .object(cols)).shape
      guard parts[k].shape == region || parts[k].count == region.reduce(1, *) else {
        throw LangError(.value, "shape mismatch: cannot write \(v.shape) into the alphas: row '\(names[i])' takes \(region)")
      }
    }
    for (k, i) in sel.enumerated() {
      try TensorIndexing.write(ts[i], .object(cols), .object(TensorObject(parts[k])), target: "alpha row '\(names[i])' of shape")
    }
  }

  /// `net.alphas = value`: the whole table, in place (same tensors, so optimizer state stays).
  func assignAll(_ value: Value) throws {
    guard !rows.isEmpty else { throw LangError(.value, "this \(owner.typeTitle) has no alphas to set") }
    if case .number = value {
      throw LangError(.type, "net.alphas = needs a tensor or list of shape \(getShape()), got a number (to fill: net.alphas[:] = x)")
    }
    if case .object(let o as TensorObject) = value, o.tensor.shape != [rows.count, columns] {
      throw LangError(.value, "shape mismatch: net.alphas is \(getShape()), got a tensor of shape \(o.tensor.shape)")
    }
    if case .object(let o as AlphaTableObject) = value, o.rows.count != rows.count || o.columns != columns {
      throw LangError(.value, "shape mismatch: net.alphas is \(getShape()), got alphas of shape [\(o.rows.count), \(o.columns)]")
    }
    try writeRows(Array(rows.indices), IndexKey([]), value)
  }

  private func getShape() -> String { "[\(rows.count), \(columns)]" }

  public func iterate() throws -> [Value]? { rows.map(TensorObject.value) }
  public func length() -> Int? { rows.count }

  /// `net.weights + net.alphas` (and the reverse): the list of all those tensors.
  public func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? {
    guard op == .add, case .list(let l) = other else { return nil }
    let mine = rows.map(TensorObject.value)
    return .list(ListBox(selfOnLeft ? mine + l.items : l.items + mine))
  }

  public func describe(width: Int) -> String {
    let names = rowNames, cols = net.alphaColumnNames
    guard !rows.isEmpty else { return "alphas: none" }
    let nameWidth = min(24, names.map(\.count).max() ?? 0)
    func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
    let cellWidth = max(8, min(10, cols.map(\.count).max() ?? 8))
    var lines = ["alphas [\(rows.count) x \(columns)]"]
    lines.append(String(repeating: " ", count: nameWidth) + cols.map { " " + pad(String($0.prefix(cellWidth)), cellWidth) }.joined())
    for (n, t) in zip(names, rows) {
      let vals = t.data.map { " " + pad(fixed($0), cellWidth) }.joined()
      lines.append(pad(n, nameWidth) + vals)
    }
    return lines.joined(separator: "\n")
  }

  private func fixed(_ x: Float) -> String { String(format: "%.4f", Double(x)) }

  public func isEqual(to other: HostObject) -> Bool {
    guard let o = other as? AlphaTableObject else { return false }
    return o.rows.map(\.shape) == rows.map(\.shape) && zip(o.rows, rows).allSatisfy { $0.data == $1.data }
  }
}

extension Value {
  var isIndexKey: Bool {
    if case .object(let o) = self, o is IndexKey { return true }
    return false
  }
}

extension SupernetObject {
  var typeTitle: String { net.stage == .final ? "network" : "supernet" }
}
