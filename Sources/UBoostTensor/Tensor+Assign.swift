// MARK: - Writing into a region (index assignment)
//
// `t[i, a:b] = v` in scripts. Writing is an in-place update of `data`, never a tape op, with the
// autodiff rules of docs/language.md ("Tensors: indexing and index assignment"):
// - a tensor that is the recorded result of an op (still on the tape) refuses writes: backward
//   would pair its new values with the old graph;
// - a leaf (a constant, or a parameter like an optimizer updates it) may be written; ops
//   recorded before the write keep the values they saw (every backward captures its inputs'
//   `data` arrays, which are copy-on-write), so a later `backward()` is still exact for the
//   graph that was built;
// - the values written are plain numbers: whether the value that produced them needed a
//   gradient is the binding's check (it refuses to drop a gradient into a constant).

/// What one axis of a region selects: one position (the axis is dropped from the region's
/// shape) or a half-open range (kept).
public enum AxisSelection: Equatable, Sendable {
  case at(Int)
  case range(Range<Int>)
}

extension Tensor {
  /// The shape of the region `selection` picks (one selection per axis): `.at` axes dropped.
  public static func regionShape(_ selection: [AxisSelection]) -> [Int] {
    selection.compactMap { s -> Int? in
      if case .range(let r) = s { return r.count }
      return nil
    }
  }

  /// Writes `values` into the region `selection` picks, in place. `selection` has one entry per
  /// axis, each inside the shape; `values` has the region's element count (row-major), or one
  /// value, which fills the region. Throws when this tensor is an op's recorded result.
  public func assign(_ selection: [AxisSelection], values: [Float]) throws {
    guard tape == nil else {
      throw TensorError.invalidArgument(op: "assign", detail: "cannot write into a tensor that is the result of a recorded operation (part of the graph backward() walks); write into a copy: detach(x)")
    }
    guard selection.count == rank else {
      throw TensorError.invalidArgument(op: "assign", detail: "need one selection per axis: \(selection.count) for shape \(shape)")
    }
    var lows: [Int] = [], lens: [Int] = []
    for (axis, s) in selection.enumerated() {
      let n = shape[axis]
      switch s {
      case .at(let i):
        guard i >= 0, i < n else { throw TensorError.invalidArgument(op: "assign", detail: "index \(i) out of range for axis \(axis) of size \(n)") }
        lows.append(i); lens.append(1)
      case .range(let r):
        guard r.lowerBound >= 0, r.upperBound <= n else {
          throw TensorError.invalidArgument(op: "assign", detail: "range \(r.lowerBound)..<\(r.upperBound) out of bounds for axis \(axis) of size \(n)")
        }
        lows.append(r.lowerBound); lens.append(r.count)
      }
    }
    let total = lens.reduce(1, *)
    guard values.count == total || values.count == 1 else {
      throw TensorError.shapeMismatch(op: "assign", shapes: [Tensor.regionShape(selection), [values.count]],
                                      detail: "the region has \(total) elements, the value \(values.count)")
    }
    guard total > 0 else { return }
    var strides = [Int](repeating: 1, count: rank)
    if rank > 1 { for a in stride(from: rank - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * shape[a + 1] } }
    // The innermost axis is written as one contiguous run per position of the outer axes.
    let inner = rank == 0 ? 1 : lens[rank - 1]
    let outer = total / inner
    var counter = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
    let fill = values.count == 1 && total != 1
    data.withUnsafeMutableBufferPointer { d in
      values.withUnsafeBufferPointer { v in
        guard let db = d.baseAddress, let vb = v.baseAddress else { return }
        var src = 0
        for _ in 0..<outer {
          var off = rank == 0 ? 0 : lows[rank - 1]
          for a in 0..<(rank - 1 < 0 ? 0 : rank - 1) { off += (lows[a] + counter[a]) * strides[a] }
          if fill {
            for k in 0..<inner { db[off + k] = vb[0] }
          } else {
            (db + off).update(from: vb + src, count: inner)
            src += inner
          }
          // Odometer over the outer axes, last fastest.
          var a = rank - 2
          while a >= 0 {
            counter[a] += 1
            if counter[a] < lens[a] { break }
            counter[a] = 0
            a -= 1
          }
        }
      }
    }
  }
}
