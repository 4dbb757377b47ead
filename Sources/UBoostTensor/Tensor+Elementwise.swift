import Foundation

// MARK: - Broadcasting plan

/// How the output index space of a broadcast binary op maps onto its two inputs.
///
/// The output is walked as `rows x inner` where `inner` is the last output dimension; for every
/// row the plan gives the starting offsets into `a` and `b`, and `strideA/strideB` (0 or 1) step
/// along the inner dimension. Index arithmetic happens once per row, never per element.
struct BroadcastPlan {
  let outShape: [Int]
  let rows: Int
  let inner: Int
  let strideA: Int
  let strideB: Int
  let offA: [Int]
  let offB: [Int]

  init(_ a: [Int], _ b: [Int], op: String) throws {
    let out = try Shape.broadcast(a, b, op: op)
    let total = try Shape.count(out, op: op)
    outShape = out
    let r = out.count
    if a == b {
      // Equal shapes: kernels run over the flat range and never read the row offsets.
      inner = r == 0 ? 1 : out[r - 1]
      rows = inner == 0 ? 0 : total / inner
      strideA = 1; strideB = 1
      offA = []; offB = []
      return
    }
    func bstrides(_ s: [Int]) -> [Int] {
      let pad = [Int](repeating: 1, count: r - s.count) + s
      let st = Shape.strides(pad)
      return (0..<r).map { pad[$0] == 1 && out[$0] != 1 ? 0 : st[$0] }
    }
    let sa = bstrides(a), sb = bstrides(b)
    inner = r == 0 ? 1 : out[r - 1]
    strideA = r == 0 ? 0 : sa[r - 1]
    strideB = r == 0 ? 0 : sb[r - 1]
    let nRows = inner == 0 ? 0 : out.reduce(1, *) / inner
    rows = nRows
    var oa = [Int](repeating: 0, count: nRows), ob = [Int](repeating: 0, count: nRows)
    // Odometer over the outer dimensions.
    var idx = [Int](repeating: 0, count: max(r - 1, 0))
    var pa = 0, pb = 0
    for row in 0..<nRows {
      oa[row] = pa; ob[row] = pb
      var d = r - 2
      while d >= 0 {
        idx[d] += 1; pa += sa[d]; pb += sb[d]
        if idx[d] < out[d] { break }
        pa -= sa[d] * idx[d]; pb -= sb[d] * idx[d]; idx[d] = 0
        d -= 1
      }
    }
    offA = oa; offB = ob
  }
}

/// Sums a gradient of the broadcast output shape back to an input's shape. `forA` chooses which
/// side of the plan the input was.
func reduceBroadcastGrad(_ g: [Float], plan: BroadcastPlan, forA: Bool, count: Int) -> [Float] {
  if count == g.count { return g }  // no broadcasting on this side
  var r = [Float](repeating: 0, count: count)
  let s = forA ? plan.strideA : plan.strideB
  let offs = forA ? plan.offA : plan.offB
  let inner = plan.inner
  r.withUnsafeMutableBufferPointer { rp in
    g.withUnsafeBufferPointer { gp in
      guard let rb = rp.baseAddress, let gb = gp.baseAddress else { return }
      for row in 0..<plan.rows {
        let dst = rb + offs[row], src = gb + row * inner
        if s == 0 {
          dst[0] += VecOps.sum(src, inner)
        } else {
          for j in 0..<inner { dst[j] += src[j] }
        }
      }
    }
  }
  return r
}

// MARK: - Binary kernels

enum BinaryKind { case add, sub, mul, div }

