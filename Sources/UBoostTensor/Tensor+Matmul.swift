import CBLAS

// MARK: - SGEMM wrapper

/// Row-major C[m,n] = alpha * op(A) * op(B) + beta * C on raw pointers (leading dimensions are
/// the row lengths of the stored matrices).
///
/// OpenBLAS always runs single-threaded (see `Parallel`); large products are split here into
/// column (or row) panels, one per engine thread, so the GEMMs and the engine's own loops share
/// one thread pool instead of OpenBLAS's spinning workers competing with it for the cores.
/// `package`: the kernel benchmark (`UBoostBench`) times it against the conv kernels.
package func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
  guard m > 0 && n > 0 else { return }
  let t = Parallel.threads  // also applies the single-thread setting to OpenBLAS before its first call
  guard k > 0 else {
    // An empty sum: C = beta * C (BLAS would reject the zero leading dimensions).
    for i in 0..<m { let row = c + i * ldc; for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] } }
    return
  }
  // Panels of at least 64 columns/rows and at least ~1M multiply-adds each; smaller products
  // run as one call. Split points: see `panelStart`.
  let splitN = n >= m
  let dim = splitN ? n : m
  let panels = t > 1 ? Swift.min(t, dim / 64, Swift.max(1, (m * n * k) / (1 << 20))) : 1
  if panels <= 1 {
    cblasSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    return
  }
  Parallel.forRanges(panels) { r in
    for p in r {
      let lo = panelStart(p, of: panels, dim: dim), hi = panelStart(p + 1, of: panels, dim: dim)
      guard hi > lo else { continue }
      if splitN {
        // C[:, lo..<hi] = op(A) * op(B)[:, lo..<hi]
        cblasSgemm(transA, transB, m, hi - lo, k, alpha, a, lda, transB ? b + lo * ldb : b + lo, ldb, beta, c + lo, ldc)
      } else {
        // C[lo..<hi, :] = op(A)[lo..<hi, :] * op(B)
        cblasSgemm(transA, transB, hi - lo, n, k, alpha, transA ? a + lo : a + lo * lda, lda, b, ldb, beta, c + lo * ldc, ldc)
      }
    }
  }
}

/// The first column (row) of panel `p` when `dim` columns are split into `panels`: the even
/// share rounded to the *nearest* multiple of 16 (whole vector blocks for the kernels);
/// `panelStart(panels, ...)` is `dim`. Rounding down gave m = 280 a 128/152 split, whose second
/// thread did 19% more work while the first waited for it. Only the split points move with the
/// thread count, never the order of any sum, so results do not depend on it.
///
/// ```swift
/// panelStart(1, of: 2, dim: 280)   // 144: panels of 144 and 136 rows
/// ```
package func panelStart(_ p: Int, of panels: Int, dim: Int) -> Int {
  p >= panels ? dim : (dim * p / panels + 8) & ~15
}

/// One OpenBLAS call on the calling thread (for callers that split the work themselves).
@inline(__always)
func cblasSgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Array form of `sgemm` for whole (batched) operands. `batch` matrices are stored back to back.
func gemmArrays(_ a: [Float], _ b: [Float], batch: Int, m: Int, n: Int, k: Int,
                transA: Bool, transB: Bool, bBatched: Bool = true) -> [Float] {
  var c = [Float](repeating: 0, count: batch * m * n)
  c.withUnsafeMutableBufferPointer { cp in
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        guard let cb = cp.baseAddress, let ab = ap.baseAddress, let bb = bp.baseAddress else { return }
        for i in 0..<batch {
          sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                a: ab + i * m * k, lda: transA ? m : k,
                b: bb + (bBatched ? i * k * n : 0), ldb: transB ? k : n,
                beta: 0, c: cb + i * m * n, ldc: n)
        }
      }
    }
  }
  return c
}

// MARK: - matmul

