// MARK: - Printing values

extension Value: CustomStringConvertible {
  /// How `print` shows a value: strings bare, everything else as in `repr`.
  public var description: String {
    if case .string(let s) = self { return s }
    return repr
  }

  /// The source-like form: strings quoted, lists `[1, 2]`, records `{a: 1}`.
  public var repr: String {
    var out = ""
    Value.write(self, to: &out, depth: 0)
    return out
  }

  /// Integral values print without a fraction (`3`), others in shortest round-trip form (`0.1`).
  public static func formatNumber(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == d.rounded(), abs(d) <= 9_007_199_254_740_992 { return String(Int64(d)) }  // exact integers up to 2^53
    return "\(d)"
  }

  static let maxDepth = 64
  static let maxItems = 10_000

  private static func write(_ v: Value, to out: inout String, depth: Int) {
    if depth > maxDepth { out += "..."; return }
    switch v {
    case .nil_: out += "nil"
    case .number(let d): out += formatNumber(d)
    case .bool(let b): out += b ? "true" : "false"
    case .string(let s): out += quote(s)
    case .list(let l):
      out += "["
      for (i, x) in l.items.enumerated() {
        if i > 0 { out += ", " }
        if i >= maxItems { out += "... (\(l.items.count) items)"; break }
        write(x, to: &out, depth: depth + 1)
      }
      out += "]"
    case .record(let r):
      out += "{"
      for (i, k) in r.keys.enumerated() {
        if i > 0 { out += ", " }
        out += isPlainName(k) ? k : quote(k)
        out += ": "
        write(r.values[i], to: &out, depth: depth + 1)
      }
      out += "}"
    case .range(let r):
      out += formatNumber(r.start) + (r.inclusive ? "..." : "..<") + formatNumber(r.end)
      if r.step != 1 { out += " step " + formatNumber(r.step) }
    case .function(let c): out += "<fn \(c.proto.name)>"
    case .builtin(let b): out += "<builtin \(b.name)>"
    case .object(let o): out += o.describe(width: 80)
    }
  }

  static func isPlainName(_ s: String) -> Bool {
    guard let f = s.unicodeScalars.first, f == "_" || f.properties.isAlphabetic else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(c)
      }
    }
    return out + "\""
  }
}

// MARK: - Equality

extension Value {
  /// Structural equality for data (numbers, strings, lists, records, ranges); identity for
  /// functions; host objects decide via `isEqual(to:)`. `nan != nan` as in IEEE.
  public static func equal(_ a: Value, _ b: Value) -> Bool {
    equal(a, b, depth: 0)
  }

  private static func equal(_ a: Value, _ b: Value, depth: Int) -> Bool {
    if depth > maxDepth { return false }
    switch (a, b) {
    case (.nil_, .nil_): return true
    case (.number(let x), .number(let y)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.list(let x), .list(let y)):
      if x === y { return true }
      guard x.items.count == y.items.count else { return false }
      for i in 0..<x.items.count where !equal(x.items[i], y.items[i], depth: depth + 1) { return false }
      return true
    case (.record(let x), .record(let y)):
      if x === y { return true }
      guard x.count == y.count else { return false }
      for (i, k) in x.keys.enumerated() {
        guard let v = y[k], equal(x.values[i], v, depth: depth + 1) else { return false }
      }
      return true
    case (.range(let x), .range(let y)):
      return x.start == y.start && x.step == y.step && x.count == y.count
    case (.function(let x), .function(let y)): return x === y
    case (.builtin(let x), .builtin(let y)): return x === y
    case (.object(let x), .object(let y)): return x.isEqual(to: y)
    case (.nil_, _), (.number, _), (.bool, _), (.string, _), (.list, _), (.record, _), (.range, _),
         (.function, _), (.builtin, _), (.object, _):
      return false
    }
  }
}
