// MARK: - Shape ops (copying views with backward)

extension Tensor {
  // MARK: Reshape

  /// The same values with another shape; one dimension may be -1 (inferred).
  ///
  /// ```swift
  /// let flat = try x.reshaped([x.shape[0], -1])
  /// ```
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    var s = newShape
    let minus = s.indices.filter { s[$0] == -1 }
    guard minus.count <= 1 else {
      throw TensorError.invalidArgument(op: "reshape", detail: "at most one -1 allowed in \(newShape)")
    }
    if let m = minus.first {
      var known = 1
      for (i, d) in s.enumerated() where i != m {
        guard d >= 0 else { throw TensorError.invalidShape(op: "reshape", shape: newShape, detail: "negative dimension") }
        let (p, o) = known.multipliedReportingOverflow(by: d)
        if o { throw TensorError.tooLarge(op: "reshape", shape: newShape, limit: Tensor.maxElements) }
        known = p
      }
      guard known > 0, count % known == 0 else {
        throw TensorError.shapeMismatch(op: "reshape", shapes: [shape, newShape], detail: "cannot infer -1 for \(count) elements")
      }
      s[m] = count / known
    }
    let n = try Shape.count(s, op: "reshape")
    guard n == count else {
      throw TensorError.shapeMismatch(op: "reshape", shapes: [shape, newShape], detail: "element counts \(count) and \(n) differ")
    }
    return Tensor.record(op: "reshape", shape: s, data: data, parents: [self]) { [weak self] g in
      self?.accumulateGrad(g)
    }
  }

  /// Flattens dimensions `from...` into one (`[N, C, H, W]` -> `[N, C*H*W]` for `from: 1`).
  public func flatten(from start: Int = 1) throws -> Tensor {
    guard start >= 0 && start <= rank else {
      throw TensorError.invalidArgument(op: "flatten", detail: "start \(start) out of range for rank \(rank)")
    }
    return try reshaped(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
  }

  // MARK: Permute / transpose

  /// Reorders the axes: result dimension i is input dimension `axes[i]`.
  public func permuted(_ axes: [Int]) throws -> Tensor {
    guard axes.count == rank, Set(axes) == Set(0..<rank) else {
      throw TensorError.invalidArgument(op: "permute", detail: "\(axes) is not a permutation of 0..<\(rank) for shape \(shape)")
    }
    let outShape = axes.map { shape[$0] }
    let out = Tensor.permuteData(data, shape: shape, axes: axes)
    var inverse = [Int](repeating: 0, count: rank)
    for (i, a) in axes.enumerated() { inverse[a] = i }
    return Tensor.record(op: "permute", shape: outShape, data: out, parents: [self]) { [weak self] g in
      guard let s = self, s.requiresGrad else { return }
      s.accumulateGrad(Tensor.permuteData(g, shape: outShape, axes: inverse))
    }
  }

  /// Copies `data` of `shape` into the axis order `axes` (row-wise over the last output axis).
  static func permuteData(_ data: [Float], shape: [Int], axes: [Int]) -> [Float] {
    let r = shape.count
    if r == 0 || axes == Array(0..<r) { return data }
    let inStrides = Shape.strides(shape)
    let outShape = axes.map { shape[$0] }
    let src = axes.map { inStrides[$0] }  // input stride of each output axis
    var out = [Float](repeating: 0, count: data.count)
    let inner = outShape[r - 1], sInner = src[r - 1]
    guard inner > 0 else { return out }
    let rows = data.count / inner
    out.withUnsafeMutableBufferPointer { op in
      data.withUnsafeBufferPointer { xp in
        guard let o = op.baseAddress, let x = xp.baseAddress else { return }
        var idx = [Int](repeating: 0, count: r)
        var off = 0
        for row in 0..<rows {
          let dst = o + row * inner, s = x + off
          for j in 0..<inner { dst[j] = s[j * sInner] }
          var d = r - 2
          while d >= 0 {
            idx[d] += 1; off += src[d]
            if idx[d] < outShape[d] { break }
            off -= src[d] * idx[d]; idx[d] = 0
            d -= 1
          }
        }
      }
    }
    return out
  }

  /// Transpose of a 2-D tensor.
  public func transposed() throws -> Tensor {
    guard rank == 2 else { throw TensorError.invalidShape(op: "transpose", shape: shape, detail: "transposed() needs a 2-D tensor") }
    return try permuted([1, 0])
  }

  // MARK: Slice / select

  /// Elements `start..<end` along `axis` (negative axis counts from the end).
  public func slice(axis: Int, start: Int, end: Int) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank, op: "slice")
    guard start >= 0, start <= end, end <= shape[a] else {
      throw TensorError.invalidArgument(op: "slice", detail: "range \(start)..<\(end) out of bounds for axis \(a) of shape \(shape)")
    }
    let outer = shape[..<a].reduce(1, *), len = shape[a], inner = shape[(a + 1)...].reduce(1, *)
    let m = end - start
    var outShape = shape
    outShape[a] = m
    var out = [Float](repeating: 0, count: outer * m * inner)
    let block = m * inner
    out.withUnsafeMutableBufferPointer { op in
      data.withUnsafeBufferPointer { xp in
        guard let o = op.baseAddress, let x = xp.baseAddress else { return }
        for i in 0..<outer {
          (o + i * block).update(from: x + (i * len + start) * inner, count: block)
        }
      }
    }
    let n = count
    return Tensor.record(op: "slice", shape: outShape, data: out, parents: [self]) { [weak self] g in
      guard let s = self, s.requiresGrad else { return }
      var d = [Float](repeating: 0, count: n)
      d.withUnsafeMutableBufferPointer { dp in
        g.withUnsafeBufferPointer { gp in
          guard let db = dp.baseAddress, let gb = gp.baseAddress else { return }
          for i in 0..<outer { (db + (i * len + start) * inner).update(from: gb + i * block, count: block) }
        }
      }
      s.accumulateGrad(d)
    }
  }

  /// Alias of `slice(axis:start:end:)` with a length (PyTorch `narrow`).
  public func narrow(axis: Int, start: Int, length: Int) throws -> Tensor {
    let (e, o) = start.addingReportingOverflow(length)
    guard !o, length >= 0 else { throw TensorError.invalidArgument(op: "narrow", detail: "bad length \(length)") }
    return try slice(axis: axis, start: start, end: e)
  }

  /// The sub-tensor at `index` along `axis`, with that axis removed.
  public func select(axis: Int = 0, index: Int) throws -> Tensor {
    let a = try Shape.axis(axis, rank: rank, op: "select")
    guard index >= 0 && index < shape[a] else {
      throw TensorError.invalidArgument(op: "select", detail: "index \(index) out of range 0..<\(shape[a]) on axis \(a) of \(shape)")
    }
    var s = shape
    s.remove(at: a)
    return try slice(axis: a, start: index, end: index + 1).reshaped(s)
  }

  /// Same as `select(axis: 0, index:)`.
  public subscript(index: Int) -> Tensor {
    get throws { try select(axis: 0, index: index) }
  }

  // MARK: Concat / stack

  /// Concatenates tensors along `axis`; all other dimensions must agree.
  ///
  /// ```swift
  /// let y = try Tensor.concat([a, b], axis: 1)   // channels
  /// ```
  public static func concat(_ ts: [Tensor], axis: Int) throws -> Tensor {
    guard let first = ts.first else { throw TensorError.invalidArgument(op: "concat", detail: "no tensors to concatenate") }
    let a = try Shape.axis(axis, rank: first.rank, op: "concat")
    var total = 0
    for t in ts {
      guard t.rank == first.rank, (0..<t.rank).allSatisfy({ $0 == a || t.shape[$0] == first.shape[$0] }) else {
        throw TensorError.shapeMismatch(op: "concat", shapes: [first.shape, t.shape], detail: "shapes differ off axis \(a)")
      }
      total += t.shape[a]
    }
    var outShape = first.shape
    outShape[a] = total
    let n = try Shape.count(outShape, op: "concat")
    let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
    var out = [Float](repeating: 0, count: n)
    let lens = ts.map { $0.shape[a] }
    out.withUnsafeMutableBufferPointer { op in
      guard let o = op.baseAddress else { return }
      var offset = 0
      for (t, l) in zip(ts, lens) {
        t.data.withUnsafeBufferPointer { xp in
          guard let x = xp.baseAddress else { return }
          for i in 0..<outer {
            (o + (i * total + offset) * inner).update(from: x + i * l * inner, count: l * inner)
          }
        }
        offset += l
      }
    }
    return Tensor.record(op: "concat", shape: outShape, data: out, parents: ts) { [ts] g in
      var offset = 0
      for (t, l) in zip(ts, lens) {
        if t.requiresGrad {
          var d = [Float](repeating: 0, count: outer * l * inner)
          d.withUnsafeMutableBufferPointer { dp in
            g.withUnsafeBufferPointer { gp in
              guard let db = dp.baseAddress, let gb = gp.baseAddress else { return }
              for i in 0..<outer {
                (db + i * l * inner).update(from: gb + (i * total + offset) * inner, count: l * inner)
              }
            }
          }
          t.accumulateGrad(d)
        }
        offset += l
      }
    }
  }

  /// Stacks equal-shaped tensors along a new axis `axis` (0...rank).
  public static func stack(_ ts: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = ts.first else { throw TensorError.invalidArgument(op: "stack", detail: "no tensors to stack") }
    guard axis >= -(first.rank + 1) && axis <= first.rank else {
      throw TensorError.invalidArgument(op: "stack", detail: "axis \(axis) out of range for rank \(first.rank)")
    }
    let a = axis < 0 ? axis + first.rank + 1 : axis
    for t in ts where t.shape != first.shape {
      throw TensorError.shapeMismatch(op: "stack", shapes: [first.shape, t.shape], detail: "stack needs equal shapes")
    }
    var s = first.shape
    s.insert(1, at: a)
    return try concat(ts.map { try $0.reshaped(s) }, axis: a)
  }
}
