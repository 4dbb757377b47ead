// MARK: - Shape arithmetic (checked, never traps)

/// Helpers on shapes (`[Int]`, row-major). All arithmetic is overflow-checked so that a
/// user-supplied shape can never trap the process.
public enum Shape {
  /// Number of elements of `shape`, or a thrown error when a dimension is negative, the
  /// product overflows / exceeds `Tensor.maxElements`, or its Float32 values would not fit in
  /// the memory available (`MemoryBudget`). Every tensor allocation sizes itself here.
  public static func count(_ shape: [Int], op: String) throws -> Int {
    var n = 1
    for d in shape {
      if d < 0 { throw TensorError.invalidShape(op: op, shape: shape, detail: "negative dimension \(d)") }
      let (p, o) = n.multipliedReportingOverflow(by: d)
      if o || p > Tensor.maxElements { throw TensorError.tooLarge(op: op, shape: shape, limit: Tensor.maxElements) }
      n = p
    }
    if n * 4 >= MemoryBudget.checkThreshold {
      try MemoryBudget.check(bytes: n * 4, op: op, what: "a tensor of shape [\(shape.map(String.init).joined(separator: ", "))]")
    }
    return n
  }

  /// Row-major strides of `shape` (the last dimension has stride 1).
  public static func strides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = acc; acc &*= shape[i] }
    return s
  }

  /// NumPy-style broadcast of two shapes.
  public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
      let da = i < n - a.count ? 1 : a[i - (n - a.count)]
      let db = i < n - b.count ? 1 : b[i - (n - b.count)]
      if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
        throw TensorError.shapeMismatch(op: op, shapes: [a, b], detail: "dimension \(i) is \(da) vs \(db) (not broadcastable)")
      }
    }
    return out
  }

  /// Normalizes a possibly negative axis against `rank`.
  public static func axis(_ axis: Int, rank: Int, op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else {
      throw TensorError.invalidArgument(op: op, detail: "axis \(axis) out of range for rank \(rank)")
    }
    return a
  }
}
