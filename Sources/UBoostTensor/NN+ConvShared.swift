// MARK: - Several convs of one input (shared im2col, stacked GEMM)

/// Convolutions of one NCHW input `x` with several weights of the same kernel geometry
/// (`[Cout_j, Cin, kH, kW]`, Cout may differ), all with the same stride, padding and dilation:
/// the result equals `weights.indices.map { conv2d(x, weights[$0], bias: biases[$0], ...) }`.
///
/// The input is unfolded (im2col) once per chunk of images and multiplied by the weights stacked
/// along the output dimension in one larger SGEMM; backward unfolds once, computes all weight
/// gradients in one SGEMM and the input gradient with one `W_stack^T * dY` SGEMM and one col2im
/// (instead of one im2col, col2im and three SGEMMs per weight). Where copying the weights into
/// one stack would cost more than re-reading the unfolded input once per weight (large weights,
/// small planes), the GEMMs run per weight on the shared unfolding instead, reading each weight
/// and writing each weight gradient in place. Winograd shapes share the transformed input the
/// same way. A DARTS cell's edges leaving the same node read the same tensor, so their
/// candidate convs of equal geometry share this way.
///
/// Grouped convs are not supported; 1x1 stride-1 unpadded weights and a single weight fall back
/// to separate `conv2d` calls (nothing to share).
///
/// ```swift
/// let ys = try conv2dShared(x, weights: [w1, w2, w3], biases: [b1, b2, b3], padding: .explicit(1))
/// ```
public func conv2dShared(_ x: Tensor, weights: [Tensor], biases: [Tensor?], stride: Int = 1, padding: Padding = .same,
                         dilation: Int = 1) throws -> [Tensor] {
  let op = "conv2dShared"
  guard let w0 = weights.first else { return [] }
  guard biases.count == weights.count else {
    throw TensorError.invalidArgument(op: op, detail: "\(weights.count) weights but \(biases.count) biases")
  }
  guard w0.rank == 4 else { throw TensorError.invalidShape(op: op, shape: w0.shape, detail: "weight must be [Cout, Cin, kH, kW]") }
  var couts: [Int] = []
  for w in weights {
    guard w.rank == 4, w.shape[1...] == w0.shape[1...], w.shape[0] >= 1 else {
      throw TensorError.shapeMismatch(op: op, shapes: [w0.shape, w.shape], detail: "weights must agree on [Cin, kH, kW]")
    }
    couts.append(w.shape[0])
  }
  for (w, b) in zip(weights, biases) {
    if let b = b, b.shape != [w.shape[0]] {
      throw TensorError.shapeMismatch(op: op, shapes: [w.shape, b.shape], detail: "bias must be [Cout] = [\(w.shape[0])]")
    }
  }
  let total = couts.reduce(0, +)
  let g = try ConvGeometry(x: x.shape, w: [total] + Array(w0.shape[1...]), stride: stride, padding: padding,
                           dilation: dilation, groups: 1)
  if weights.count == 1 || g.isPointwise || g.n == 0 {
    return try zip(weights, biases).map { try conv2d(x, $0, bias: $1, stride: stride, padding: padding, dilation: dilation) }
  }
  _ = try Shape.count([total, g.kSize], op: op)
  let k = g.kSize
  let xd = x.data
  let wds = weights.map(\.data)
  let bds = biases.map { $0?.data }

  // Row r of the stacked output belongs to output owner[r], channel local[r]; biases stacked
  // (zeros where a weight has none).
  var stackedBias = [Float](repeating: 0, count: total)
  var owner = [Int](repeating: 0, count: total), local = [Int](repeating: 0, count: total)
  var r0 = 0
  for (j, c) in couts.enumerated() {
    for i in 0..<c { owner[r0 + i] = j; local[r0 + i] = i; stackedBias[r0 + i] = bds[j]?[i] ?? 0 }
    r0 += c
  }
  let plan = Winograd.plan(g)
  /// Row r of the stacked weights (or their gradients): `k` floats inside array `owner[r]`.
  func rows<P>(_ bases: [P], _ advance: (P, Int) -> P) -> [P] { (0..<total).map { advance(bases[owner[$0]], local[$0] * k) } }

  let sizes = couts.map { g.n * $0 * g.hwOut }
  let outs = withUninitializedArrays(sizes) { outPtrs in
    xd.withUnsafeBufferPointer { xp in
      stackedBias.withUnsafeBufferPointer { bp in
        owner.withUnsafeBufferPointer { ow in
          local.withUnsafeBufferPointer { lo in
            FusedOpsPointers.withBases(wds) { wbs in
              guard let xb = xp.baseAddress, let bb = bp.baseAddress, let owb = ow.baseAddress,
                    let lob = lo.baseAddress else { return }
              if let plan = plan {
                Winograd.forward(plan, xb, rows(wbs, +), bb, outPtrs, couts: couts, owner: owb, local: lob)
              } else {
                SharedConv.forward(xb, wbs, bb, outPtrs, couts: couts, owner: owb, local: lob, g)
              }
            }
          }
        }
      }
    }
  }

  // One hub entry owns the backward; each output's entry only hands its gradient to the hub.
  let box = SharedGradBox(count: weights.count)
  let hubParents: [Tensor] = [x] + weights + biases.compactMap { $0 }
  let hub = Tensor.record(op: op, shape: [0], data: [], parents: hubParents) { [weak x] _ in
    let grads = box.take()
    let needX = x?.requiresGrad ?? false
    let needW = weights.contains { $0.requiresGrad }
    if needX || needW {
      var dx = needX ? uninitializedFloats(xd.count) : []
      var dws: [[Float]] = []  // one per weight, [couts[j], K]
      dx.withUnsafeMutableBufferPointer { dxp in
        xd.withUnsafeBufferPointer { xp in
          owner.withUnsafeBufferPointer { ow in
            local.withUnsafeBufferPointer { lo in
              FusedOpsPointers.withOptionalBases(grads) { gys in
                FusedOpsPointers.withBases(wds) { wbs in
                  guard let xb = xp.baseAddress, let owb = ow.baseAddress, let lob = lo.baseAddress else { return }
                  let dxb = needX ? dxp.baseAddress : nil
                  func run(_ dwPtrs: [UnsafeMutablePointer<Float>]?) {
                    if let plan = plan {
                      Winograd.backward(plan, xb, rows(wbs, +), gys, dxb, dwPtrs.map { rows($0, +) },
                                        couts: couts, owner: owb, local: lob)
                    } else {
                      SharedConv.backward(xb, wbs, gys, dxb, dwPtrs, couts: couts, owner: owb, local: lob, g)
                    }
                  }
                  guard needW else { return run(nil) }
                  // The kernels accumulate, so the gradient arrays start at zero.
                  dws = withUninitializedArrays(couts.map { $0 * k }) { dwPtrs in
                    clearOnAllThreads(dwPtrs, counts: couts.map { $0 * k })
                    run(dwPtrs)
                  }
                }
              }
            }
          }
        }
      }
      if needX { x?.accumulateGrad(dx) }
      for (j, wt) in weights.enumerated() where wt.requiresGrad && j < dws.count { wt.accumulateGrad(dws[j]) }
    }
    for (j, b) in biases.enumerated() {
      guard let b = b, b.requiresGrad, let gy = grads[j] else { continue }
      b.accumulateGrad(channelSums(gy, n: g.n, c: couts[j], hw: g.hwOut))
    }
  }
  return outs.enumerated().map { j, data in
    let shape = [g.n, couts[j], g.ho, g.wo]
    guard hub.requiresGrad else { return Tensor.constant(shape: shape, data: data) }
    return Tensor.record(op: op, shape: shape, data: data, parents: [hub]) { [weak hub] gy in
      box.put(j, gy)
      // An empty gradient marks the hub as reached; its entry reads the box.
      hub?.accumulateGrad([])
    }
  }
}

