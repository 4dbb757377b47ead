// MARK: - Depthwise convolution (direct kernel)

/// Depthwise conv (`groups == Cin == Cout`): GEMM is a poor fit (K = kH*kW), so each plane is
/// copied once into a zero-padded scratch plane and the taps run without bounds checks. At
/// stride 1 undilated 3x3 and 5x5 kernels run kernel column by kernel column
/// (`correlate4RowsByColumn`, `weightGradByColumns`: each input row loaded once per column for
/// every row it meets), other sizes and dilations tap by tap with SIMD16 accumulators that stay in
/// registers over all taps; other strides use a scalar loop over the same padded plane.
enum Depthwise {
  /// Padded scratch geometry: rows/cols cover every tap of every output, with the output row
  /// rounded up to 16 columns so the two SIMD8 loads of a last partial chunk stay inside.
  struct Pad {
    let hp: Int, wp: Int, wo16: Int
    init(_ g: ConvGeometry) {
      hp = (g.ho - 1) * g.stride + (g.kh - 1) * g.dilation + 1
      wo16 = (g.wo + 15) / 16 * 16
      wp = (wo16 - 1) * g.stride + (g.kw - 1) * g.dilation + 1 + 8
    }
    var size: Int { hp * wp }
  }

  /// Allocates a padded scratch plane, zeroed: `fillPadded` only ever writes the same interior
  /// region, so the border stays zero for every plane copied into it afterwards.
  static func allocatePadded(_ pd: Pad) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: pd.size)
    p.initialize(repeating: 0, count: pd.size)
    return p
  }

  /// Copies plane `src` (h x w) into the interior of a padded scratch from `allocatePadded`.
  @inline(__always)
  static func fillPadded(_ src: UnsafePointer<Float>, _ p: UnsafeMutablePointer<Float>, _ g: ConvGeometry, _ pd: Pad) {
    let r0 = Swift.max(0, g.padT), c0 = g.padL
    // Input row ih lands on padded row ih + padT; columns iw on iw + padL (clipped to the scratch).
    let rows = Swift.min(g.h, pd.hp - r0), cols = Swift.min(g.w, pd.wp - c0)
    guard rows > 0, cols > 0 else { return }
    for ih in 0..<rows { ConvKernels.copyRow(src + ih * g.w, p + (ih + r0) * pd.wp + c0, cols) }
  }

  @inline(__always)
  static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }

  // MARK: Row kernel

  /// One output row of a stride-1 correlation: `out[ow] = bias + sum_t ws[t] * src[offs[t] + ow]`
  /// for `ow in 0..<n` (offsets may be negative: the flipped kernel of the input gradient).
  /// Works 16 columns at a time with four independent FMA chains (taps round-robin), which keeps
  /// the FMA units busy instead of waiting on one accumulator. `src + offs[t]` must be readable
  /// up to column `roundUp(n, 16) - 1`; `scratch` must hold 16 floats.
  @inline(__always)
  static func correlateRow(_ src: UnsafePointer<Float>, _ offs: UnsafePointer<Int>, _ ws: UnsafePointer<Float>, taps: Int,
                           bias: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ scratch: UnsafeMutablePointer<Float>) {
    var ow0 = 0
    while ow0 < n {
      let base = src + ow0
      var a0 = SIMD16<Float>(repeating: bias), a1 = SIMD16<Float>(repeating: 0)
      var a2 = SIMD16<Float>(repeating: 0), a3 = SIMD16<Float>(repeating: 0)
      var t = 0
      while t &+ 4 <= taps {
        a0.addProduct(SIMD16(repeating: ws[t]), load16(base + offs[t]))
        a1.addProduct(SIMD16(repeating: ws[t &+ 1]), load16(base + offs[t &+ 1]))
        a2.addProduct(SIMD16(repeating: ws[t &+ 2]), load16(base + offs[t &+ 2]))
        a3.addProduct(SIMD16(repeating: ws[t &+ 3]), load16(base + offs[t &+ 3]))
        t &+= 4
      }
      while t < taps {
        a0.addProduct(SIMD16(repeating: ws[t]), load16(base + offs[t]))
        t &+= 1
      }
      let v = (a0 + a1) + (a2 + a3)
      if ow0 &+ 16 <= n {
        store16(v, out + ow0)
      } else {
        store16(v, scratch)
        for j in 0..<(n &- ow0) { out[ow0 &+ j] = scratch[j] }
      }
      ow0 &+= 16
    }
  }

  /// Stores the first `m` (<= 16) lanes of four output rows `outStride` apart; a partial block
  /// goes through `scratch` (16 floats) so nothing past `m` is written.
  @inline(__always)
  static func store4Rows(_ a0: SIMD16<Float>, _ a1: SIMD16<Float>, _ a2: SIMD16<Float>, _ a3: SIMD16<Float>,
                         _ out: UnsafeMutablePointer<Float>, outStride: Int, _ m: Int, _ scratch: UnsafeMutablePointer<Float>) {
    if m == 16 {
      store16(a0, out)
      store16(a1, out + outStride)
      store16(a2, out + 2 &* outStride)
      store16(a3, out + 3 &* outStride)
      return
    }
    @inline(__always) func part(_ v: SIMD16<Float>, _ o: UnsafeMutablePointer<Float>) {
      store16(v, scratch)
      for j in 0..<m { o[j] = scratch[j] }
    }
    part(a0, out)
    part(a1, out + outStride)
    part(a2, out + 2 &* outStride)
    part(a3, out + 3 &* outStride)
  }

  /// Four consecutive output rows of a stride-1 correlation (`srcStride` apart in the source,
  /// `outStride` apart in the output): each tap's weight is broadcast once for the four rows, and
  /// the four rows are four independent FMA chains, so a tap costs one broadcast and four
  /// load-FMAs instead of one broadcast, one offset load and one load-FMA per row. Same
  /// readability contract as `correlateRow` for every row.
  @inline(__always)
  static func correlate4Rows(_ src: UnsafePointer<Float>, srcStride: Int, _ offs: UnsafePointer<Int>, _ ws: UnsafePointer<Float>,
                             taps: Int, bias: Float, _ out: UnsafeMutablePointer<Float>, outStride: Int, _ n: Int,
                             _ scratch: UnsafeMutablePointer<Float>) {
    var ow0 = 0
    let s1 = srcStride, s2 = 2 &* srcStride, s3 = 3 &* srcStride
    while ow0 < n {
      let base = src + ow0
      var a0 = SIMD16<Float>(repeating: bias), a1 = a0, a2 = a0, a3 = a0
      for t in 0..<taps {
        let wv = SIMD16<Float>(repeating: ws[t])
        let p = base + offs[t]
        a0.addProduct(wv, load16(p))
        a1.addProduct(wv, load16(p + s1))
        a2.addProduct(wv, load16(p + s2))
        a3.addProduct(wv, load16(p + s3))
      }
      store4Rows(a0, a1, a2, a3, out + ow0, outStride: outStride, Swift.min(16, n &- ow0), scratch)
      ow0 &+= 16
    }
  }

  /// Four consecutive output rows of a stride-1, undilated correlation with a `K` kernel (`ws`
  /// row-major, the source rows `srcStride` apart), computed kernel column by kernel column: the
  /// column's `kh` weights are broadcast once and stay in registers, and each of the `kh + 3`
  /// source rows the four output rows read at that column is loaded once and feeds every output
  /// row it meets. A 5x5 block of 16 columns costs 40 loads and 25 broadcasts for 100 FMAs of 16
  /// lanes, against 100 loads, 25 broadcasts and 25 offset loads in `correlate4Rows`. Same
  /// readability contract as `correlateRow`.
  @inline(__always)
  static func correlate4RowsByColumn<K: KernelSize>(_: K.Type, _ src: UnsafePointer<Float>, srcStride: Int, _ ws: UnsafePointer<Float>,
                                                    bias: Float, _ out: UnsafeMutablePointer<Float>, outStride: Int, _ n: Int,
                                                    _ scratch: UnsafeMutablePointer<Float>) {
    let kh = K.kh, kw = K.kw, rowStep = srcStride
    var ow0 = 0
    while ow0 < n {
      var a0 = SIMD16<Float>(repeating: bias), a1 = a0, a2 = a0, a3 = a0
      for j in 0..<kw {
        let col = src + (ow0 &+ j)
        for q in 0..<(kh &+ 3) {
          let v = load16(col + q &* rowStep)
          if q < kh { a0.addProduct(SIMD16(repeating: ws[q &* kw &+ j]), v) }
          if q >= 1 && q &- 1 < kh { a1.addProduct(SIMD16(repeating: ws[(q &- 1) &* kw &+ j]), v) }
          if q >= 2 && q &- 2 < kh { a2.addProduct(SIMD16(repeating: ws[(q &- 2) &* kw &+ j]), v) }
          if q >= 3 && q &- 3 < kh { a3.addProduct(SIMD16(repeating: ws[(q &- 3) &* kw &+ j]), v) }
        }
      }
      store4Rows(a0, a1, a2, a3, out + ow0, outStride: outStride, Swift.min(16, n &- ow0), scratch)
      ow0 &+= 16
    }
  }

  /// Five SIMD8 values that live in registers when indexed with constants (after unrolling).
  struct Five {
    var v0 = SIMD8<Float>(), v1 = SIMD8<Float>(), v2 = SIMD8<Float>(), v3 = SIMD8<Float>(), v4 = SIMD8<Float>()
    @inline(__always) subscript(i: Int) -> SIMD8<Float> {
      get {
        switch i {
        case 0: return v0
        case 1: return v1
        case 2: return v2
        case 3: return v3
        default: return v4
        }
      }
      set {
        switch i {
        case 0: v0 = newValue
        case 1: v1 = newValue
        case 2: v2 = newValue
        case 3: v3 = newValue
        default: v4 = newValue
        }
      }
    }
  }

  /// One input row `q` of `weightGradByColumns`: shifts dy row `q` into the window (`win[i]` is
  /// dy row `q - i`; rows past `ho` are zero) and adds to `acc[i]` the products of the input row
  /// with the dy rows `q - i`, `i in first...last`.
  @inline(__always)
  static func gradStep(_ q: Int, first: Int, last: Int, kh: Int, ho: Int, _ xc: UnsafePointer<Float>, _ xStride: Int,
                       _ dc: UnsafePointer<Float>, _ dyStride: Int, _ acc: inout Five, _ win: inout Five) {
    for k in 0..<(kh - 1) { win[kh - 1 - k] = win[kh - 2 - k] }
    win[0] = q < ho ? load8(dc + q &* dyStride) : SIMD8()
    let v = load8(xc + q &* xStride)
    for i in 0..<kh where i >= first && i <= last { acc[i].addProduct(win[i], v) }
  }

  /// Adds to `acc[i * kw + j]` (8 lanes each, summed by the caller) the stride-1, undilated
  /// weight gradient `sum_{r, c} dy[r][c] * x[r + i][c + j]` of one plane, 8 columns and one
  /// kernel column at a time. The last `kh` dy rows stay in registers as a window, so each input
  /// row is loaded once per kernel column and feeds the `kh` dy rows it meets: 2 loads per `kh`
  /// FMAs (against 5 loads per 4 FMAs when each tap reads its own rows). The first and
  /// last `kh - 1` input rows, which meet fewer dy rows, run in their own unrolled loops, so no
  /// FMA multiplies a zero. Needs `ho >= kh`; `dy` columns from `wo` up to the next multiple of
  /// 8 must read as zero; `x` is the padded plane (`ho + kh - 1` rows). `K` fixes the kernel
  /// size at compile time.
  @inline(__always)
  static func weightGradByColumns<K: KernelSize>(_: K.Type, _ x: UnsafePointer<Float>, xStride: Int, _ dy: UnsafePointer<Float>,
                                                  dyStride: Int, ho: Int, wo: Int, _ acc: UnsafeMutablePointer<SIMD8<Float>>) {
    let kh = K.kh, kw = K.kw
    var c0 = 0
    while c0 < wo {
      for j in 0..<kw {
        var sums = Five(), win = Five()
        let xc = x + (c0 &+ j), dc = dy + c0
        for q in 0..<(kh - 1) { gradStep(q, first: 0, last: q, kh: kh, ho: ho, xc, xStride, dc, dyStride, &sums, &win) }
        for q in (kh - 1)..<ho { gradStep(q, first: 0, last: kh - 1, kh: kh, ho: ho, xc, xStride, dc, dyStride, &sums, &win) }
        for t in 0..<(kh - 1) {
          gradStep(ho + t, first: t + 1, last: kh - 1, kh: kh, ho: ho, xc, xStride, dc, dyStride, &sums, &win)
        }
        for i in 0..<kh { acc[i * kw + j] += sums[i] }
      }
      c0 &+= 8
    }
  }

  /// `weightGradByColumns` compiled for the sizes `hasColumnKernels` accepts (out of line, so
  /// that its loads are inlined and its loops unrolled; inside the caller's large closure they
  /// were not).
  @inline(never)
  static func weightGradByColumns(_ x: UnsafePointer<Float>, xStride: Int, _ dy: UnsafePointer<Float>, dyStride: Int,
                                  ho: Int, wo: Int, kh: Int, kw: Int, into acc: UnsafeMutablePointer<SIMD8<Float>>) {
    switch (kh, kw) {
    case (3, 3): weightGradByColumns(Kernel3x3.self, x, xStride: xStride, dy, dyStride: dyStride, ho: ho, wo: wo, acc)
    case (5, 5): weightGradByColumns(Kernel5x5.self, x, xStride: xStride, dy, dyStride: dyStride, ho: ho, wo: wo, acc)
    default: preconditionFailure("weightGradByColumns: no kernel for \(kh)x\(kw) (check hasColumnKernels)")
    }
  }

  /// A kernel size known when the code is compiled (the generic kernels are specialized per size,
  /// so their loops over taps unroll and the taps' values stay in registers).
  protocol KernelSize { static var kh: Int { get }; static var kw: Int { get } }
  enum Kernel3x3: KernelSize { static var kh: Int { 3 }; static var kw: Int { 3 } }
  enum Kernel5x5: KernelSize { static var kh: Int { 5 }; static var kw: Int { 5 } }

  /// Whether `correlateRows` and `weightGradByColumns` have kernels compiled for this size.
  static func hasColumnKernels(kh: Int, kw: Int, dilation: Int) -> Bool {
    dilation == 1 && ((kh == 3 && kw == 3) || (kh == 5 && kw == 5))
  }

  /// The blocks of four rows among `0..<rows` by `correlate4RowsByColumn`; returns the rows done
  /// (a static function, not a closure over the row counter: a captured `var` was boxed and
  /// access-checked on every call, which cost 20-40% on 7x7 and 14x14 planes).
  @inline(__always)
  static func correlateRowBlocks<K: KernelSize>(_ k: K.Type, _ src: UnsafePointer<Float>, srcStride: Int, rows: Int, _ ws: UnsafePointer<Float>,
                                                bias: Float, _ out: UnsafeMutablePointer<Float>, outStride: Int, _ n: Int,
                                                _ scratch: UnsafeMutablePointer<Float>) -> Int {
    var r = 0
    while r &+ 4 <= rows {
      correlate4RowsByColumn(k, src + r &* srcStride, srcStride: srcStride, ws, bias: bias, out + r &* outStride,
                             outStride: outStride, n, scratch)
      r &+= 4
    }
    return r
  }

  /// Rows `0..<rows` of a stride-1 correlation, four at a time, the rest one at a time. With
  /// `columnKernel` (`hasColumnKernels` of the kernel size; undilated, `offs` row-major) blocks
  /// of four rows run `correlate4RowsByColumn`.
  @inline(__always)
  static func correlateRows(_ src: UnsafePointer<Float>, srcStride: Int, rows: Int, _ offs: UnsafePointer<Int>,
                            _ ws: UnsafePointer<Float>, taps: Int, bias: Float, _ out: UnsafeMutablePointer<Float>,
                            outStride: Int, _ n: Int, _ scratch: UnsafeMutablePointer<Float>, columnKernel: (kh: Int, kw: Int)? = nil) {
    var r = 0
    switch columnKernel {
    case (3, 3)?: r = correlateRowBlocks(Kernel3x3.self, src, srcStride: srcStride, rows: rows, ws, bias: bias, out, outStride: outStride, n, scratch)
    case (5, 5)?: r = correlateRowBlocks(Kernel5x5.self, src, srcStride: srcStride, rows: rows, ws, bias: bias, out, outStride: outStride, n, scratch)
    default: break
    }
    while r &+ 4 <= rows {
      correlate4Rows(src + r &* srcStride, srcStride: srcStride, offs, ws, taps: taps, bias: bias,
                     out + r &* outStride, outStride: outStride, n, scratch)
      r &+= 4
    }
    while r < rows {
      correlateRow(src + r &* srcStride, offs, ws, taps: taps, bias: bias, out + r &* outStride, n, scratch)
      r &+= 1
    }
  }

  // MARK: Forward

  static func forward(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                      _ y: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let pd = Pad(g)
    let (kh, kw, s, d, c, ho, wo) = (g.kh, g.kw, g.stride, g.dilation, g.cin, g.ho, g.wo)
    let taps = kh * kw, columns = hasColumnKernels(kh: kh, kw: kw, dilation: d)
    Parallel.forRanges(g.n * c, grain: 4) { r in
      let p = allocatePadded(pd)
      let orow = UnsafeMutablePointer<Float>.allocate(capacity: pd.wo16)
      let offs = UnsafeMutablePointer<Int>.allocate(capacity: taps)
      defer { p.deallocate(); orow.deallocate(); offs.deallocate() }
      for t in 0..<taps { offs[t] = (t / kw) * d * pd.wp + (t % kw) * d }
      for t in r {
        let ch = t % c
        fillPadded(x + t * g.hwIn, p, g, pd)
        let wk = wt + ch * taps, bv = bias?[ch] ?? 0
        let dst = y + t * g.hwOut
        if s == 1 {
          correlateRows(p, srcStride: pd.wp, rows: ho, offs, wk, taps: taps, bias: bv, dst, outStride: wo, wo, orow,
                        columnKernel: columns ? (kh, kw) : nil)
          continue
        }
        for oh in 0..<ho {
          let prow = p + oh * s * pd.wp
          do {
            orow.update(repeating: bv, count: wo)
            for tap in 0..<taps {
              let wv = wk[tap], src = prow + offs[tap]
              for ow in 0..<wo { orow[ow] += wv * src[ow &* s] }
            }
            ConvKernels.copyRow(orow, dst + oh * wo, wo)
          }
        }
      }
    }
  }

  // MARK: Backward

  /// Gradients into `dx` and `dw` (added); either may be nil. At stride 1 `dx` is overwritten,
  /// at other strides added to, so callers zero it first (`convBackward`'s contract). Parallel
  /// over channels (a channel owns its weight gradient and its input-gradient planes).
  static func backward(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                       _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?, _ g: ConvGeometry) {
    if g.stride == 1 {
      backwardStride1(x, wt, gy, dx, dw, g)
    } else {
      backwardStrided(x, wt, gy, dx, dw, g)
    }
  }

  /// Stride 1: dW with register accumulators over the padded input and a zero-padded copy of dy
  /// (by columns for `hasColumnKernels` sizes, else four taps at a time); dx as a forward-style
  /// correlation of a margin-padded dy with the flipped kernel.
  static func backwardStride1(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?, _ g: ConvGeometry) {
    let pd = Pad(g)
    let (kh, kw, d, c, h, w, ho, wo) = (g.kh, g.kw, g.dilation, g.cin, g.h, g.w, g.ho, g.wo)
    let taps = kh * kw, columns = hasColumnKernels(kh: kh, kw: kw, dilation: d), gradColumns = columns && ho >= kh
    // dy with margins: mr rows above/below, mc columns left/right, rows rounded to 16 columns.
    let mr = (kh - 1) * d, mc = (kw - 1) * d
    let w16 = (w + 15) / 16 * 16  // dx rows are produced 16 columns at a time
    let gRows = Swift.max(ho, h + g.padT) + 2 * mr + 1
    let gCols = Swift.max(pd.wo16, w16 + g.padL) + 2 * mc + 16
    Parallel.forRanges(c, grain: 1) { r in
      let p = allocatePadded(pd)
      let gz = UnsafeMutablePointer<Float>.allocate(capacity: gRows * gCols)
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 16)
      let dwAcc = UnsafeMutablePointer<Float>.allocate(capacity: taps)
      let pOffs = UnsafeMutablePointer<Int>.allocate(capacity: taps), gOffs = UnsafeMutablePointer<Int>.allocate(capacity: taps)
      defer { p.deallocate(); gz.deallocate(); scratch.deallocate(); dwAcc.deallocate(); pOffs.deallocate(); gOffs.deallocate() }
      let pOffsFlat = UnsafeMutablePointer<Int>.allocate(capacity: taps), flipped = UnsafeMutablePointer<Float>.allocate(capacity: taps)
      let acc8 = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: taps)
      defer { pOffsFlat.deallocate(); flipped.deallocate(); acc8.deallocate() }
      for t in 0..<taps {
        pOffs[t] = (t / kw) * d * pd.wp + (t % kw) * d       // tap offset in the padded input
        gOffs[t] = -((t / kw) * d * gCols + (t % kw) * d)    // flipped tap offset in padded dy
        pOffsFlat[t] = (t / kw) * d * gCols + (t % kw) * d   // tap offset in padded dy, from the top-left tap
      }
      gz.update(repeating: 0, count: gRows * gCols)
      for ch in r {
        let wk = wt + ch * taps
        for t in 0..<taps { flipped[t] = wk[taps - 1 - t] }
        acc8.update(repeating: SIMD8(), count: taps)
        dwAcc.update(repeating: 0, count: taps)
        for img in 0..<g.n {
          let t = img * c + ch
          // dy plane into the margin-padded scratch (margins and the columns past wo stay zero).
          for oh in 0..<ho { (gz + (oh + mr) * gCols + mc).update(from: gy + t * g.hwOut + oh * wo, count: wo) }
          if dw != nil && gradColumns {
            fillPadded(x + t * g.hwIn, p, g, pd)
            weightGradByColumns(p, xStride: pd.wp, gz + (mr * gCols + mc), dyStride: gCols, ho: ho, wo: wo,
                                           kh: kh, kw: kw, into: acc8)
          } else if dw != nil {
            fillPadded(x + t * g.hwIn, p, g, pd)
            // Four taps at a time share each dy load and give four independent FMA chains.
            var t0 = 0
            while t0 < taps {
              let m = Swift.min(4, taps - t0)
              let o0 = pOffs[t0], o1 = pOffs[t0 + Swift.min(1, m - 1)]
              let o2 = pOffs[t0 + Swift.min(2, m - 1)], o3 = pOffs[t0 + Swift.min(3, m - 1)]
              var a0 = SIMD16<Float>(repeating: 0), a1 = SIMD16<Float>(repeating: 0)
              var a2 = SIMD16<Float>(repeating: 0), a3 = SIMD16<Float>(repeating: 0)
              for oh in 0..<ho {
                let grow = gz + ((oh &+ mr) &* gCols &+ mc), prow = p + oh &* pd.wp
                var ow0 = 0
                // Lanes past wo read dy's zero columns, so partial chunks add nothing extra.
                while ow0 < wo {
                  let gv = load16(grow + ow0), pr = prow + ow0
                  a0.addProduct(gv, load16(pr + o0)); a1.addProduct(gv, load16(pr + o1))
                  a2.addProduct(gv, load16(pr + o2)); a3.addProduct(gv, load16(pr + o3))
                  ow0 &+= 16
                }
              }
              dwAcc[t0] += a0.sum()
              if m > 1 { dwAcc[t0 + 1] += a1.sum() }
              if m > 2 { dwAcc[t0 + 2] += a2.sum() }
              if m > 3 { dwAcc[t0 + 3] += a3.sum() }
              t0 += 4
            }
          }
          if let dx = dx {
            // dx[ih][iw] = sum_taps w[ki,kj] * dy[ih + padT - ki*d][iw + padL - kj*d]
            let plane = dx + t * g.hwIn
            if columns {
              // The same correlation with the kernel flipped (`flipped`), read from the top-left
              // of the taps, so the offsets are non-negative as `correlate4RowsByColumn` wants.
              correlateRows(gz + (g.padT * gCols + g.padL), srcStride: gCols, rows: h, pOffsFlat, flipped, taps: taps, bias: 0,
                            plane, outStride: w, w, scratch, columnKernel: (kh, kw))
            } else {
              correlateRows(gz + ((g.padT + mr) * gCols + g.padL + mc), srcStride: gCols, rows: h, gOffs, wk, taps: taps, bias: 0,
                            plane, outStride: w, w, scratch)
            }
          }
        }
        if let dw = dw {
          for tap in 0..<taps { dw[ch * taps + tap] += gradColumns ? acc8[tap].sum() : dwAcc[tap] }
        }
      }
    }
  }

  /// Any stride: scatter into a padded gradient plane (scalar loops).
  static func backwardStrided(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?, _ g: ConvGeometry) {
    let pd = Pad(g)
    let (kh, kw, s, d, c, ho, wo) = (g.kh, g.kw, g.stride, g.dilation, g.cin, g.ho, g.wo)
    let taps = kh * kw
    Parallel.forRanges(c, grain: 1) { r in
      let p = allocatePadded(pd)
      let dp = UnsafeMutablePointer<Float>.allocate(capacity: pd.size)
      let accS = UnsafeMutablePointer<Float>.allocate(capacity: taps)
      defer { p.deallocate(); dp.deallocate(); accS.deallocate() }
      for ch in r {
        accS.update(repeating: 0, count: taps)
        let wk = wt + ch * taps
        for img in 0..<g.n {
          let t = img * c + ch
          fillPadded(x + t * g.hwIn, p, g, pd)
          dp.update(repeating: 0, count: pd.size)
          for oh in 0..<ho {
            let grow = gy + t * g.hwOut + oh * wo
            let prow = p + oh * s * pd.wp, drow = dp + oh * s * pd.wp
            for ki in 0..<kh {
              for kj in 0..<kw {
                let tap = ki * kw + kj, wv = wk[tap], o = ki * d * pd.wp + kj * d
                var a: Float = 0
                for ow in 0..<wo { a += grow[ow] * prow[o + ow * s] }
                accS[tap] += a
                for ow in 0..<wo { drow[o + ow * s] += wv * grow[ow] }
              }
            }
          }
          if let dx = dx {
            let plane = dx + t * g.hwIn
            let rows = Swift.min(g.h, pd.hp - g.padT), cols = Swift.min(g.w, pd.wp - g.padL)
            if rows > 0 && cols > 0 {
              for ih in 0..<rows {
                let src = dp + (ih + g.padT) * pd.wp + g.padL, dst = plane + ih * g.w
                for j in 0..<cols { dst[j] += src[j] }
              }
            }
          }
        }
        if let dw = dw { for tap in 0..<taps { dw[ch * taps + tap] += accS[tap] } }
      }
    }
  }
}