/// Matrix product via `cblas_sgemm`: `[m,k] x [k,n] -> [m,n]`, or batched `[b,m,k] x [b,k,n]`
/// (also `[b,m,k] x [k,n]`, the right operand shared by the batch).
///
/// ```swift
/// let y = try matmul(x, w.transposed())
/// ```
public func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
  let bad = TensorError.shapeMismatch(op: "matmul", shapes: [a.shape, b.shape],
                                      detail: "need [m,k] x [k,n], [b,m,k] x [b,k,n] or [b,m,k] x [k,n]")
  let batch: Int, m: Int, k: Int, n: Int, bBatched: Bool
  switch (a.rank, b.rank) {
  case (2, 2):
    (batch, m, k, n, bBatched) = (1, a.shape[0], a.shape[1], b.shape[1], false)
    guard b.shape[0] == k else { throw bad }
  case (3, 3):
    (batch, m, k, n, bBatched) = (a.shape[0], a.shape[1], a.shape[2], b.shape[2], true)
    guard b.shape[0] == batch, b.shape[1] == k else { throw bad }
  case (3, 2):
    (batch, m, k, n, bBatched) = (a.shape[0], a.shape[1], a.shape[2], b.shape[1], false)
    guard b.shape[0] == k else { throw bad }
  default:
    throw bad
  }
  let outShape = a.rank == 2 ? [m, n] : [batch, m, n]
  _ = try Shape.count(outShape, op: "matmul")
  guard m <= Int(Int32.max), n <= Int(Int32.max), k <= Int(Int32.max) else { throw bad }
  let ad = a.data, bd = b.data
  let out = gemmArrays(ad, bd, batch: batch, m: m, n: n, k: k, transA: false, transB: false, bBatched: bBatched)
  return Tensor.record(op: "matmul", shape: outShape, data: out, parents: [a, b]) { [weak a, weak b] g in
    if let a = a, a.requiresGrad {
      // dA = dC * B^T
      a.accumulateGrad(gemmArrays(g, bd, batch: batch, m: m, n: k, k: n, transA: false, transB: true, bBatched: bBatched))
    }
    if let b = b, b.requiresGrad {
      // dB = A^T * dC (summed over the batch when B is shared)
      if bBatched {
        b.accumulateGrad(gemmArrays(ad, g, batch: batch, m: k, n: n, k: m, transA: true, transB: false))
      } else {
        // Stack the batch along m: A is [(batch*m), k], dC is [(batch*m), n].
        b.accumulateGrad(gemmArrays(ad, g, batch: 1, m: k, n: n, k: batch * m, transA: true, transB: false))
      }
    }
  }
}

// MARK: - linear

/// Fully connected layer: `x [N, in] * w[out, in]^T + b[out]`.
///
/// ```swift
/// let logits = try linear(features, w, b)
/// ```
public func linear(_ x: Tensor, _ w: Tensor, _ b: Tensor?) throws -> Tensor {
  guard x.rank == 2, w.rank == 2, x.shape[1] == w.shape[1] else {
    throw TensorError.shapeMismatch(op: "linear", shapes: [x.shape, w.shape], detail: "need x [N, in] and weight [out, in]")
  }
  let nb = x.shape[0], nin = x.shape[1], nout = w.shape[0]
  if let b = b, b.shape != [nout] {
    throw TensorError.shapeMismatch(op: "linear", shapes: [w.shape, b.shape], detail: "bias must be [out] = [\(nout)]")
  }
  let xd = x.data, wd = w.data
  var out = gemmArrays(xd, wd, batch: 1, m: nb, n: nout, k: nin, transA: false, transB: true)
  if let b = b {
    let bd = b.data
    for i in 0..<nb { for j in 0..<nout { out[i * nout + j] += bd[j] } }
  }
  let parents = b.map { [x, w, $0] } ?? [x, w]
  return Tensor.record(op: "linear", shape: [nb, nout], data: out, parents: parents) { [weak x, weak w, weak b] g in
    if let x = x, x.requiresGrad {
      x.accumulateGrad(gemmArrays(g, wd, batch: 1, m: nb, n: nin, k: nout, transA: false, transB: false))
    }
    if let w = w, w.requiresGrad {
      w.accumulateGrad(gemmArrays(g, xd, batch: 1, m: nout, n: nin, k: nb, transA: true, transB: false))
    }
    if let b = b, b.requiresGrad {
      var db = [Float](repeating: 0, count: nout)
      for i in 0..<nb { for j in 0..<nout { db[j] += g[i * nout + j] } }
      b.accumulateGrad(db)
    }
  }
}
