// MARK: - Multi-index keys
//
// `x[a, b:c, :]` evaluates its items and hands the indexed value one `IndexKey`. The language
// gives it no meaning of its own: lists, strings, ranges and records take a single index and
// refuse it; host objects (tensors, alpha tables, ...) interpret it, usually through
// `resolve(sizes:what:)`. One-item subscripts keep their classic keys (`x[i]` a number or
// string, `x[a:b]` a `.range`), so existing host objects see nothing new.

/// One evaluated item of a multi-index: an index value or a slice with optional bounds.
public enum IndexItem {
  case at(Value)
  case slice(Value?, Value?)
}

/// What an item means on one axis once resolved against its size.
public enum ResolvedIndex: Equatable {
  /// One position (the axis is dropped from a result).
  case at(Int)
  /// A clamped half-open range (the axis is kept).
  case range(Range<Int>)
}

/// The key of `x[a, b:c, :]`, as host objects receive it in `index(_:)` / `setIndex(_:_:)`.
///
/// ```swift
/// if case .object(let o) = key, let k = o as? IndexKey {
///   let axes = try k.resolve(sizes: shape, what: "Tensor")   // [.at(1), .range(0..<3)]
/// }
/// ```
public final class IndexKey: HostObject {
  public let items: [IndexItem]

  public init(_ items: [IndexItem]) { self.items = items }

  public var typeName: String { "index" }

  /// Resolves the items against the sizes of the leading axes: integral numbers (negative count
  /// from the end, out of range is an `index` error), slices clamped like `x[a:b]`, and strings
  /// looked up in `names[axis]` when given. Axes after the last item are taken whole
  /// (`.range(0..<size)`). More items than axes is an `index` error.
  public func resolve(sizes: [Int], what: String, names: [[String]?] = []) throws -> [ResolvedIndex] {
    guard items.count <= sizes.count else {
      throw LangError(.index, "too many indexes (\(items.count)) for \(what) with \(sizes.count) ax\(sizes.count == 1 ? "is" : "es")")
    }
    var out: [ResolvedIndex] = []
    for (axis, n) in sizes.enumerated() {
      guard axis < items.count else { out.append(.range(0..<n)); continue }
      switch items[axis] {
      case .at(.string(let s)):
        guard axis < names.count, let ns = names[axis] else {
          throw LangError(.type, "\(what) index on axis \(axis) must be a number, got string")
        }
        guard let i = ns.firstIndex(of: s) else {
          throw LangError(.index, "no '\(s)' on axis \(axis) of \(what) (names: \(ns.joined(separator: ", ")))")
        }
        out.append(.at(i))
      case .at(let v):
        out.append(.at(try Access.position(v, count: n, what: what, axis: axis)))
      case .slice(let lo, let hi):
        let a = try Access.bound(lo, count: n, default: 0), b = try Access.bound(hi, count: n, default: n)
        out.append(.range(a..<max(a, b)))
      }
    }
    return out
  }

  public func describe(width: Int) -> String {
    func show(_ v: Value?) -> String { v.map { $0.isNil ? "" : $0.repr } ?? "" }
    let parts = items.map { item -> String in
      switch item {
      case .at(let v): return v.repr
      case .slice(let a, let b): return "\(show(a)):\(show(b))"
      }
    }
    return "[" + parts.joined(separator: ", ") + "]"
  }
}

extension Access {
  /// `x[a, b:c]` read: host objects decide; everything else takes one index.
  static func multiIndex(_ v: Value, _ key: IndexKey) throws -> Value {
    switch v {
    case .object(let o):
      if let x = try o.index(.object(key)) { return x }
      throw LangError(.type, "\(o.typeName) cannot be indexed with \(key.items.count) indexes")
    default:
      throw oneIndexOnly(v, key)
    }
  }

  /// `x[a, b:c] = v`.
  static func setMultiIndex(_ v: Value, _ key: IndexKey, _ x: Value) throws {
    switch v {
    case .object(let o): try o.setIndex(.object(key), x)
    case .string: throw LangError(.type, "strings are immutable; build a new one instead")
    default: throw oneIndexOnly(v, key)
    }
  }

  /// `x[a:b] = v`: host objects receive the clamped `.range` that reading sees; lists refuse.
  static func setSlice(_ v: Value, _ lo: Value?, _ hi: Value?, _ x: Value) throws {
    switch v {
    case .object(let o):
      let n = o.length() ?? Int.max / 2
      let a = try bound(lo, count: n, default: 0), b = try bound(hi, count: n, default: n)
      try o.setIndex(.range(try RangeValue(start: Double(a), end: Double(max(a, b)), inclusive: false)), x)
    case .string: throw LangError(.type, "strings are immutable; build a new one instead")
    default: throw LangError(.type, "cannot assign to a slice of \(v.typeName) (assign elements one by one, or build a new \(v.typeName))")
    }
  }

  private static func oneIndexOnly(_ v: Value, _ key: IndexKey) -> LangError {
    switch v {
    case .list, .string, .range, .record:
      return LangError(.type, "a \(v.typeName) takes one index, got \(key.items.count) (x[i, j] indexes engine values such as tensors; for nested \(v.typeName)s use x[i][j])")
    default:
      return LangError(.type, "\(v.typeName) cannot be indexed")
    }
  }
}
