// MARK: - Depthwise convolution (direct kernel)

/// Depthwise conv (`groups == Cin == Cout`): GEMM is a poor fit (K = kH*kW), so each plane is
/// copied once into a zero-padded scratch plane and the taps run without bounds checks. At
/// stride 1 the output row is processed in SIMD8 chunks whose accumulators stay in registers over
/// all taps; other strides use a scalar loop over the same padded plane.
enum Depthwise {
  /// Padded scratch geometry: rows/cols cover every tap of every output, plus 8 spare columns
  /// so SIMD8 loads/stores of a last partial chunk stay inside the buffer.
  struct Pad {
    let hp: Int, wp: Int, wo8: Int
    init(_ g: ConvGeometry) {
      hp = (g.ho - 1) * g.stride + (g.kh - 1) * g.dilation + 1
      wo8 = (g.wo + 7) / 8 * 8
      wp = Swift.max((g.wo - 1) * g.stride + (g.kw - 1) * g.dilation + 1, (wo8 - 1) * g.stride + (g.kw - 1) * g.dilation + 1) + 8
    }
    var size: Int { hp * wp }
  }

  /// Copies plane `src` (h x w) into the padded scratch `p` (zeros outside).
  @inline(__always)
  static func fillPadded(_ src: UnsafePointer<Float>, _ p: UnsafeMutablePointer<Float>, _ g: ConvGeometry, _ pd: Pad) {
    p.update(repeating: 0, count: pd.size)
    let r0 = Swift.max(0, g.padT), c0 = g.padL
    // Input row ih lands on padded row ih + padT; columns iw on iw + padL (clipped to the scratch).
    let rows = Swift.min(g.h, pd.hp - r0), cols = Swift.min(g.w, pd.wp - c0)
    guard rows > 0, cols > 0 else { return }
    for ih in 0..<rows { (p + (ih + r0) * pd.wp + c0).update(from: src + ih * g.w, count: cols) }
  }

  @inline(__always)
  static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  // MARK: Forward

  static func forward(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                      _ y: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let pd = Pad(g)
    let (kh, kw, s, d, c, ho, wo) = (g.kh, g.kw, g.stride, g.dilation, g.cin, g.ho, g.wo)
    let taps = kh * kw
    Parallel.forRanges(g.n * c, grain: 4) { r in
      let p = UnsafeMutablePointer<Float>.allocate(capacity: pd.size)
      let orow = UnsafeMutablePointer<Float>.allocate(capacity: pd.wo8)
      defer { p.deallocate(); orow.deallocate() }
      for t in r {
        let ch = t % c
        fillPadded(x + t * g.hwIn, p, g, pd)
        let wk = wt + ch * taps, bv = bias?[ch] ?? 0
        let dst = y + t * g.hwOut
        for oh in 0..<ho {
          let prow = p + oh * s * pd.wp
          if s == 1 {
            var ow0 = 0
            while ow0 < wo {
              var acc = SIMD8<Float>(repeating: bv)
              for ki in 0..<kh {
                let rowp = prow + ki * d * pd.wp + ow0
                for kj in 0..<kw { acc += SIMD8(repeating: wk[ki * kw + kj]) * load8(rowp + kj * d) }
              }
              store8(acc, orow + ow0)
              ow0 += 8
            }
          } else {
            orow.update(repeating: bv, count: wo)
            for ki in 0..<kh {
              for kj in 0..<kw {
                let wv = wk[ki * kw + kj], src = prow + ki * d * pd.wp + kj * d
                for ow in 0..<wo { orow[ow] += wv * src[ow * s] }
              }
            }
          }
          (dst + oh * wo).update(from: orow, count: wo)
        }
      }
    }
  }

  // MARK: Backward

  /// Gradients into `dx` (added) and `dw` (added); either may be nil. Parallel over channels
  /// (a channel owns its weight gradient and its input-gradient planes).
  static func backward(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                       _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?, _ g: ConvGeometry) {
    if g.stride == 1 {
      backwardStride1(x, wt, gy, dx, dw, g)
    } else {
      backwardStrided(x, wt, gy, dx, dw, g)
    }
  }

  /// Stride 1: dW as one register accumulator per tap over the padded input and a zero-padded
  /// copy of dy; dx as a forward-style correlation of a margin-padded dy with the flipped kernel.
  static func backwardStride1(_ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?, _ g: ConvGeometry) {
    let pd = Pad(g)
    let (kh, kw, d, c, h, w, ho, wo) = (g.kh, g.kw, g.dilation, g.cin, g.h, g.w, g.ho, g.wo)
    let taps = kh * kw
    // dy with margins: mr rows above/below, mc columns left/right (+8 spare for SIMD8 chunks).
    let mr = (kh - 1) * d, mc = (kw - 1) * d
    let w8 = (w + 7) / 8 * 8
    let gRows = Swift.max(ho, h + g.padT) + 2 * mr + 1
    let gCols = Swift.max(wo, w8 + g.padL) + 2 * mc + 8
    Parallel.forRanges(c, grain: 1) { r in
      let p = UnsafeMutablePointer<Float>.allocate(capacity: pd.size)
      let gz = UnsafeMutablePointer<Float>.allocate(capacity: gRows * gCols)
      let xrow = UnsafeMutablePointer<Float>.allocate(capacity: w8)
      defer { p.deallocate(); gz.deallocate(); xrow.deallocate() }
      gz.update(repeating: 0, count: gRows * gCols)
      for ch in r {
        let wk = wt + ch * taps
        var dwAcc = [Float](repeating: 0, count: taps)
        for img in 0..<g.n {
          let t = img * c + ch
          // dy plane into the margins-padded scratch (the margins stay zero).
          for oh in 0..<ho { (gz + (oh + mr) * gCols + mc).update(from: gy + t * g.hwOut + oh * wo, count: wo) }
          if dw != nil {
            fillPadded(x + t * g.hwIn, p, g, pd)
            for tap in 0..<taps {
              let ki = tap / kw, kj = tap - (tap / kw) * kw
              var acc = SIMD8<Float>(repeating: 0)
              for oh in 0..<ho {
                let grow = gz + (oh + mr) * gCols + mc, prow = p + (oh + ki * d) * pd.wp + kj * d
                var ow0 = 0
                // Lanes past wo read dy's zero margin, so the partial chunk adds nothing extra.
                while ow0 < wo {
                  acc += load8(grow + ow0) * load8(prow + ow0)
                  ow0 += 8
                }
              }
              dwAcc[tap] += acc.sum()
            }
          }
          if let dx = dx {
            // dx[ih][iw] = sum_taps w[ki,kj] * dy[ih + padT - ki*d][iw + padL - kj*d]
            let plane = dx + t * g.hwIn
            for ih in 0..<h {
              var iw0 = 0
              while iw0 < w {
                var acc = SIMD8<Float>(repeating: 0)
                for ki in 0..<kh {
                  let rowp = gz + (ih + g.padT - ki * d + mr) * gCols + (iw0 + g.padL + mc)
                  for kj in 0..<kw { acc += SIMD8(repeating: wk[ki * kw + kj]) * load8(rowp - kj * d) }
                }
                store8(acc, xrow + iw0)
                iw0 += 8
              }
              let dst = plane + ih * w
              for j in 0..<w { dst[j] += xrow[j] }
            }
          }
        }
        if let dw = dw { for tap in 0..<taps { dw[ch * taps + tap] += dwAcc[tap] } }
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
      let p = UnsafeMutablePointer<Float>.allocate(capacity: pd.size)
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
