// MARK: - Runtime values

/// A uboost value. Lists and records are reference objects (shared on assignment, like Python);
/// numbers are always `Double`.
///
/// ```swift
/// let v: Value = .list(ListBox([.number(1), .string("a")]))
/// v.typeName      // "list"
/// v.description   // [1, "a"]
/// ```
public enum Value {
  case nil_
  case number(Double)
  case bool(Bool)
  case string(String)
  case list(ListBox)
  case record(RecordBox)
  case range(RangeValue)
  case function(Closure)
  case builtin(BuiltinFunction)
  case object(HostObject)

  /// The name `type(x)` returns.
  public var typeName: String {
    switch self {
    case .nil_: return "nil"
    case .number: return "number"
    case .bool: return "bool"
    case .string: return "string"
    case .list: return "list"
    case .record: return "record"
    case .range: return "range"
    case .function, .builtin: return "function"
    case .object(let o): return o.typeName
    }
  }

  /// Convenience constructors.
  public static func list(_ items: [Value]) -> Value { .list(ListBox(items)) }
  public static func record(_ fields: [(String, Value)]) -> Value { .record(RecordBox(fields)) }

  /// The number, if this is one.
  public var asNumber: Double? {
    if case .number(let d) = self { return d }
    return nil
  }
  /// The string, if this is one.
  public var asString: String? {
    if case .string(let s) = self { return s }
    return nil
  }
  public var isNil: Bool {
    if case .nil_ = self { return true }
    return false
  }
  public var isCallable: Bool {
    switch self {
    case .function, .builtin: return true
    case .nil_, .number, .bool, .string, .list, .record, .range, .object: return false
    }
  }
}

// MARK: - Containers

/// A mutable list shared by reference.
public final class ListBox {
  public var items: [Value]
  public init(_ items: [Value] = []) { self.items = items }

  deinit {
    if Teardown.needsWorklist(items) { Teardown.release(&items) }
  }
}

/// A record: fields in insertion order, shared by reference.
public final class RecordBox {
  public private(set) var keys: [String] = []
  public private(set) var values: [Value] = []
  private var slots: [String: Int] = [:]

  public init(_ fields: [(String, Value)] = []) {
    keys.reserveCapacity(fields.count)
    values.reserveCapacity(fields.count)
    for (k, v) in fields { self[k] = v }
  }

  public var count: Int { keys.count }

  deinit {
    if Teardown.needsWorklist(values) { Teardown.release(&values) }
  }

  /// Empties the record, handing its values to `work` (see `Teardown`).
  func moveValues(into work: inout [Value]) {
    work.append(contentsOf: values)
    values = []
    keys = []
    slots = [:]
  }

  /// The field value, or nil if absent. Setting `nil` is not removal; use `remove`.
  public subscript(key: String) -> Value? {
    get {
      guard let i = slots[key] else { return nil }
      return values[i]
    }
    set {
      guard let v = newValue else { remove(key); return }
      if let i = slots[key] { values[i] = v } else {
        slots[key] = keys.count
        keys.append(key)
        values.append(v)
      }
    }
  }

  public func remove(_ key: String) {
    guard let i = slots[key] else { return }
    keys.remove(at: i)
    values.remove(at: i)
    slots = [:]
    for (j, k) in keys.enumerated() { slots[k] = j }
  }

  public var fields: [(String, Value)] { Array(zip(keys, values)) }

  /// Field lookup for compiled `r.name` sites: tries the index that matched last time at this
  /// site (records built by the same literal share their layout), then the table.
  @inline(__always)
  func value(_ key: String, hint: inout Int) -> Value? {
    let h = hint
    if h < keys.count, keys[h] == key { return values[h] }
    guard let i = slots[key] else { return nil }
    hint = i
    return values[i]
  }
}

/// An arithmetic progression `start, start+step, ...` up to `end` (included when `inclusive`).
/// Elements are computed as `start + i*step`, so fractional steps do not accumulate error.
public final class RangeValue {
  public let start: Double
  public let end: Double
  public let step: Double
  public let inclusive: Bool
  /// Number of elements.
  public let count: Int

  /// Fails when the step is zero or not finite.
  public init(start: Double, end: Double, step: Double = 1, inclusive: Bool) throws {
    guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
      throw LangError(.value, "range bounds and step must be finite and step non-zero (got \(Value.formatNumber(start)), \(Value.formatNumber(end)), step \(Value.formatNumber(step)))")
    }
    self.start = start
    self.end = end
    self.step = step
    self.inclusive = inclusive
    let span = (end - start) / step
    // Tolerance so that 0...1 step 0.1 includes 1 despite rounding.
    let eps = 1e-9
    var n: Double
    if span < 0 { n = 0 } else if inclusive { n = (span + eps).rounded(.down) + 1 } else {
      n = (span - eps).rounded(.up)
      if n < 0 { n = 0 }
    }
    guard n <= 1e15 else { throw LangError(.limit, "range has too many elements") }
    count = Int(n)
  }

  @inline(__always) public func element(_ i: Int) -> Double { start + Double(i) * step }

  /// All elements as a list; refuses ranges too large to hold in memory.
  public func materialize() throws -> [Value] {
    guard count <= Ops.maxElements else { throw Ops.tooBig() }
    return (0..<count).map { .number(element($0)) }
  }
}