/// The output gradients of a `conv2dShared` call, collected until its hub entry runs.
final class SharedGradBox {
  private var grads: [[Float]?]
  init(count: Int) { grads = [[Float]?](repeating: nil, count: count) }
  func put(_ j: Int, _ g: [Float]) {
    if let old = grads[j] {
      var acc = old
      acc.withUnsafeMutableBufferPointer { a in for i in 0..<Swift.min(a.count, g.count) { a[i] += g[i] } }
      grads[j] = acc
    } else {
      grads[j] = g
    }
  }
  /// The collected gradients (nil: that output got none), emptying the box.
  func take() -> [[Float]?] {
    let g = grads
    grads = [[Float]?](repeating: nil, count: g.count)
    return g
  }
}

/// Creates arrays of the given sizes (each >= 1) whose elements `body` must all write (through
/// the pointers).
func withUninitializedArrays(_ sizes: [Int], _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
  var ptrs: [UnsafeMutablePointer<Float>] = []
  func build(_ j: Int) -> [[Float]] {
    if j == sizes.count {
      body(ptrs)
      return []
    }
    var rest: [[Float]] = []
    let a = [Float](unsafeUninitializedCapacity: sizes[j]) { buf, count in
      count = sizes[j]
      guard let b = buf.baseAddress else { return }  // callers pass sizes >= 1
      ptrs.append(b)
      rest = build(j + 1)
    }
    return [a] + rest
  }
  let arrays = build(0)
  return arrays.count == sizes.count ? arrays : sizes.map { [Float](repeating: 0, count: $0) }
}

