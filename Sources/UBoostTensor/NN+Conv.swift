// MARK: - conv2d

/// Images per im2col chunk: the column buffer stays under ~2 MB (512K floats, or one image) so
/// the SGEMM reads it back from cache, while small layers still get one GEMM over the whole
/// batch. With 16 MB the kernel table's im2col convs (8 x 128 x 16x16) ran at 77-85% of SGEMM's
/// rate at 1 thread, with 2 MB (one image per chunk there) at 83-90%.
func convChunk(_ g: ConvGeometry) -> Int {
  guard g.n > 0 else { return 1 }
  let perImage = Swift.max(g.kSize * g.hwOut, 1)
  let most = Swift.max(1, Swift.min(g.n, (1 << 19) / perImage))
  // Balance the chunks (8 images with room for 5 -> 4 + 4, not 5 + 3).
  let chunks = (g.n + most - 1) / most
  return (g.n + chunks - 1) / chunks
}

/// 2-D convolution (cross-correlation, as in PyTorch) of NCHW `x` with weight
/// `[Cout, Cin/groups, kH, kW]`.
///
/// Grouped and ungrouped convs run as one batched im2col + SGEMM per chunk of images (col2im in
/// backward); 1x1 convs skip im2col; depthwise convs (`groups == Cin == Cout`) use a direct kernel.
///
/// ```swift
/// let y = try conv2d(x, w, stride: 2, padding: .same)            // [N, Cout, ceil(H/2), ceil(W/2)]
/// let dw = try conv2d(x, wd, padding: .same, groups: x.shape[1])  // depthwise
/// ```
public func conv2d(_ x: Tensor, _ w: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding = .same,
                   dilation: Int = 1, groups: Int = 1) throws -> Tensor {
  let g = try ConvGeometry(x: x.shape, w: w.shape, stride: stride, padding: padding, dilation: dilation, groups: groups)
  if let b = bias, b.shape != [g.cout] {
    throw TensorError.shapeMismatch(op: "conv2d", shapes: [w.shape, b.shape], detail: "bias must be [Cout] = [\(g.cout)]")
  }
  let xd = x.data, wd = w.data, bd = bias?.data
  // Every kernel path writes each output element, so the buffer starts uninitialized.
  var out = uninitializedFloats(g.n * g.cout * g.hwOut)
  out.withUnsafeMutableBufferPointer { op in
    xd.withUnsafeBufferPointer { xp in
      wd.withUnsafeBufferPointer { wp in
        guard let o = op.baseAddress, let xb = xp.baseAddress, let wb = wp.baseAddress else { return }
        withOptionalPointer(bd) { bb in convForward(xb, wb, bb, o, g) }
      }
    }
  }
  let parents = bias.map { [x, w, $0] } ?? [x, w]
  return Tensor.record(op: "conv2d", shape: [g.n, g.cout, g.ho, g.wo], data: out, parents: parents) { [weak x, weak w, weak bias] gy in
    let needX = x?.requiresGrad ?? false, needW = w?.requiresGrad ?? false
    var dx = [Float](), dw = [Float]()
    // The im2col and pointwise paths write every dx element once; the depthwise kernel adds.
    if needX { dx = g.isDepthwise ? zeroedFloats(xd.count) : uninitializedFloats(xd.count) }
    if needW { dw = zeroedFloats(wd.count) }
    if needX || needW {
      dx.withUnsafeMutableBufferPointer { dxp in
        dw.withUnsafeMutableBufferPointer { dwp in
          xd.withUnsafeBufferPointer { xp in
            wd.withUnsafeBufferPointer { wp in
              gy.withUnsafeBufferPointer { gp in
                guard let xb = xp.baseAddress, let wb = wp.baseAddress, let gb = gp.baseAddress else { return }
                convBackward(xb, wb, gb, needX ? dxp.baseAddress : nil, needW ? dwp.baseAddress : nil, g)
              }
            }
          }
        }
      }
      if needX { x?.accumulateGrad(dx) }
      if needW { w?.accumulateGrad(dw) }
    }
    if let b = bias, b.requiresGrad { b.accumulateGrad(channelSums(gy, n: g.n, c: g.cout, hw: g.hwOut)) }
  }
}

