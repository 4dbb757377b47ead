// MARK: - Fields, indexing, slicing and iteration
//
// Indexes must be integral numbers; negative indexes count from the end (-1 is the last
// element); out-of-range indexes are errors. Slices `x[a:b]` clamp like Python's.

enum Access {
  // MARK: Fields

  static func field(_ v: Value, _ name: String) throws -> Value {
    switch v {
    case .record(let r):
      if let x = r[name] { return x }
      let known = r.keys.prefix(12).joined(separator: ", ")
      throw LangError(.name, "record has no field '\(name)' (fields: \(known.isEmpty ? "none" : known))")
    case .object(let o):
      if let x = try o.getField(name) { return x }
      if let m = o.method(name) { return .builtin(m) }
      throw LangError(.name, "\(o.typeName) has no field '\(name)'")
    case .range(let r):
      switch name {
      case "start": return .number(r.start)
      case "end": return .number(r.end)
      case "step": return .number(r.step)
      default: break
      }
    case .nil_, .number, .bool, .string, .list, .function, .builtin:
      break
    }
    throw LangError(.type, "\(v.typeName) has no field '\(name)'")
  }

  static func setField(_ v: Value, _ name: String, _ x: Value) throws {
    switch v {
    case .record(let r): r[name] = x
    case .object(let o): try o.setField(name, x)
    case .nil_, .number, .bool, .string, .list, .range, .function, .builtin:
      throw LangError(.type, "cannot set field '\(name)' on \(v.typeName)")
    }
  }

  // MARK: Indexing

  /// The position `key` names in a sequence of `count` items (negative counts from the end);
  /// `axis`: the axis of a multi-index, named in the messages (which then also allow a slice).
  static func position(_ key: Value, count: Int, what: String, axis: Int? = nil) throws -> Int {
    let subject = axis.map { "\(what) index on axis \($0)" } ?? "\(what) index"
    guard case .number(let d) = key else {
      throw LangError(.type, "\(subject) must be a number\(axis == nil ? "" : " or a slice a:b"), got \(key.typeName)")
    }
    guard d == d.rounded(), abs(d) < 9e15 else {
      throw LangError(.index, "\(subject) must be an integer, got \(Value.formatNumber(d))")
    }
    var i = Int(d)
    if i < 0 { i += count }
    guard i >= 0, i < count else {
      let place = axis.map { "axis \($0) of size \(count) (\(what))" } ?? "\(what) of length \(count)"
      throw LangError(.index, "index \(Int(d)) out of range for \(place)")
    }
    return i
  }

  static func index(_ v: Value, _ key: Value) throws -> Value {
    switch v {
    case .list(let l):
      return l.items[try position(key, count: l.items.count, what: "list")]
    case .string(let s):
      let chars = Array(s)
      return .string(String(chars[try position(key, count: chars.count, what: "string")]))
    case .record(let r):
      guard case .string(let k) = key else {
        throw LangError(.type, "record index must be a string, got \(key.typeName)")
      }
      if let x = r[k] { return x }
      throw LangError(.name, "record has no field '\(k)'")
    case .range(let r):
      return .number(r.element(try position(key, count: r.count, what: "range")))
    case .object(let o):
      if let x = try o.index(key) { return x }
      throw LangError(.type, "\(o.typeName) cannot be indexed with \(key.typeName)")
    case .nil_, .number, .bool, .function, .builtin:
      throw LangError(.type, "\(v.typeName) cannot be indexed")
    }
  }

  static func setIndex(_ v: Value, _ key: Value, _ x: Value) throws {
    switch v {
    case .list(let l):
      l.items[try position(key, count: l.items.count, what: "list")] = x
    case .record(let r):
      guard case .string(let k) = key else {
        throw LangError(.type, "record index must be a string, got \(key.typeName)")
      }
      r[k] = x
    case .object(let o):
      try o.setIndex(key, x)
    case .string:
      throw LangError(.type, "strings are immutable; build a new one instead")
    case .nil_, .number, .bool, .range, .function, .builtin:
      throw LangError(.type, "cannot assign to an index of \(v.typeName)")
    }
  }

  // MARK: Slicing

  static func bound(_ v: Value?, count: Int, default d: Int) throws -> Int {
    guard let v = v, !v.isNil else { return d }
    guard case .number(let x) = v else { throw LangError(.type, "slice bound must be a number, got \(v.typeName)") }
    guard x == x.rounded() else { throw LangError(.index, "slice bound must be an integer, got \(Value.formatNumber(x))") }
    var i = x < -9e15 ? -count : x > 9e15 ? count : Int(x)
    if i < 0 { i += count }
    return min(max(i, 0), count)
  }

  static func slice(_ v: Value, _ lo: Value?, _ hi: Value?) throws -> Value {
    switch v {
    case .list(let l):
      let n = l.items.count
      let a = try bound(lo, count: n, default: 0), b = try bound(hi, count: n, default: n)
      return .list(ListBox(a < b ? Array(l.items[a..<b]) : []))
    case .string(let s):
      let chars = Array(s)
      let n = chars.count
      let a = try bound(lo, count: n, default: 0), b = try bound(hi, count: n, default: n)
      return .string(a < b ? String(chars[a..<b]) : "")
    case .range(let r):
      let n = r.count
      let a = try bound(lo, count: n, default: 0), b = try bound(hi, count: n, default: n)
      return .list(ListBox(a < b ? (a..<b).map { .number(r.element($0)) } : []))
    case .object(let o):
      let n = o.length() ?? Int.max / 2
      let a = try bound(lo, count: n, default: 0), b = try bound(hi, count: n, default: n)
      if let x = try o.index(.range(try RangeValue(start: Double(a), end: Double(b), inclusive: false))) { return x }
      throw LangError(.type, "\(o.typeName) cannot be sliced")
    case .nil_, .number, .bool, .record, .function, .builtin:
      throw LangError(.type, "\(v.typeName) cannot be sliced")
    }
  }
}

extension Interpreter {
  /// The elements `for` iterates over: list items, range numbers, string characters, record
  /// `[key, value]` pairs, or a host object's `iterate()`. Nil when the value is not iterable.
  public static func elements(of v: Value) throws -> [Value]? {
    switch v {
    case .list(let l): return l.items
    case .range(let r):
      return try r.materialize()
    case .string(let s): return s.map { .string(String($0)) }
    case .record(let r): return r.fields.map { .list([.string($0.0), $0.1]) }
    case .object(let o): return try o.iterate()
    case .nil_, .number, .bool, .function, .builtin: return nil
    }
  }
}

extension Value {
  /// This value as a position in a sequence of `count` elements, with the language's rules:
  /// integral numbers only, negative counts from the end, out of range is an `index` error.
  /// For host objects implementing `index(_:)`.
  ///
  /// ```swift
  /// let i = try key.asIndex(count: shape[0], what: "Tensor")
  /// ```
  public func asIndex(count: Int, what: String) throws -> Int {
    try Access.position(self, count: count, what: what)
  }

  /// Slice bounds `x[a:b]` (a host object receives them as a `.range`): clamped `lo..<hi`.
  public static func sliceBounds(_ r: RangeValue, count: Int) -> Range<Int> {
    func clamp(_ d: Double) -> Int { d.isNaN ? 0 : Int(Swift.min(Swift.max(d, 0), Double(count))) }
    let lo = clamp(r.start), hi = clamp(r.end)
    return lo..<Swift.max(lo, hi)
  }
}