enum FusedOpsPointers {
  /// Calls `body` with the base addresses of `arrays`, which must all be non-empty (an empty
  /// one has no address, and then `body` is not called).
  static func withBases(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> Void) {
    withOptionalBases(arrays) { bases in
      let all = bases.compactMap { $0 }
      if all.count == arrays.count { body(all) }
    }
  }

  /// Calls `body` with the base addresses of `arrays` (nil for nil or empty entries).
  static func withOptionalBases<R>(_ arrays: [[Float]?], _ body: ([UnsafePointer<Float>?]) -> R) -> R {
    func go(_ i: Int, _ acc: [UnsafePointer<Float>?]) -> R {
      if i == arrays.count { return body(acc) }
      guard let a = arrays[i] else { return go(i + 1, acc + [nil]) }
      return a.withUnsafeBufferPointer { go(i + 1, acc + [$0.baseAddress]) }
    }
    return go(0, [])
  }
}

// MARK: - Kernels

enum SharedConv {
  /// A stacked copy `[total, K]` of the weights `ws` (`[couts[j], K]` each), or nil when one
  /// GEMM per weight is cheaper: stacking copies `total * K` floats, while each extra GEMM packs
  /// the unfolded input (`K * cols`) once more. Large weights on small planes (a channel
  /// search's late stages: 2 x 280 x 2520 weights against 2520 x 32 unfolded columns) run split.
  static func stack(_ ws: [UnsafePointer<Float>], couts: [Int], k: Int, cols: Int) -> UnsafeMutablePointer<Float>? {
    let total = couts.reduce(0, +)
    guard stacks(count: ws.count, total: total, cols: cols) else { return nil }
    let s = UnsafeMutablePointer<Float>.allocate(capacity: total * k)
    var o = 0
    for (j, w) in ws.enumerated() { (s + o * k).initialize(from: w, count: couts[j] * k); o += couts[j] }
    return s
  }

  /// Whether `count` weights of `total` output channels in all run as one stacked GEMM on
  /// `cols` unfolded columns (per K: the copy is `total` floats, splitting packs `cols` more per
  /// extra weight).
  static func stacks(count: Int, total: Int, cols: Int) -> Bool { (count - 1) * cols >= total }

  /// The first stacked row of each weight.
  static func offsets(_ couts: [Int]) -> [Int] {
    var offs: [Int] = [], o = 0
    for c in couts { offs.append(o); o += c }
    return offs
  }

  /// y_j = conv(x, W_j) + b_j for all j (`ws[j]`: `[couts[j], K]`), the im2col path: per chunk
  /// one im2col, then one SGEMM with the stacked weights (or one per weight, see `stack`), then
  /// the stacked block `[total, cols]` is scattered into the outputs (NCHW).
  static func forward(_ x: UnsafePointer<Float>, _ ws: [UnsafePointer<Float>], _ bias: UnsafePointer<Float>,
                      _ ys: [UnsafeMutablePointer<Float>], couts: [Int], owner: UnsafePointer<Int>, local: UnsafePointer<Int>,
                      _ g: ConvGeometry) {
    let total = g.cout, k = g.kSize
    let chunk = convChunk(g), offs = offsets(couts)
    let col = UnsafeMutablePointer<Float>.allocate(capacity: k * chunk * g.hwOut)
    let blk = UnsafeMutablePointer<Float>.allocate(capacity: total * chunk * g.hwOut)
    let stacked = stack(ws, couts: couts, k: k, cols: Swift.min(chunk, g.n) * g.hwOut)
    defer { col.deallocate(); blk.deallocate(); stacked?.deallocate() }
    let hwo = g.hwOut
    var n0 = 0
    while n0 < g.n {
      let nb = Swift.min(chunk, g.n - n0), cols = nb * hwo
      ConvKernels.im2col(x, g, c0: 0, n0: n0, nb: nb, col)
      if let w = stacked {
        sgemm(transA: false, transB: false, m: total, n: cols, k: k, a: w, lda: k, b: col, ldb: cols, beta: 0, c: blk, ldc: cols)
      } else {
        for (j, w) in ws.enumerated() {
          sgemm(transA: false, transB: false, m: couts[j], n: cols, k: k, a: w, lda: k, b: col, ldb: cols,
                beta: 0, c: blk + offs[j] * cols, ldc: cols)
        }
      }
      let base = n0
      Parallel.forRanges(total * nb, grain: 16) { r in
        for t in r {
          let row = t / nb, img = t - (t / nb) * nb
          let j = owner[row], co = local[row]
          let dst = ys[j] + ((base + img) * couts[j] + co) * hwo, src = blk + row * cols + img * hwo
          let bv = bias[row]
          for e in 0..<hwo { dst[e] = src[e] + bv }
        }
      }
      n0 += nb
    }
  }

