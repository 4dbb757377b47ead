// MARK: - Fused arithmetic on local slots
//
// `n - 1`, `i < n`, `x * y` on locals held in frame slots are the bulk of loop and recursion
// work. Reading the slots inside the operator's closure saves a closure call per operand; the
// operator is a type parameter, so every combination is a specialised closure without run-time
// dispatch. Anything but two numbers goes through `Ops.binary` exactly as the unfused code does.

/// A binary operator on two numbers, chosen statically.
protocol NumericOp {
  static func apply(_ x: Double, _ y: Double) -> Value
}
enum AddOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .number(x + y) } }
enum SubOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .number(x - y) } }
enum MulOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .number(x * y) } }
enum DivOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .number(x / y) } }
enum LtOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .bool(x < y) } }
enum LeOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .bool(x <= y) } }
enum GtOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .bool(x > y) } }
enum GeOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .bool(x >= y) } }
enum EqOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .bool(x == y) } }
enum NeOp: NumericOp { @inline(__always) static func apply(_ x: Double, _ y: Double) -> Value { .bool(x != y) } }

/// An operand a fused operator reads itself.
enum FusedOperand {
  case slot(Int)
  case constant(Double)
}

extension Frame {
  /// The number in a slot, read without copying the value; nil for anything else.
  @inline(__always) func number(_ slot: Int) -> Double? {
    withUnsafeMutablePointerToElements { p in
      if case .number(let d) = p[slot] { return d }
      return nil
    }
  }
}

extension Compiler {
  /// A fused closure for `slot op constant`, `slot op slot` or `constant op slot`; nil for other
  /// operands or operators without a fused form.
  func fusedBinary(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ p: Pos) -> ExprCode? {
    func operand(_ e: Expr) -> FusedOperand? {
      switch e {
      case .number(let d, _): return .constant(d)
      case .variable(let name, _):
        if case .local(.slot(let s), _) = resolve(name) { return .slot(s) }
        return nil
      default: return nil
      }
    }
    guard let x = operand(a), let y = operand(b) else { return nil }
    let location = loc(p)
    switch op {
    case .add: return Compiler.fused(AddOp.self, op, x, y, location)
    case .sub: return Compiler.fused(SubOp.self, op, x, y, location)
    case .mul: return Compiler.fused(MulOp.self, op, x, y, location)
    case .div: return Compiler.fused(DivOp.self, op, x, y, location)
    case .lt: return Compiler.fused(LtOp.self, op, x, y, location)
    case .le: return Compiler.fused(LeOp.self, op, x, y, location)
    case .gt: return Compiler.fused(GtOp.self, op, x, y, location)
    case .ge: return Compiler.fused(GeOp.self, op, x, y, location)
    case .eq: return Compiler.fused(EqOp.self, op, x, y, location)
    case .ne: return Compiler.fused(NeOp.self, op, x, y, location)
    case .mod, .pow, .matmul: return nil
    }
  }

  static func fused<O: NumericOp>(_: O.Type, _ op: BinaryOp, _ x: FusedOperand, _ y: FusedOperand,
                                  _ location: SourceLocation) -> ExprCode? {
    @inline(__always) func slow(_ u: Value, _ v: Value) throws -> Value {
      try Compiler.at(location) { try Ops.binary(op, u, v) }
    }
    switch (x, y) {
    case (.slot(let s), .constant(let k)):
      return { f in
        if let d = f.number(s) { return O.apply(d, k) }
        return try slow(f[slot: s], .number(k))
      }
    case (.slot(let s), .slot(let t)):
      return { f in
        if let d = f.number(s), let e = f.number(t) { return O.apply(d, e) }
        return try slow(f[slot: s], f[slot: t])
      }
    case (.constant(let k), .slot(let t)):
      return { f in
        if let e = f.number(t) { return O.apply(k, e) }
        return try slow(.number(k), f[slot: t])
      }
    case (.constant, .constant):
      return nil
    }
  }
}
