import Foundation
import UBoostLang
import UBoostTensor

// MARK: - Composite tensor operations built from engine ops
//
// Everything here composes differentiable engine ops, so gradients flow through it.

enum TensorMath {
  /// Matrix product with vector promotion: `[k] @ [k,n] -> [n]`, `[m,k] @ [k] -> [m]`,
  /// `[k] @ [k] -> []`, plus the engine's 2-D and batched forms.
  static func matmulAny(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    switch (a.rank, b.rank) {
    case (1, 1):
      guard a.shape == b.shape else {
        throw TensorError.shapeMismatch(op: "matmul", shapes: [a.shape, b.shape], detail: "vector lengths differ")
      }
      return try (a * b).sum()
    case (1, 2):
      let r = try matmul(try a.reshaped([1, a.count]), b)
      return try r.reshaped([r.shape[1]])
    case (2, 1), (3, 1):
      let r = try matmul(a, try b.reshaped([b.count, 1]))
      return try r.reshaped(Array(r.shape.dropLast()))
    default:
      return try matmul(a, b)
    }
  }

  /// Transpose of the last two axes (a 0-d or 1-D tensor is returned unchanged).
  static func transposeLast(_ t: Tensor) throws -> Tensor {
    if t.rank < 2 { return t }
    if t.rank == 2 { return try t.transposed() }
    var axes = Array(0..<t.rank)
    axes.swapAt(t.rank - 1, t.rank - 2)
    return try t.permuted(axes)
  }

  /// Elementwise maximum of two tensors (broadcasting): `relu(a - b) + b`.
  static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try (try a - b).relu() + b }
  /// Elementwise minimum: `a - relu(a - b)`.
  static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a - (try a - b).relu() }

  /// Minimum along an axis (or of all elements): `-max(-x)`.
  static func minReduce(_ t: Tensor, axis: Int?, keepDims: Bool) throws -> Tensor {
    let neg = try -t
    let m = try axis.map { try neg.max(axis: $0, keepDims: keepDims) } ?? neg.max()
    return try -m
  }

  /// An elementwise function with known derivative, recorded on the tape (for ceil-like ops).
  static func pointwise(_ t: Tensor, op: String, _ f: (Double) -> (value: Double, grad: Double)) -> Tensor {
    var out = [Float](repeating: 0, count: t.count)
    var der = [Float](repeating: 0, count: t.count)
    t.data.withUnsafeBufferPointer { x in
      for i in 0..<x.count {
        let (v, g) = f(Double(x[i]))
        out[i] = Float(v)
        der[i] = Float(g)
      }
    }
    return Tensor.record(op: op, shape: t.shape, data: out, parents: [t]) { [weak t] g in
      guard let t = t, t.requiresGrad else { return }
      var d = [Float](repeating: 0, count: g.count)
      for i in 0..<min(g.count, der.count) { d[i] = g[i] * der[i] }
      t.accumulateGrad(d)
    }
  }

  /// A 0-d tensor `value` whose gradient flows into `parents` with the given partial derivatives.
  static func scalar(_ value: Double, op: String, partials: [(Tensor, Double)]) -> Tensor {
    let parents = partials.map(\.0)
    let ds = partials.map(\.1)
    return Tensor.record(op: op, shape: [], data: [Float(value)], parents: parents) { [parents] g in
      let go = Double(g.first ?? 0)
      for (p, d) in zip(parents, ds) where p.requiresGrad {
        p.accumulateGrad([Float](repeating: Float(go * d), count: p.count))
      }
    }
  }
}

/// Transpose of the last two axes.
func transposeLast(_ t: Tensor) throws -> Tensor { try TensorMath.transposeLast(t) }
