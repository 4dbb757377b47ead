import UBoostLang
import UBoostTensor

// MARK: - Indexing and slicing
//
// `x[i]` selects along the first axis (negative i counts from the end); `x[a:b]` slices it;
// `x[i, j]`, `x[:, 1]`, `x[1:3, -1]` (the language's multi-index) and the older list form
// `x[[i, 1..<3]]` index several axes at once. Reading is differentiable (select and slice ops).
// Writing (`x[i, j] = v`, `x[:, 1] = other`, `x[0] += 1`) updates the tensor in place with the
// rules of `Tensor.assign` and `write(_:_:_:)` below (docs/language.md).

enum TensorIndexing {
  static func index(_ t: Tensor, _ key: Value) throws -> Tensor {
    switch key {
    case .object(let o as IndexKey):
      let sel = try o.resolve(sizes: t.shape, what: "a tensor of shape \(t.shape)")
      return try read(t, sel)
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

  /// The sub-tensor a resolved selection picks, through recorded select/slice ops (axes are
  /// applied last to first, so earlier axis numbers stay valid).
  static func read(_ t: Tensor, _ sel: [ResolvedIndex]) throws -> Tensor {
    var cur = t
    for (axis, s) in sel.enumerated().reversed() {
      switch s {
      case .at(let i): cur = try Engine.run("index") { try cur.select(axis: axis, index: i) }
      case .range(let r):
        if r == 0..<t.shape[axis] { continue }
        cur = try Engine.run("slice") { try cur.slice(axis: axis, start: r.lowerBound, end: r.upperBound) }
      }
    }
    return cur
  }

  /// What a key selects on every axis of `t` (missing trailing axes whole), for writing.
  static func selection(_ t: Tensor, _ key: Value) throws -> [ResolvedIndex] {
    let what = "a tensor of shape \(t.shape)"
    switch key {
    case .object(let o as IndexKey):
      return try o.resolve(sizes: t.shape, what: what)
    case .number:
      return try IndexKey([.at(key)]).resolve(sizes: t.shape, what: what)
    case .range(let r):
      guard r.step == 1, !r.inclusive else { throw LangError(.index, "tensor slices need step 1") }
      return try IndexKey([.slice(.number(r.start), .number(r.end))]).resolve(sizes: t.shape, what: what)
    case .list(let l):
      let items: [IndexItem] = try l.items.map { v in
        switch v {
        case .number: return .at(v)
        case .range(let r):
          guard r.step == 1 else { throw LangError(.index, "tensor slices need step 1, got \(Value.formatNumber(r.step))") }
          return .slice(.number(r.start), .number(r.inclusive ? r.end + 1 : r.end))
        default: throw LangError(.type, "tensor index must be a number, a slice or a list of them, got \(v.typeName)")
        }
      }
      return try IndexKey(items).resolve(sizes: t.shape, what: what)
    default:
      throw LangError(.type, "tensor index must be a number or a slice (x[i], x[i, j], x[:, 1], x[1:3]), got \(key.typeName)")
    }
  }

  /// `t[key] = value` in place. The value is a number (fills the region), a tensor or a nested
  /// list of the region's shape, or a one-element tensor (fills). Refused: a target that is the
  /// result of a recorded op (`Tensor.assign`), and, while gradients are recorded, a value that
  /// needs a gradient written into a tensor that does not (the gradient would be silently
  /// dropped). A parameter may take any value: that is an update, as an optimizer makes.
  static func write(_ t: Tensor, _ key: Value, _ value: Value, target: String = "tensor") throws {
    let sel = try selection(t, key)
    let axes: [AxisSelection] = sel.map { s in
      switch s {
      case .at(let i): return .at(i)
      case .range(let r): return .range(r)
      }
    }
    let region = Tensor.regionShape(axes)
    let values: [Float]
    switch value {
    case .number(let d): values = [Float(d)]
    case .object(let o as TensorObject):
      let v = o.tensor
      if v.requiresGrad && !t.requiresGrad && GradMode.isEnabled {
        throw LangError(.value, "the value written needs a gradient, but index assignment records no operation, so the gradient would be lost; write detach(v) to copy its values, or build the tensor from pieces (stack, cat) to keep the gradient")
      }
      guard v.count == 1 || v.shape == region || (v.count == region.reduce(1, *) && dropOnes(v.shape) == dropOnes(region)) else {
        throw LangError(.value, "shape mismatch: cannot write a tensor of shape \(v.shape) into a region of shape \(region) of \(target) \(t.shape)")
      }
      values = v.data
    case .list, .range:
      let v = try TensorConvert.tensor(from: value, function: "index assignment", parameter: "value")
      guard v.count == 1 || v.shape == region || (v.count == region.reduce(1, *) && dropOnes(v.shape) == dropOnes(region)) else {
        throw LangError(.value, "shape mismatch: cannot write a list of shape \(v.shape) into a region of shape \(region) of \(target) \(t.shape)")
      }
      values = v.data
    default:
      throw LangError(.type, "can only write numbers, tensors or lists of numbers into a \(target), got \(value.typeName)")
    }
    if !t.isLeaf {
      throw LangError(.value, "cannot write into this tensor in place: it is the result of a recorded operation (part of the graph backward() walks); write into a copy, let y = detach(x), or build the tensor from pieces")
    }
    try Engine.run("index assignment") { try t.assign(axes, values: values) }
  }

  /// A shape without its size-1 axes (`[1, 3]` and `[3]` describe the same region of values).
  private static func dropOnes(_ s: [Int]) -> [Int] { s.filter { $0 != 1 } }
}
