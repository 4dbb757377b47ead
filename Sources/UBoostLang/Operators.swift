import Foundation

// MARK: - Operator semantics
//
// Numbers follow IEEE 754: 1/0 is inf, 0/0 is nan, x % 0 is nan. `%` is a floored modulo (the
// result has the divisor's sign, as in Python). `+` concatenates strings and lists; `*` repeats
// a string or list by a non-negative integer. Comparisons `<` etc. work on numbers and strings.
// Anything involving a host object is offered to the object (left operand first).

enum Ops {
  /// Largest list or string a single operation may build.
  static let maxElements = 100_000_000

  static func binary(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value {
    if case .number(let x) = a, case .number(let y) = b { return numeric(op, x, y) }
    if case .object(let o) = a, let r = try o.binary(op, b, selfOnLeft: true) { return r }
    if case .object(let o) = b, let r = try o.binary(op, a, selfOnLeft: false) { return r }
    switch op {
    case .eq: return .bool(Value.equal(a, b))
    case .ne: return .bool(!Value.equal(a, b))
    case .add:
      switch (a, b) {
      case (.string(let x), .string(let y)):
        guard x.utf8.count + y.utf8.count <= maxElements else { throw tooBig() }
        return .string(x + y)
      case (.list(let x), .list(let y)):
        guard x.items.count + y.items.count <= maxElements else { throw tooBig() }
        return .list(ListBox(x.items + y.items))
      default: break
      }
    case .mul:
      switch (a, b) {
      case (.string(let s), .number(let n)), (.number(let n), .string(let s)):
        let k = try repeatCount(n, unit: s.utf8.count)
        return .string(String(repeating: s, count: k))
      case (.list(let l), .number(let n)), (.number(let n), .list(let l)):
        let k = try repeatCount(n, unit: l.items.count)
        var out: [Value] = []
        out.reserveCapacity(k * l.items.count)
        for _ in 0..<k { out.append(contentsOf: l.items) }
        return .list(ListBox(out))
      default: break
      }
    case .lt, .le, .gt, .ge:
      if case .string(let x) = a, case .string(let y) = b {
        switch op {
        case .lt: return .bool(x < y)
        case .le: return .bool(x <= y)
        case .gt: return .bool(x > y)
        default: return .bool(x >= y)
        }
      }
    case .sub, .div, .mod, .pow, .matmul:
      break
    }
    if op == .matmul {
      throw LangError(.type, "'@' (matrix multiply) needs tensors, got \(a.typeName) and \(b.typeName)")
    }
    var hint = ""
    if op == .add, a.asString != nil || b.asString != nil { hint = "; use interpolation \"\\(x)\" or str(x) to build strings" }
    throw LangError(.type, "cannot apply '\(op.rawValue)' to \(a.typeName) and \(b.typeName)\(hint)")
  }

  @inline(__always)
  static func numeric(_ op: BinaryOp, _ x: Double, _ y: Double) -> Value {
    switch op {
    case .add: return .number(x + y)
    case .sub: return .number(x - y)
    case .mul: return .number(x * y)
    case .div: return .number(x / y)
    case .mod: return .number(floorMod(x, y))
    case .pow: return .number(Foundation.pow(x, y))
    case .matmul: return .number(x * y)
    case .eq: return .bool(x == y)
    case .ne: return .bool(x != y)
    case .lt: return .bool(x < y)
    case .le: return .bool(x <= y)
    case .gt: return .bool(x > y)
    case .ge: return .bool(x >= y)
    }
  }

  @inline(__always)
  static func floorMod(_ x: Double, _ y: Double) -> Double {
    let r = fmod(x, y)
    return (r != 0 && (r < 0) != (y < 0)) ? r + y : r
  }

  static func repeatCount(_ n: Double, unit: Int) throws -> Int {
    guard n == n.rounded(), n >= 0 else {
      throw LangError(.value, "repeat count must be a non-negative integer, got \(Value.formatNumber(n))")
    }
    guard n * Double(max(unit, 1)) <= Double(maxElements) else { throw tooBig() }
    return Int(n)
  }

  static func tooBig() -> LangError {
    LangError(.limit, "result would have more than \(maxElements) elements")
  }

  static func unary(_ op: UnaryOp, _ a: Value) throws -> Value {
    switch (op, a) {
    case (.neg, .number(let x)): return .number(-x)
    case (.not, .bool(let b)): return .bool(!b)
    case (_, .object(let o)):
      if let r = try o.unary(op) { return r }
      if op == .not, let t = o.truthy() { return .bool(!t) }
    default: break
    }
    throw LangError(.type, "cannot apply '\(op.rawValue)' to \(a.typeName)")
  }

  /// Conditions must be booleans (or host objects that answer `truthy`).
  @inline(__always)
  static func truth(_ v: Value) throws -> Bool {
    if case .bool(let b) = v { return b }
    if case .object(let o) = v, let t = o.truthy() { return t }
    throw LangError(.type, "condition must be a bool, got \(v.typeName)\(v.isNil ? "" : " (\(v.repr.prefix(40)))")")
  }

  /// Ordering used by `sort`, `min` and `max`: numbers, strings, or whatever `<` gives for host objects.
  static func less(_ a: Value, _ b: Value) throws -> Bool {
    if case .number(let x) = a, case .number(let y) = b { return x < y }
    if case .string(let x) = a, case .string(let y) = b { return x < y }
    let r = try binary(.lt, a, b)
    guard case .bool(let t) = r else {
      throw LangError(.type, "cannot order \(a.typeName) and \(b.typeName)")
    }
    return t
  }
}