/// out[i] = a[i*sa] (op) b[i*sb] for i in 0..<n, with the op switched outside the loop.
@inline(__always)
func binaryRow(_ k: BinaryKind, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
               _ o: UnsafeMutablePointer<Float>, _ n: Int) {
  switch k {
  case .add:
    if sa == 1 && sb == 1 { for i in 0..<n { o[i] = a[i] + b[i] } }
    else if sa == 1 { let v = b[0]; for i in 0..<n { o[i] = a[i] + v } }
    else if sb == 1 { let v = a[0]; for i in 0..<n { o[i] = v + b[i] } }
    else { let v = a[0] + b[0]; for i in 0..<n { o[i] = v } }
  case .sub:
    if sa == 1 && sb == 1 { for i in 0..<n { o[i] = a[i] - b[i] } }
    else if sa == 1 { let v = b[0]; for i in 0..<n { o[i] = a[i] - v } }
    else if sb == 1 { let v = a[0]; for i in 0..<n { o[i] = v - b[i] } }
    else { let v = a[0] - b[0]; for i in 0..<n { o[i] = v } }
  case .mul:
    if sa == 1 && sb == 1 { for i in 0..<n { o[i] = a[i] * b[i] } }
    else if sa == 1 { let v = b[0]; for i in 0..<n { o[i] = a[i] * v } }
    else if sb == 1 { let v = a[0]; for i in 0..<n { o[i] = v * b[i] } }
    else { let v = a[0] * b[0]; for i in 0..<n { o[i] = v } }
  case .div:
    if sa == 1 && sb == 1 { for i in 0..<n { o[i] = a[i] / b[i] } }
    else if sa == 1 { let v = b[0]; for i in 0..<n { o[i] = a[i] / v } }
    else if sb == 1 { let v = a[0]; for i in 0..<n { o[i] = v / b[i] } }
    else { let v = a[0] / b[0]; for i in 0..<n { o[i] = v } }
  }
}

/// Runs a broadcast binary op over the whole plan (parallel over rows, or over the flat range
/// when both shapes are equal).
func binaryForward(_ k: BinaryKind, _ a: [Float], _ b: [Float], plan: BroadcastPlan) -> [Float] {
  let n = plan.rows * plan.inner
  var out = [Float](repeating: 0, count: n)
  out.withUnsafeMutableBufferPointer { op in
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        guard let o = op.baseAddress, let pa = ap.baseAddress, let pb = bp.baseAddress else { return }
        if a.count == n && b.count == n {
          Parallel.forRanges(n, grain: 1 << 15) { r in
            binaryRow(k, pa + r.lowerBound, 1, pb + r.lowerBound, 1, o + r.lowerBound, r.count)
          }
        } else {
          let inner = plan.inner, sa = plan.strideA, sb = plan.strideB
          plan.offA.withUnsafeBufferPointer { offA in
            plan.offB.withUnsafeBufferPointer { offB in
              Parallel.forRanges(plan.rows, grain: max(1, (1 << 15) / max(inner, 1))) { r in
                for row in r {
                  binaryRow(k, pa + offA[row], sa, pb + offB[row], sb, o + row * inner, inner)
                }
              }
            }
          }
        }
      }
    }
  }
  return out
}

/// Elementwise product of two equal-length arrays.
func mulArrays(_ a: [Float], _ b: [Float]) -> [Float] {
  var out = [Float](repeating: 0, count: a.count)
  out.withUnsafeMutableBufferPointer { o in
    a.withUnsafeBufferPointer { x in
      b.withUnsafeBufferPointer { y in
        guard let ob = o.baseAddress, let xb = x.baseAddress, let yb = y.baseAddress else { return }
        Parallel.forRanges(a.count, grain: 1 << 15) { r in
          for i in r { ob[i] = xb[i] * yb[i] }
        }
      }
    }
  }
  return out
}

/// Records a broadcast binary op with its backward.
func binaryOp(_ k: BinaryKind, _ a: Tensor, _ b: Tensor, name: String) throws -> Tensor {
  let plan = try BroadcastPlan(a.shape, b.shape, op: name)
  let ad = a.data, bd = b.data
  let out = binaryForward(k, ad, bd, plan: plan)
  let ca = a.count, cb = b.count
  let aShape = a.shape, bShape = b.shape
  return Tensor.record(op: name, shape: plan.outShape, data: out, parents: [a, b]) { [weak a, weak b] g in
    switch k {
    case .add:
      a?.accumulateGrad(reduceBroadcastGrad(g, plan: plan, forA: true, count: ca))
      b?.accumulateGrad(reduceBroadcastGrad(g, plan: plan, forA: false, count: cb))
    case .sub:
      a?.accumulateGrad(reduceBroadcastGrad(g, plan: plan, forA: true, count: ca))
      if let b = b, b.requiresGrad {
        var ng = g
        for i in 0..<ng.count { ng[i] = -ng[i] }
        b.accumulateGrad(reduceBroadcastGrad(ng, plan: plan, forA: false, count: cb))
      }
    case .mul:
      if let a = a, a.requiresGrad {
        // dA = g * b (b broadcast to the output)
        let gb = binaryForward(.mul, g, bd, plan: try BroadcastPlan(plan.outShape, bShape, op: name))
        a.accumulateGrad(reduceBroadcastGrad(gb, plan: plan, forA: true, count: ca))
      }
      if let b = b, b.requiresGrad {
        let ga = binaryForward(.mul, g, ad, plan: try BroadcastPlan(plan.outShape, aShape, op: name))
        b.accumulateGrad(reduceBroadcastGrad(ga, plan: plan, forA: false, count: cb))
      }
    case .div:
      if let a = a, a.requiresGrad {
        let gb = binaryForward(.div, g, bd, plan: try BroadcastPlan(plan.outShape, bShape, op: name))
        a.accumulateGrad(reduceBroadcastGrad(gb, plan: plan, forA: true, count: ca))
      }
      if let b = b, b.requiresGrad {
        // dB = -g * out / b
        let q = binaryForward(.div, out, bd, plan: try BroadcastPlan(plan.outShape, bShape, op: name))
        var t = mulArrays(g, q)
        for i in 0..<t.count { t[i] = -t[i] }
        b.accumulateGrad(reduceBroadcastGrad(t, plan: plan, forA: false, count: cb))
      }
    }
  }
}

