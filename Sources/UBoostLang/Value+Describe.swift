// MARK: - Printing values

extension Value: CustomStringConvertible {
  /// How `print` shows a value: strings bare, everything else as in `repr`.
  public var description: String {
    if case .string(let s) = self { return s }
    return repr
  }

  /// The source-like form: strings quoted, lists `[1, 2]`, records `{a: 1}`. Complete at any
  /// length and depth; a list or record inside itself shows as `[...]` or `{...}`.
  public var repr: String {
    var out = ""
    Value.write(self, to: &out, maxItems: nil)
    return out
  }

  /// `repr` for a display: lists and records longer than `maxItems` show their first
  /// `maxItems` elements and then `... (N items)`. `abbreviated` says whether anything was cut.
  public func displayRepr(maxItems: Int) -> (text: String, abbreviated: Bool) {
    var out = ""
    let cut = Value.write(self, to: &out, maxItems: maxItems)
    return (out, cut)
  }

  /// Integral values print without a fraction (`3`), others in shortest round-trip form (`0.1`).
  public static func formatNumber(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == d.rounded(), abs(d) <= 9_007_199_254_740_992 { return String(Int64(d)) }  // exact integers up to 2^53
    return "\(d)"
  }

  /// Nesting beyond which builtins that still recurse (`to_json`, elementwise math) stop.
  static let maxDepth = 64

  /// Pieces of work of the iterative writer.
  private enum WriteTask {
    case value(Value)
    case text(String)
    /// Leaving a container: it may be printed again (it is no longer an ancestor).
    case leave(ObjectIdentifier)
  }

  /// Appends `v`'s form to `out` without recursion (any depth). Returns whether `maxItems` cut
  /// something.
  @discardableResult
  private static func write(_ v: Value, to out: inout String, maxItems: Int?) -> Bool {
    switch v {
    case .list, .record: break
    case .nil_, .number, .bool, .string, .range, .function, .builtin, .object:
      writeScalar(v, to: &out)
      return false
    }
    var cut = false
    var work: [WriteTask] = [.value(v)]
    var ancestors = Set<ObjectIdentifier>()  // containers being printed (ancestors of the current one)
    while let task = work.popLast() {
      switch task {
      case .text(let t): out += t
      case .leave(let id): ancestors.remove(id)
      case .value(let x):
        switch x {
        case .list(let l):
          let id = ObjectIdentifier(l)
          if ancestors.contains(id) { out += "[...]"; continue }
          out += "["
          let items = l.items
          var n = items.count
          // Run in reverse: the elements, the note, "]", then leaving the list.
          if n > 0 {
            ancestors.insert(id)
            work.append(.leave(id))
          }
          work.append(.text("]"))
          if let m = maxItems, n > m {
            work.append(.text(", ... (\(n) items)"))
            n = m
            cut = true
          }
          if n > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
              work.append(.value(items[i]))
              if i > 0 { work.append(.text(", ")) }
            }
          }
        case .record(let r):
          let id = ObjectIdentifier(r)
          if ancestors.contains(id) { out += "{...}"; continue }
          out += "{"
          let keys = r.keys, values = r.values
          var n = keys.count
          if n > 0 {
            ancestors.insert(id)
            work.append(.leave(id))
          }
          work.append(.text("}"))
          if let m = maxItems, n > m {
            work.append(.text(", ... (\(n) fields)"))
            n = m
            cut = true
          }
          if n > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
              work.append(.value(values[i]))
              let k = keys[i]
              work.append(.text((i > 0 ? ", " : "") + (isPlainName(k) ? k : quote(k)) + ": "))
            }
          }
        case .nil_, .number, .bool, .string, .range, .function, .builtin, .object:
          writeScalar(x, to: &out)
        }
      }
    }
    return cut
  }

  private static func writeScalar(_ v: Value, to out: inout String) {
    switch v {
    case .nil_: out += "nil"
    case .number(let d): out += formatNumber(d)
    case .bool(let b): out += b ? "true" : "false"
    case .string(let s): out += quote(s)
    case .range(let r):
      out += formatNumber(r.start) + (r.inclusive ? "..." : "..<") + formatNumber(r.end)
      if r.step != 1 { out += " step " + formatNumber(r.step) }
    case .function(let c): out += "<fn \(c.proto.name)>"
    case .builtin(let b): out += "<builtin \(b.name)>"
    case .object(let o): out += o.describe(width: 80)
    case .list, .record: break  // written by `write`
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
    if let r = equalShallow(a, b) { return r }
    return equalContainers(a, b)
  }

  /// Scalars compare directly; containers go to the iterative `equalContainers`.
  @inline(__always)
  private static func equalShallow(_ a: Value, _ b: Value) -> Bool? {
    switch (a, b) {
    case (.nil_, .nil_): return true
    case (.number(let x), .number(let y)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.list(let x), .list(let y)):
      if x === y { return true }
      return x.items.count == y.items.count ? nil : false
    case (.record(let x), .record(let y)):
      if x === y { return true }
      return x.count == y.count ? nil : false
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

  private struct Pair: Hashable {
    let a: ObjectIdentifier, b: ObjectIdentifier
  }

  /// Pairs of containers compared before pairs start being remembered: beyond it, a pair met
  /// again (a cycle, or shared structure) counts as equal so far, which makes the comparison
  /// terminate on cyclic values (two values are equal when no path leads to a difference).
  private static let pairsBeforeMemo = 4096

  /// Compares two lists or records of the same size with an explicit worklist: correct at any
  /// depth, and terminates on cycles.
  private static func equalContainers(_ a: Value, _ b: Value) -> Bool {
    var work: [(Value, Value)] = [(a, b)]
    var compared = 0
    var seen = Set<Pair>()
    while let (x, y) = work.popLast() {
      switch (x, y) {
      case (.list(let p), .list(let q)):
        compared += 1
        if compared > pairsBeforeMemo, !seen.insert(Pair(a: ObjectIdentifier(p), b: ObjectIdentifier(q))).inserted { continue }
        let xs = p.items, ys = q.items
        for i in 0..<xs.count {
          switch equalShallow(xs[i], ys[i]) {
          case true?: continue
          case false?: return false
          case nil: work.append((xs[i], ys[i]))
          }
        }
      case (.record(let p), .record(let q)):
        compared += 1
        if compared > pairsBeforeMemo, !seen.insert(Pair(a: ObjectIdentifier(p), b: ObjectIdentifier(q))).inserted { continue }
        let keys = p.keys, values = p.values
        for i in 0..<keys.count {
          guard let v = q[keys[i]] else { return false }
          switch equalShallow(values[i], v) {
          case true?: continue
          case false?: return false
          case nil: work.append((values[i], v))
          }
        }
      default:
        if equalShallow(x, y) != true { return false }
      }
    }
    return true
  }
}
