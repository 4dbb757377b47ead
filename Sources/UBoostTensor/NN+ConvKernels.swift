// MARK: - Convolution geometry

/// Padding of a convolution.
///
/// - `same`: output size `ceil(H / stride)`; top/left padding `dilation * (k - 1) / 2` (PyTorch's
///   `padding = dilation * (k // 2)` convention for odd kernels, which at stride 1 is PyTorch's
///   `padding="same"`); the bottom/right padding is whatever the output size needs.
/// - `valid`: no padding.
/// - `explicit(p)`: `p` zeros on every side.
public enum Padding: Equatable, Sendable {
  case same, valid, explicit(Int)
}

/// Sizes of one conv2d call, checked once; kernels use them without further checks.
package struct ConvGeometry {
  package let n, cin, h, w, cout, kh, kw, stride, dilation, groups, padT, padL, ho, wo: Int
  var cinG: Int { cin / groups }
  var coutG: Int { cout / groups }
  package var kSize: Int { cinG * kh * kw }
  package var hwIn: Int { h * w }
  package var hwOut: Int { ho * wo }
  /// One input channel per group and one output per input: the direct depthwise kernel applies.
  var isDepthwise: Bool { groups > 1 && groups == cin && cout == cin }
  /// A 1x1, stride-1, unpadded, ungrouped conv is a plain GEMM per image.
  var isPointwise: Bool { kh == 1 && kw == 1 && stride == 1 && padT == 0 && padL == 0 && groups == 1 }

  package init(x: [Int], w wShape: [Int], stride: Int, padding: Padding, dilation: Int, groups: Int) throws {
    let op = "conv2d"
    guard x.count == 4 else { throw TensorError.invalidShape(op: op, shape: x, detail: "input must be [N, C, H, W]") }
    guard wShape.count == 4 else { throw TensorError.invalidShape(op: op, shape: wShape, detail: "weight must be [Cout, Cin/groups, kH, kW]") }
    guard stride >= 1 else { throw TensorError.invalidArgument(op: op, detail: "stride must be >= 1, got \(stride)") }
    guard dilation >= 1 else { throw TensorError.invalidArgument(op: op, detail: "dilation must be >= 1, got \(dilation)") }
    guard groups >= 1 else { throw TensorError.invalidArgument(op: op, detail: "groups must be >= 1, got \(groups)") }
    (n, cin, h, w) = (x[0], x[1], x[2], x[3])
    (cout, kh, kw) = (wShape[0], wShape[2], wShape[3])
    (self.stride, self.dilation, self.groups) = (stride, dilation, groups)
    guard cin % groups == 0, cout % groups == 0 else {
      throw TensorError.shapeMismatch(op: op, shapes: [x, wShape], detail: "channels \(cin) -> \(cout) not divisible by groups \(groups)")
    }
    guard wShape[1] == cin / groups else {
      throw TensorError.shapeMismatch(op: op, shapes: [x, wShape], detail: "weight dim 1 must be Cin/groups = \(cin / groups)")
    }
    guard kh >= 1, kw >= 1, cin >= 1, cout >= 1, h >= 1, w >= 1 else {
      throw TensorError.shapeMismatch(op: op, shapes: [x, wShape], detail: "empty input or kernel")
    }
    let (ekh, o1) = (kh - 1).multipliedReportingOverflow(by: dilation)
    let (ekw, o2) = (kw - 1).multipliedReportingOverflow(by: dilation)
    guard !o1, !o2, ekh < 1 << 20, ekw < 1 << 20, stride < 1 << 20 else {
      throw TensorError.invalidArgument(op: op, detail: "kernel extent or stride too large")
    }
    switch padding {
    case .same:
      padT = ekh / 2; padL = ekw / 2
      ho = (h + stride - 1) / stride; wo = (w + stride - 1) / stride
    case .valid:
      padT = 0; padL = 0
      ho = h > ekh ? (h - ekh - 1) / stride + 1 : 0
      wo = w > ekw ? (w - ekw - 1) / stride + 1 : 0
    case .explicit(let p):
      guard p >= 0, p < 1 << 20 else { throw TensorError.invalidArgument(op: op, detail: "padding must be in 0..<2^20, got \(p)") }
      padT = p; padL = p
      ho = h + 2 * p > ekh ? (h + 2 * p - ekh - 1) / stride + 1 : 0
      wo = w + 2 * p > ekw ? (w + 2 * p - ekw - 1) / stride + 1 : 0
    }
    guard ho >= 1, wo >= 1 else {
      throw TensorError.shapeMismatch(op: op, shapes: [x, wShape], detail: "kernel (dilated extent \(ekh + 1)x\(ekw + 1)) larger than the padded input")
    }
    _ = try Shape.count([n, cout, ho, wo], op: op)
    _ = try Shape.count([kh * kw * cin, ho, wo], op: op)
  }
}

// MARK: - im2col / col2im over a batch chunk

