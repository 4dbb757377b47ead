import UBoostLang
import UBoostTensor

// MARK: - Indexing and slicing
//
// `x[i]` selects along the first axis (negative i counts from the end); `x[a:b]` slices it;
// `x[[i, j]]` or `x[[i, 1:3]]` index several axes at once. All are differentiable.

enum TensorIndexing {
  static func index(_ t: Tensor, _ key: Value) throws -> Tensor {
    switch key {
    case .list(let l):
      var cur = t
      var axis = 0
      guard l.items.count <= t.rank else {
        throw LangError(.index, "too many indices (\(l.items.count)) for a tensor of rank \(t.rank)")
      }
      for k in l.items {
        let (next, keeps) = try one(cur, k, axis: axis)
        cur = next
        if keeps { axis += 1 }
      }
      return cur
    default:
      return try one(t, key, axis: 0).0
    }
  }

  /// Applies one index or slice at `axis`; returns whether the axis is kept (slice) or dropped.
  private static func one(_ t: Tensor, _ key: Value, axis: Int) throws -> (Tensor, Bool) {
    guard axis < t.rank else { throw LangError(.index, "too many indices for a tensor of shape \(t.shape)") }
    let n = t.shape[axis]
    switch key {
    case .number(let d):
      guard d == d.rounded(), abs(d) < 9e15 else { throw LangError(.index, "tensor index must be an integer, got \(Value.formatNumber(d))") }
      var i = Int(d)
      if i < 0 { i += n }
      guard i >= 0, i < n else { throw LangError(.index, "index \(Int(d)) out of range for axis \(axis) of size \(n) (shape \(t.shape))") }
      return (try Engine.run("index") { try t.select(axis: axis, index: i) }, false)
    case .range(let r):
      guard r.step == 1 else { throw LangError(.index, "tensor slices need step 1, got \(Value.formatNumber(r.step))") }
      func clampBound(_ x: Double) -> Int {
        var i = x < -9e15 ? -n : x > 9e15 ? n : Int(x)
        if i < 0 { i += n }
        return min(max(i, 0), n)
      }
      let a = clampBound(r.start)
      let b = clampBound(r.inclusive ? r.end + 1 : r.end)
      return (try Engine.run("slice") { try t.slice(axis: axis, start: a, end: max(a, b)) }, true)
    default:
      throw LangError(.type, "tensor index must be a number, a slice or a list of them, got \(key.typeName)")
    }
  }
}
