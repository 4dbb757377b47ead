import Foundation

// MARK: - Reductions along one axis

/// A tensor seen as `[outer, len, inner]` around one axis (row-major), so that every reduction is
/// a loop over contiguous `inner`-long rows.
struct AxisView {
  let outer: Int, len: Int, inner: Int
  let outShape: [Int]
  init(_ shape: [Int], axis: Int, keepDims: Bool, op: String) throws {
    let a = try Shape.axis(axis, rank: shape.count, op: op)
    outer = shape[..<a].reduce(1, *)
    len = shape[a]
    inner = shape[(a + 1)...].reduce(1, *)
    var s = shape
    if keepDims { s[a] = 1 } else { s.remove(at: a) }
    outShape = s
  }
}

extension Tensor {
  // MARK: Sum / mean

  /// Sum of all elements (a 0-d tensor). `let s = try x.sum()`
  public func sum() throws -> Tensor {
    let n = count
    var acc: Double = 0
    data.withUnsafeBufferPointer { p in
      // Float partial sums of 4096-element blocks (SIMD lanes), accumulated in double.
      guard let b = p.baseAddress else { return }
      var i = 0
      while i < n {
        let e = Swift.min(i + 4096, n)
        acc += Double(VecOps.sum(b + i, e - i))
        i = e
      }
    }
    return Tensor.record(op: "sum", shape: [], data: [Float(acc)], parents: [self]) { [weak self] g in
      self?.accumulateGrad([Float](repeating: g[0], count: n))
    }
  }

  /// Mean of all elements (throws on an empty tensor).
  public func mean() throws -> Tensor {
    guard count > 0 else { throw TensorError.invalidShape(op: "mean", shape: shape, detail: "mean of an empty tensor") }
    return try sum() * (1 / Float(count))
  }

  /// Sum along `axis` (negative counts from the end).
  ///
  /// ```swift
  /// let rowSums = try x.sum(axis: 1)   // [N, C] -> [N]
  /// ```
  public func sum(axis: Int, keepDims: Bool = false) throws -> Tensor {
    let v = try AxisView(shape, axis: axis, keepDims: keepDims, op: "sum")
    let (outer, len, inner) = (v.outer, v.len, v.inner)
    var out = [Float](repeating: 0, count: outer * inner)
    out.withUnsafeMutableBufferPointer { op in
      data.withUnsafeBufferPointer { xp in
        guard let o = op.baseAddress, let x = xp.baseAddress else { return }
        if inner == 1 {
          Parallel.forRanges(outer, grain: Swift.max(1, 4096 / Swift.max(len, 1))) { r in
            for i in r {
              o[i] = VecOps.sum(x + i * len, len)
            }
          }
        } else {
          Parallel.forRanges(outer, grain: Swift.max(1, 4096 / Swift.max(len * inner, 1))) { r in
            for i in r {
              let dst = o + i * inner
              for k in 0..<len {
                let src = x + (i * len + k) * inner
                for j in 0..<inner { dst[j] += src[j] }
              }
            }
          }
        }
      }
    }
    let n = count
    return Tensor.record(op: "sum", shape: v.outShape, data: out, parents: [self]) { [weak self] g in
      guard let s = self, s.requiresGrad else { return }
      var d = [Float](repeating: 0, count: n)
      d.withUnsafeMutableBufferPointer { dp in
        g.withUnsafeBufferPointer { gp in
          guard let db = dp.baseAddress, let gb = gp.baseAddress else { return }
          for i in 0..<outer {
            for k in 0..<len {
              let dst = db + (i * len + k) * inner, src = gb + i * inner
              for j in 0..<inner { dst[j] = src[j] }
            }
          }
        }
      }
      s.accumulateGrad(d)
    }
  }

  /// Mean along `axis` (throws when the axis is empty).
  public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor {
    let v = try AxisView(shape, axis: axis, keepDims: keepDims, op: "mean")
    guard v.len > 0 else { throw TensorError.invalidShape(op: "mean", shape: shape, detail: "mean over an empty axis") }
    return try sum(axis: axis, keepDims: keepDims) * (1 / Float(v.len))
  }

  // MARK: Max / argmax

  /// Index of the maximum along the axis, per output position (first maximum wins).
  func argmaxIndices(_ v: AxisView) -> [Int] {
    let (outer, len, inner) = (v.outer, v.len, v.inner)
    var idx = [Int](repeating: 0, count: outer * inner)
    idx.withUnsafeMutableBufferPointer { ip in
      data.withUnsafeBufferPointer { xp in
        guard let ib = ip.baseAddress, let x = xp.baseAddress else { return }
        var best = [Float](repeating: -.infinity, count: inner)
        for i in 0..<outer {
          for j in 0..<inner { best[j] = x[i * len * inner + j]; ib[i * inner + j] = 0 }
          for k in 1..<Swift.max(len, 1) {
            let src = x + (i * len + k) * inner
            for j in 0..<inner where src[j] > best[j] || (best[j].isNaN == false && src[j].isNaN) {
              best[j] = src[j]; ib[i * inner + j] = k
            }
          }
        }
      }
    }
    return idx
  }

  /// Maximum along `axis`; the gradient goes to the (first) arg-max.
  public func max(axis: Int, keepDims: Bool = false) throws -> Tensor {
    let v = try AxisView(shape, axis: axis, keepDims: keepDims, op: "max")
    guard v.len > 0 else { throw TensorError.invalidShape(op: "max", shape: shape, detail: "max over an empty axis") }
    let idx = argmaxIndices(v)
    let (len, inner) = (v.len, v.inner)
    var out = [Float](repeating: 0, count: idx.count)
    for p in 0..<idx.count {
      let i = p / inner, j = p % inner
      out[p] = data[(i * len + idx[p]) * inner + j]
    }
    let n = count
    return Tensor.record(op: "max", shape: v.outShape, data: out, parents: [self]) { [weak self] g in
      guard let s = self, s.requiresGrad else { return }
      var d = [Float](repeating: 0, count: n)
      for p in 0..<idx.count {
        let i = p / inner, j = p % inner
        d[(i * len + idx[p]) * inner + j] = g[p]
      }
      s.accumulateGrad(d)
    }
  }

  /// Maximum of all elements (0-d); the gradient goes to the first arg-max.
  public func max() throws -> Tensor {
    guard count > 0 else { throw TensorError.invalidShape(op: "max", shape: shape, detail: "max of an empty tensor") }
    return try reshaped([count]).max(axis: 0)
  }

  /// Indices of the maxima along `axis` as a constant Float tensor.
  ///
  /// ```swift
  /// let pred = try logits.argmax(axis: 1)   // [N, C] -> [N]
  /// ```
  public func argmax(axis: Int, keepDims: Bool = false) throws -> Tensor {
    let v = try AxisView(shape, axis: axis, keepDims: keepDims, op: "argmax")
    guard v.len > 0 else { throw TensorError.invalidShape(op: "argmax", shape: shape, detail: "argmax over an empty axis") }
    return Tensor.constant(shape: v.outShape, data: argmaxIndices(v).map { Float($0) })
  }
}
