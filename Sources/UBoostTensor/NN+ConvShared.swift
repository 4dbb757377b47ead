// MARK: - Several convs of one input (shared im2col, stacked GEMM)

/// Convolutions of one NCHW input `x` with several weights of the same kernel geometry
/// (`[Cout_j, Cin, kH, kW]`, Cout may differ), all with the same stride, padding and dilation:
/// the result equals `weights.indices.map { conv2d(x, weights[$0], bias: biases[$0], ...) }`.
///
/// The input is unfolded (im2col) once per chunk of images and multiplied by the weights stacked
/// along the output dimension in one larger SGEMM; backward unfolds once, computes all weight
/// gradients in one SGEMM and the input gradient with one `W_stack^T * dY` SGEMM and one col2im
/// (instead of one im2col, col2im and three SGEMMs per weight). A DARTS cell's edges leaving the
/// same node read the same tensor, so their candidate convs of equal geometry share this way.
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
  var offsets: [Int] = [], o = 0
  for c in couts { offsets.append(o); o += c }
  let xd = x.data
  let wds = weights.map(\.data)
  let bds = biases.map { $0?.data }

  // Stacked weights [total, K] and biases [total] (zeros where a weight has none).
  func stackedWeights() -> [Float] {
    var s = uninitializedFloats(total * k)
    s.withUnsafeMutableBufferPointer { sp in
      guard let sb = sp.baseAddress else { return }
      for (j, wd) in wds.enumerated() {
        wd.withUnsafeBufferPointer { wp in
          guard let wb = wp.baseAddress else { return }
          (sb + offsets[j] * k).update(from: wb, count: couts[j] * k)
        }
      }
    }
    return s
  }
  var stackedBias = [Float](repeating: 0, count: total)
  for (j, bd) in bds.enumerated() { if let bd = bd { for c in 0..<couts[j] { stackedBias[offsets[j] + c] = bd[c] } } }

  // Row r of the stacked output belongs to output owner[r], channel local[r].
  var owner = [Int](repeating: 0, count: total), local = [Int](repeating: 0, count: total)
  for (j, c) in couts.enumerated() { for i in 0..<c { owner[offsets[j] + i] = j; local[offsets[j] + i] = i } }

  let sizes = couts.map { g.n * $0 * g.hwOut }
  let ws = stackedWeights()
  let outs = withUninitializedArrays(sizes) { outPtrs in
    ws.withUnsafeBufferPointer { wp in
      xd.withUnsafeBufferPointer { xp in
        stackedBias.withUnsafeBufferPointer { bp in
          owner.withUnsafeBufferPointer { ow in
            local.withUnsafeBufferPointer { lo in
              guard let wb = wp.baseAddress, let xb = xp.baseAddress, let bb = bp.baseAddress,
                    let owb = ow.baseAddress, let lob = lo.baseAddress else { return }
              SharedConv.forward(xb, wb, bb, outPtrs, couts: couts, owner: owb, local: lob, g)
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
      let w = stackedWeights()
      var dx = needX ? uninitializedFloats(xd.count) : []
      var dw = needW ? [Float](repeating: 0, count: total * k) : []
      dx.withUnsafeMutableBufferPointer { dxp in
        dw.withUnsafeMutableBufferPointer { dwp in
          xd.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
              owner.withUnsafeBufferPointer { ow in
                local.withUnsafeBufferPointer { lo in
                  FusedOpsPointers.withOptionalBases(grads) { gys in
                    guard let xb = xp.baseAddress, let wb = wp.baseAddress, let owb = ow.baseAddress,
                          let lob = lo.baseAddress else { return }
                    SharedConv.backward(xb, wb, gys, needX ? dxp.baseAddress : nil, needW ? dwp.baseAddress : nil,
                                        couts: couts, owner: owb, local: lob, g)
                  }
                }
              }
            }
          }
        }
      }
      if needX { x?.accumulateGrad(dx) }
      if needW {
        for (j, wt) in weights.enumerated() where wt.requiresGrad {
          wt.accumulateGrad(Array(dw[(offsets[j] * k)..<((offsets[j] + couts[j]) * k)]))
        }
      }
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
  /// y_j = conv(x, W_j) + b_j for all j: per chunk one im2col and one SGEMM with the stacked
  /// weights `[total, K]`, then the stacked block is scattered into the outputs (NCHW).
  static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                      _ ys: [UnsafeMutablePointer<Float>], couts: [Int], owner: UnsafePointer<Int>, local: UnsafePointer<Int>,
                      _ g: ConvGeometry) {
    if let plan = Winograd.plan(g) {
      Winograd.forward(plan, x, w, bias, ys, couts: couts, owner: owner, local: local)
      return
    }
    let total = g.cout
    let chunk = convChunk(g)
    let col = UnsafeMutablePointer<Float>.allocate(capacity: g.kSize * chunk * g.hwOut)
    let blk = UnsafeMutablePointer<Float>.allocate(capacity: total * chunk * g.hwOut)
    defer { col.deallocate(); blk.deallocate() }
    let hwo = g.hwOut
    var n0 = 0
    while n0 < g.n {
      let nb = Swift.min(chunk, g.n - n0), cols = nb * hwo
      ConvKernels.im2col(x, g, c0: 0, n0: n0, nb: nb, col)
      sgemm(transA: false, transB: false, m: total, n: cols, k: g.kSize, a: w, lda: g.kSize,
            b: col, ldb: cols, beta: 0, c: blk, ldc: cols)
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

  /// Gradients of all the convs: `dW_stack += dY * col^T` (one im2col per chunk) and
  /// `dx = col2im(W_stack^T * dY)`. `gys[j]` nil: output j had no gradient (zero rows).
  /// `dw` (`[total, K]`) must be zeroed by the caller; `dx` is overwritten.
  static func backward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gys: [UnsafePointer<Float>?],
                       _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?, couts: [Int],
                       owner: UnsafePointer<Int>, local: UnsafePointer<Int>, _ g: ConvGeometry) {
    if let plan = Winograd.plan(g) {
      Winograd.backward(plan, x, w, gys, dx, dw, couts: couts, owner: owner, local: local)
      return
    }
    let total = g.cout
    let chunk = convChunk(g)
    let col = UnsafeMutablePointer<Float>.allocate(capacity: g.kSize * chunk * g.hwOut)
    let blk = UnsafeMutablePointer<Float>.allocate(capacity: total * chunk * g.hwOut)
    defer { col.deallocate(); blk.deallocate() }
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
      if let dw = dw {
        ConvKernels.im2col(x, g, c0: 0, n0: n0, nb: nb, col)
        sgemm(transA: false, transB: true, m: total, n: g.kSize, k: cols, a: blk, lda: cols,
              b: col, ldb: cols, beta: 1, c: dw, ldc: g.kSize)
      }
      if let dx = dx {
        sgemm(transA: true, transB: false, m: g.kSize, n: cols, k: total, a: w, lda: g.kSize,
              b: blk, ldb: cols, beta: 0, c: col, ldc: cols)
        ConvKernels.col2im(col, g, c0: 0, n0: n0, nb: nb, dx)
      }
      n0 += nb
    }
  }
}