// MARK: - Operators

extension Tensor {
  /// Elementwise sum with NumPy broadcasting: `try a + b`.
  public static func + (a: Tensor, b: Tensor) throws -> Tensor { try binaryOp(.add, a, b, name: "add") }
  /// Elementwise difference with broadcasting.
  public static func - (a: Tensor, b: Tensor) throws -> Tensor { try binaryOp(.sub, a, b, name: "sub") }
  /// Elementwise product with broadcasting.
  public static func * (a: Tensor, b: Tensor) throws -> Tensor { try binaryOp(.mul, a, b, name: "mul") }
  /// Elementwise quotient with broadcasting.
  public static func / (a: Tensor, b: Tensor) throws -> Tensor { try binaryOp(.div, a, b, name: "div") }

  public static func + (a: Tensor, s: Float) throws -> Tensor { try a.affine(scale: 1, shift: s, op: "add") }
  public static func + (s: Float, a: Tensor) throws -> Tensor { try a.affine(scale: 1, shift: s, op: "add") }
  public static func - (a: Tensor, s: Float) throws -> Tensor { try a.affine(scale: 1, shift: -s, op: "sub") }
  public static func - (s: Float, a: Tensor) throws -> Tensor { try a.affine(scale: -1, shift: s, op: "sub") }
  public static func * (a: Tensor, s: Float) throws -> Tensor { try a.affine(scale: s, shift: 0, op: "mul") }
  public static func * (s: Float, a: Tensor) throws -> Tensor { try a.affine(scale: s, shift: 0, op: "mul") }
  public static func / (a: Tensor, s: Float) throws -> Tensor {
    guard s != 0 else { throw TensorError.invalidArgument(op: "div", detail: "division by the scalar 0") }
    return try a.affine(scale: 1 / s, shift: 0, op: "div")
  }
  /// `s / a` elementwise.
  public static func / (s: Float, a: Tensor) throws -> Tensor {
    try binaryOp(.div, Tensor(scalar: s), a, name: "div")
  }
  /// Negation.
  public static prefix func - (a: Tensor) throws -> Tensor { try a.affine(scale: -1, shift: 0, op: "neg") }