/// Per-channel sums of an NCHW buffer (a conv's bias gradient), parallel over channels; each
/// channel adds its planes in image order, so the result does not depend on the thread count.
func channelSums(_ a: [Float], n: Int, c: Int, hw: Int) -> [Float] {
  var out = [Float](repeating: 0, count: c)
  guard a.count >= n * c * hw else { return out }
  out.withUnsafeMutableBufferPointer { op in
    a.withUnsafeBufferPointer { ap in
      guard let o = op.baseAddress, let ab = ap.baseAddress else { return }
      Parallel.forRanges(c, grain: Swift.max(1, (1 << 14) / Swift.max(n * hw, 1))) { r in
        for ch in r {
          var s: Float = 0
          for img in 0..<n { s += VecOps.sum(ab + (img * c + ch) * hw, hw) }
          o[ch] = s
        }
      }
    }
  }
  return out
}

/// Calls `body` with the base address of `a` (nil when `a` is nil or empty).
@inline(__always)
func withOptionalPointer<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
  guard let a = a else { return body(nil) }
  return a.withUnsafeBufferPointer { body($0.baseAddress) }
}

// MARK: - Forward / backward drivers (raw pointers)

/// How the raw drivers run a dense (ungrouped or grouped, not depthwise or 1x1) conv.
package enum ConvAlgorithm {
  /// What `conv2d` does: Winograd where its plan saves work, im2col + SGEMM elsewhere.
  case auto
  case im2col
  /// Winograd wherever a plan exists (stride 1, 3x3 / 5x5, >= 8 channels), else im2col.
  case winograd

  func winogradPlan(_ g: ConvGeometry) -> Winograd.Plan? {
    switch self {
    case .auto: return Winograd.plan(g)
    case .im2col: return nil
    case .winograd: return Winograd.plan(g, force: true)
    }
  }
}

/// y = conv(x, w) + bias for the whole batch.
/// `algorithm` other than `.auto` forces im2col + SGEMM or Winograd (where a plan exists) for
/// dense convs: the kernel benchmark's comparisons and the tests.
package func convForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                 _ y: UnsafeMutablePointer<Float>, _ g: ConvGeometry, algorithm: ConvAlgorithm = .auto) {
  if g.isDepthwise {
    Depthwise.forward(x, w, bias, y, g)
    return
  }
  if g.isPointwise {
    // y_n [Cout, HW] = W [Cout, Cin] * x_n [Cin, HW]
    for img in 0..<g.n {
      sgemm(transA: false, transB: false, m: g.cout, n: g.hwOut, k: g.cin, a: w, lda: g.cin,
            b: x + img * g.cin * g.hwIn, ldb: g.hwIn, beta: 0, c: y + img * g.cout * g.hwOut, ldc: g.hwOut)
    }
    if let bias = bias { addChannelBias(y, bias, g) }
    return
  }
  if let plan = algorithm.winogradPlan(g) {
    withIdentityRows(g.cout) { owner, local in
      Winograd.forward(plan, x, rowPointers(w, g.cout, g.kSize), bias, [y], couts: [g.cout], owner: owner, local: local)
    }
    return
  }
  let chunk = convChunk(g)
  let col = UnsafeMutablePointer<Float>.allocate(capacity: g.kSize * chunk * g.hwOut)
  let blk = UnsafeMutablePointer<Float>.allocate(capacity: g.coutG * chunk * g.hwOut)
  defer { col.deallocate(); blk.deallocate() }
  var n0 = 0
  while n0 < g.n {
    let nb = Swift.min(chunk, g.n - n0), cols = nb * g.hwOut
    for grp in 0..<g.groups {
      ConvKernels.im2col(x, g, c0: grp * g.cinG, n0: n0, nb: nb, col)
      sgemm(transA: false, transB: false, m: g.coutG, n: cols, k: g.kSize, a: w + grp * g.coutG * g.kSize, lda: g.kSize,
            b: col, ldb: cols, beta: 0, c: blk, ldc: cols)
      ConvKernels.shuffle(y, blk, g, c0: grp * g.coutG, n0: n0, nb: nb, toBlock: false, bias: bias)
    }
    n0 += nb
  }
}

/// Calls `body` with the row map of a single conv's output (every row belongs to output 0,
/// channel = row), the form the stacked-weight kernels take.
func withIdentityRows(_ n: Int, _ body: (UnsafePointer<Int>, UnsafePointer<Int>) -> Void) {
  let owner = [Int](repeating: 0, count: n), local = Array(0..<n)
  owner.withUnsafeBufferPointer { o in
    local.withUnsafeBufferPointer { l in
      guard let ob = o.baseAddress, let lb = l.baseAddress else { return }
      body(ob, lb)
    }
  }
}

/// `base + i * stride` for `i in 0..<n`: the rows of a `[n, stride]` matrix as a row table.
func rowPointers(_ base: UnsafePointer<Float>, _ n: Int, _ stride: Int) -> [UnsafePointer<Float>] {
  (0..<n).map { base + $0 * stride }
}