  /// Gradients of all the convs (the im2col path): `dW_j += dY_j * col^T` (one im2col per chunk)
  /// and `dx = col2im(sum_j W_j^T * dY_j)`, as stacked GEMMs or one per weight (see `stack`).
  /// `gys[j]` nil: output j had no gradient (zero rows). `dws[j]` (`[couts[j], K]`) is
  /// accumulated; `dx` is overwritten.
  static func backward(_ x: UnsafePointer<Float>, _ ws: [UnsafePointer<Float>], _ gys: [UnsafePointer<Float>?],
                       _ dx: UnsafeMutablePointer<Float>?, _ dws: [UnsafeMutablePointer<Float>]?, couts: [Int],
                       owner: UnsafePointer<Int>, local: UnsafePointer<Int>, _ g: ConvGeometry) {
    let total = g.cout, k = g.kSize
    let chunk = convChunk(g), offs = offsets(couts)
    let col = UnsafeMutablePointer<Float>.allocate(capacity: k * chunk * g.hwOut)
    let blk = UnsafeMutablePointer<Float>.allocate(capacity: total * chunk * g.hwOut)
    let stacked = stack(ws, couts: couts, k: k, cols: Swift.min(chunk, g.n) * g.hwOut)
    // Stacked: the weight gradients as one [total, K] block, added into dws at the end.
    let dwStack: UnsafeMutablePointer<Float>? = stacked != nil && dws != nil ? .allocate(capacity: total * k) : nil
    dwStack?.initialize(repeating: 0, count: total * k)
    defer { col.deallocate(); blk.deallocate(); stacked?.deallocate(); dwStack?.deallocate() }
    let hwo = g.hwOut
    var n0 = 0
    while n0 < g.n {
      let nb = Swift.min(chunk, g.n - n0), cols = nb * hwo
      let base = n0
      Parallel.forRanges(total * nb, grain: 16) { r in
        for t in r {
          let row = t / nb, img = t - (t / nb) * nb
          let j = owner[row], co = local[row]
          let dst = blk + row * cols + img * hwo
          if let gy = gys[j] {
            ConvKernels.copyRow(gy + ((base + img) * couts[j] + co) * hwo, dst, hwo)
          } else {
            dst.update(repeating: 0, count: hwo)
          }
        }
      }
      if let dws = dws {
        ConvKernels.im2col(x, g, c0: 0, n0: n0, nb: nb, col)
        if let dw = dwStack {
          sgemm(transA: false, transB: true, m: total, n: k, k: cols, a: blk, lda: cols, b: col, ldb: cols, beta: 1, c: dw, ldc: k)
        } else {
          for (j, dw) in dws.enumerated() {
            sgemm(transA: false, transB: true, m: couts[j], n: k, k: cols, a: blk + offs[j] * cols, lda: cols,
                  b: col, ldb: cols, beta: 1, c: dw, ldc: k)
          }
        }
      }
      if let dx = dx {
        if let w = stacked {
          sgemm(transA: true, transB: false, m: k, n: cols, k: total, a: w, lda: k, b: blk, ldb: cols, beta: 0, c: col, ldc: cols)
        } else {
          for (j, w) in ws.enumerated() {
            sgemm(transA: true, transB: false, m: k, n: cols, k: couts[j], a: w, lda: k, b: blk + offs[j] * cols, ldb: cols,
                  beta: j == 0 ? 0 : 1, c: col, ldc: cols)
          }
        }
        ConvKernels.col2im(col, g, c0: 0, n0: n0, nb: nb, dx)
      }
      n0 += nb
    }
    if let dw = dwStack, let dws = dws {
      for (j, d) in dws.enumerated() {
        let src = dw + offs[j] * k
        for i in 0..<(couts[j] * k) { d[i] += src[i] }
      }
    }
  }
}