  /// `scale * x + shift` elementwise (the scalar forms of the operators).
  public func affine(scale: Float, shift: Float, op: String = "affine") throws -> Tensor {
    var out = [Float](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { o in
      data.withUnsafeBufferPointer { x in
        guard let ob = o.baseAddress, let xb = x.baseAddress else { return }
        Parallel.forRanges(x.count, grain: 1 << 15) { r in
          for i in r { ob[i] = scale * xb[i] + shift }
        }
      }
    }
    return Tensor.record(op: op, shape: shape, data: out, parents: [self]) { [weak self] g in
      guard let s = self else { return }
      if scale == 1 { s.accumulateGrad(g); return }
      var d = g
      for i in 0..<d.count { d[i] *= scale }
      s.accumulateGrad(d)
    }
  }
}

// MARK: - Unary ops

enum UnaryKind { case relu, exp, log, sqrt, tanh, sigmoid, abs, pow(Float), clamp(Float, Float) }

extension Tensor {
  func unary(_ k: UnaryKind, name: String) -> Tensor {
    let n = count
    let x = data
    var y = uninitializedFloats(n)  // every case writes all of 0..<n
    y.withUnsafeMutableBufferPointer { yp in
      x.withUnsafeBufferPointer { xp in
        guard let yb = yp.baseAddress, let xb = xp.baseAddress else { return }
        Parallel.forRanges(n, grain: 1 << 14) { r in
          let lo = r.lowerBound, hi = r.upperBound
          switch k {
          case .relu: for i in lo..<hi { yb[i] = xb[i] > 0 ? xb[i] : 0 }
          case .exp: for i in lo..<hi { yb[i] = Foundation.exp(xb[i]) }
          case .log: for i in lo..<hi { yb[i] = Foundation.log(xb[i]) }
          case .sqrt: for i in lo..<hi { yb[i] = xb[i].squareRoot() }
          case .tanh: for i in lo..<hi { yb[i] = Foundation.tanh(xb[i]) }
          case .sigmoid: for i in lo..<hi { yb[i] = 1 / (1 + Foundation.exp(-xb[i])) }
          case .abs: for i in lo..<hi { yb[i] = Swift.abs(xb[i]) }
          case .pow(let p): for i in lo..<hi { yb[i] = Foundation.pow(xb[i], p) }
          case .clamp(let a, let b): for i in lo..<hi { yb[i] = Swift.min(Swift.max(xb[i], a), b) }
          }
        }
      }
    }
    let yc = y
    return Tensor.record(op: name, shape: shape, data: y, parents: [self]) { [weak self] g in
      guard let s = self, s.requiresGrad else { return }
      var d = uninitializedFloats(n)  // every case writes all of 0..<n
      d.withUnsafeMutableBufferPointer { dp in
        g.withUnsafeBufferPointer { gp in
          x.withUnsafeBufferPointer { xp in
            yc.withUnsafeBufferPointer { yp in
              guard let db = dp.baseAddress, let gb = gp.baseAddress, let xb = xp.baseAddress,
                    let yb = yp.baseAddress else { return }
              Parallel.forRanges(n, grain: 1 << 14) { r in
                let lo = r.lowerBound, hi = r.upperBound
                switch k {
                case .relu: for i in lo..<hi { db[i] = xb[i] > 0 ? gb[i] : 0 }
                case .exp: for i in lo..<hi { db[i] = gb[i] * yb[i] }
                case .log: for i in lo..<hi { db[i] = gb[i] / xb[i] }
                case .sqrt: for i in lo..<hi { db[i] = gb[i] * 0.5 / yb[i] }
                case .tanh: for i in lo..<hi { db[i] = gb[i] * (1 - yb[i] * yb[i]) }
                case .sigmoid: for i in lo..<hi { db[i] = gb[i] * yb[i] * (1 - yb[i]) }
                case .abs: for i in lo..<hi { db[i] = xb[i] > 0 ? gb[i] : (xb[i] < 0 ? -gb[i] : 0) }
                case .pow(let p): for i in lo..<hi { db[i] = gb[i] * p * Foundation.pow(xb[i], p - 1) }
                case .clamp(let a, let b): for i in lo..<hi { db[i] = xb[i] >= a && xb[i] <= b ? gb[i] : 0 }
                }
              }
            }
          }
        }
      }
      s.accumulateGrad(d)
    }
  }

  /// max(x, 0) elementwise. `let y = x.relu()`
  public func relu() -> Tensor { unary(.relu, name: "relu") }
  /// e^x elementwise.
  public func exp() -> Tensor { unary(.exp, name: "exp") }
  /// Natural logarithm elementwise (NaN/-inf for non-positive inputs, as in IEEE).
  public func log() -> Tensor { unary(.log, name: "log") }
  /// Square root elementwise.
  public func sqrt() -> Tensor { unary(.sqrt, name: "sqrt") }
  /// Hyperbolic tangent elementwise.
  public func tanh() -> Tensor { unary(.tanh, name: "tanh") }
  /// Logistic sigmoid elementwise.
  public func sigmoid() -> Tensor { unary(.sigmoid, name: "sigmoid") }
  /// Absolute value elementwise (gradient 0 at 0).
  public func abs() -> Tensor { unary(.abs, name: "abs") }
  /// x^p elementwise.
  public func pow(_ p: Float) -> Tensor { unary(.pow(p), name: "pow") }
  /// Clamps into [min, max]; throws when min > max.
  public func clamp(min lo: Float, max hi: Float) throws -> Tensor {
    guard lo <= hi else { throw TensorError.invalidArgument(op: "clamp", detail: "min \(lo) > max \(hi)") }
    return unary(.clamp(lo, hi), name: "clamp")
  }
}

/// Free-function form of `x.relu()`.
public func relu(_ x: Tensor) -> Tensor { x.relu() }
/// Free-function form of `x.sigmoid()`.
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