/// `base + i * stride` for `i in 0..<n` (mutable rows).
func rowPointers(_ base: UnsafeMutablePointer<Float>, _ n: Int, _ stride: Int) -> [UnsafeMutablePointer<Float>] {
  (0..<n).map { base + $0 * stride }
}

/// Adds `bias[c]` to every NCHW output plane of channel c.
func addChannelBias(_ y: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ g: ConvGeometry) {
  Parallel.forRanges(g.n * g.cout, grain: 16) { r in
    for t in r {
      let bv = bias[t % g.cout], row = y + t * g.hwOut
      for j in 0..<g.hwOut { row[j] += bv }
    }
  }
}

/// Gradients of conv(x, w) given dL/dy; `dx`/`dw` may be nil. `dw` must be zeroed by the caller
/// (accumulated); `dx` is overwritten (it need only be zeroed for depthwise convs).
package func convBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                  _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?, _ g: ConvGeometry,
                  algorithm: ConvAlgorithm = .auto) {
  if g.isDepthwise {
    Depthwise.backward(x, w, gy, dx, dw, g)
    return
  }
  if g.isPointwise {
    for img in 0..<g.n {
      let xi = x + img * g.cin * g.hwIn, gi = gy + img * g.cout * g.hwOut
      if let dw = dw {  // dW += gy_n [Cout, HW] * x_n^T [HW, Cin]
        sgemm(transA: false, transB: true, m: g.cout, n: g.cin, k: g.hwOut, a: gi, lda: g.hwOut,
              b: xi, ldb: g.hwIn, beta: 1, c: dw, ldc: g.cin)
      }
      if let dx = dx {  // dx_n = W^T [Cin, Cout] * gy_n [Cout, HW]
        sgemm(transA: true, transB: false, m: g.cin, n: g.hwIn, k: g.cout, a: w, lda: g.cin,
              b: gi, ldb: g.hwOut, beta: 0, c: dx + img * g.cin * g.hwIn, ldc: g.hwIn)
      }
    }
    return
  }
  if let plan = algorithm.winogradPlan(g) {
    withIdentityRows(g.cout) { owner, local in
      Winograd.backward(plan, x, rowPointers(w, g.cout, g.kSize), [gy], dx, dw.map { rowPointers($0, g.cout, g.kSize) },
                        couts: [g.cout], owner: owner, local: local)
    }
    return
  }
  let chunk = convChunk(g)
  let col = UnsafeMutablePointer<Float>.allocate(capacity: g.kSize * chunk * g.hwOut)
  let blk = UnsafeMutablePointer<Float>.allocate(capacity: g.coutG * chunk * g.hwOut)
  defer { col.deallocate(); blk.deallocate() }
  let gyMut = UnsafeMutablePointer(mutating: gy)  // only read (shuffle toBlock)
  var n0 = 0
  while n0 < g.n {
    let nb = Swift.min(chunk, g.n - n0), cols = nb * g.hwOut
    for grp in 0..<g.groups {
      ConvKernels.shuffle(gyMut, blk, g, c0: grp * g.coutG, n0: n0, nb: nb, toBlock: true, bias: nil)
      let wg = w + grp * g.coutG * g.kSize
      if let dw = dw {
        ConvKernels.im2col(x, g, c0: grp * g.cinG, n0: n0, nb: nb, col)
        // dW_g [CoutG, K] += dY [CoutG, cols] * col^T [cols, K]
        sgemm(transA: false, transB: true, m: g.coutG, n: g.kSize, k: cols, a: blk, lda: cols,
              b: col, ldb: cols, beta: 1, c: dw + grp * g.coutG * g.kSize, ldc: g.kSize)
      }
      if let dx = dx {
        // dcol [K, cols] = W_g^T [K, CoutG] * dY [CoutG, cols]
        sgemm(transA: true, transB: false, m: g.kSize, n: cols, k: g.coutG, a: wg, lda: g.kSize,
              b: blk, ldb: cols, beta: 0, c: col, ldc: cols)
        // Each (image, channel) plane of dx belongs to exactly one (chunk, group): store, not add.
        ConvKernels.col2im(col, g, c0: grp * g.cinG, n0: n0, nb: nb, dx)
      }
    }
    n0 += nb
  }
}

/// Whether a Winograd plan exists for `g` and whether `conv2d` uses it (the kernel benchmark).
package func winogradChoice(_ g: ConvGeometry) -> (exists: Bool, picked: Bool) {
  (ConvAlgorithm.winograd.winogradPlan(g) != nil, ConvAlgorithm.auto.winogradPlan(g) != nil)
}