/// Kernels on raw pointers. `col` is `[kSize, nb * hwOut]`: row `(c, ki, kj)` of group channel
/// `c`, columns image-major. Every pointer offset used is inside the buffers (ranges precomputed).
enum ConvKernels {
  /// Fills `col` from images `n0..<n0+nb`, channels `c0..<c0+cinG` of `x`.
  ///
  /// Each (channel, image) plane is first copied into a zero-padded scratch plane, so every
  /// (tap, output row) is a bounds-free copy (SIMD8 at stride 1) with no per-row clipping.
  static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, c0: Int, n0: Int, nb: Int,
                     _ col: UnsafeMutablePointer<Float>) {
    let (kh, kw, s, d) = (g.kh, g.kw, g.stride, g.dilation)
    let cols = nb * g.hwOut, (ho, wo) = (g.ho, g.wo)
    let pd = Depthwise.Pad(g)
    Parallel.forRanges(g.cinG * nb, grain: 2) { r in
      let p = Depthwise.allocatePadded(pd)
      defer { p.deallocate() }
      for t in r {
        let c = t / nb, img = t - (t / nb) * nb
        Depthwise.fillPadded(x + ((n0 + img) * g.cin + c0 + c) * g.hwIn, p, g, pd)
        for ki in 0..<kh {
          for kj in 0..<kw {
            let row = (c * kh + ki) * kw + kj
            let dst = col + row * cols + img * g.hwOut
            for oh in 0..<ho {
              let src = p + (oh * s + ki * d) * pd.wp + kj * d, drow = dst + oh * wo
              if s == 1 { copyRow(src, drow, wo) } else { for j in 0..<wo { drow[j] = src[j * s] } }
            }
          }
        }
      }
    }
  }

  /// Folds `col` (layout as in `im2col`) back into `dx`: per (channel, image) plane, the taps are
  /// summed into a zero-padded scratch plane whose interior is then stored into `dx` (planes
  /// the interior does not cover are zeroed). Each plane is written exactly once and planes
  /// are disjoint, so `dx` may start uninitialized and the parallel loop has no write conflicts.
  static func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, c0: Int, n0: Int, nb: Int,
                     _ dx: UnsafeMutablePointer<Float>) {
    let (kh, kw, s, d) = (g.kh, g.kw, g.stride, g.dilation)
    let cols = nb * g.hwOut, (h, w, ho, wo) = (g.h, g.w, g.ho, g.wo)
    let pd = Depthwise.Pad(g)
    Parallel.forRanges(g.cinG * nb, grain: 2) { r in
      let p = UnsafeMutablePointer<Float>.allocate(capacity: pd.size)
      defer { p.deallocate() }
      for t in r {
        let c = t / nb, img = t - (t / nb) * nb
        p.update(repeating: 0, count: pd.size)
        for ki in 0..<kh {
          for kj in 0..<kw {
            let row = (c * kh + ki) * kw + kj
            let src = col + row * cols + img * g.hwOut
            for oh in 0..<ho {
              let drow = p + (oh * s + ki * d) * pd.wp + kj * d, srow = src + oh * wo
              if s == 1 { addRow(srow, drow, wo) } else { for j in 0..<wo { drow[j * s] += srow[j] } }
            }
          }
        }
        let plane = dx + ((n0 + img) * g.cin + c0 + c) * g.hwIn
        let rows = Swift.min(h, pd.hp - g.padT), cw = Swift.min(w, pd.wp - g.padL)
        if rows < h || cw < w { plane.update(repeating: 0, count: g.hwIn) }
        if rows > 0 && cw > 0 {
          for ih in 0..<rows { copyRow(p + (ih + g.padT) * pd.wp + g.padL, plane + ih * w, cw) }
        }
      }
    }
  }

  /// dst[0..<n] = src[0..<n] with SIMD8 moves (short rows: avoids a memmove call per row).
  @inline(__always)
  static func copyRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    var j = 0
    while j + 8 <= n {
      UnsafeMutableRawPointer(dst + j).storeBytes(of: UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
      j += 8
    }
    while j < n { dst[j] = src[j]; j += 1 }
  }

  /// dst[0..<n] += src[0..<n] with SIMD8 arithmetic.
  @inline(__always)
  static func addRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    var j = 0
    while j + 8 <= n {
      let v = UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self)
        + UnsafeRawPointer(dst + j).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(dst + j).storeBytes(of: v, as: SIMD8<Float>.self)
      j += 8
    }
    while j < n { dst[j] += src[j]; j += 1 }
  }

  /// Copies rows `[img, c0+co, :]` of an NCHW output-shaped buffer into `[coutG, nb*hwOut]`
  /// (`toBlock == true`) or back (`false`, adding `bias` when given).
  static func shuffle(_ nchw: UnsafeMutablePointer<Float>, _ block: UnsafeMutablePointer<Float>, _ g: ConvGeometry,
                      c0: Int, n0: Int, nb: Int, toBlock: Bool, bias: UnsafePointer<Float>?) {
    let hwo = g.hwOut, cols = nb * hwo
    Parallel.forRanges(g.coutG * nb, grain: 16) { r in
      for t in r {
        let co = t / nb, img = t - (t / nb) * nb
        let a = nchw + ((n0 + img) * g.cout + c0 + co) * hwo
        let b = block + co * cols + img * hwo
        if toBlock {
          copyRow(a, b, hwo)
        } else if let bias = bias {
          let bv = bias[c0 + co]
          for j in 0..<hwo { a[j] = b[j] + bv }
        } else {
          copyRow(b, a, hwo)
        }
      }
    }
  }
}
