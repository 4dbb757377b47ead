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
struct ConvGeometry {
  let n, cin, h, w, cout, kh, kw, stride, dilation, groups, padT, padL, ho, wo: Int
  var cinG: Int { cin / groups }
  var coutG: Int { cout / groups }
  var kSize: Int { cinG * kh * kw }
  var hwIn: Int { h * w }
  var hwOut: Int { ho * wo }
  /// One input channel per group and one output per input: the direct depthwise kernel applies.
  var isDepthwise: Bool { groups > 1 && groups == cin && cout == cin }
  /// A 1x1, stride-1, unpadded, ungrouped conv is a plain GEMM per image.
  var isPointwise: Bool { kh == 1 && kw == 1 && stride == 1 && padT == 0 && padL == 0 && groups == 1 }

  init(x: [Int], w wShape: [Int], stride: Int, padding: Padding, dilation: Int, groups: Int) throws {
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

  /// Output columns `lo..<hi` whose input column `ow*stride + off` lies inside `0..<w`.
  @inline(__always)
  func colRange(off: Int) -> (Int, Int) {
    let lo = off >= 0 ? 0 : (-off + stride - 1) / stride
    let hi = w - 1 - off >= 0 ? Swift.min(wo, (w - 1 - off) / stride + 1) : 0
    return (Swift.min(lo, wo), Swift.max(hi, Swift.min(lo, wo)))
  }
}

// MARK: - im2col / col2im over a batch chunk

/// Kernels on raw pointers. `col` is `[kSize, nb * hwOut]`: row `(c, ki, kj)` of group channel
/// `c`, columns image-major. Every pointer offset used is inside the buffers (ranges precomputed).
enum ConvKernels {
  /// Fills `col` from images `n0..<n0+nb`, channels `c0..<c0+cinG` of `x`.
  static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, c0: Int, n0: Int, nb: Int,
                     _ col: UnsafeMutablePointer<Float>) {
    let (kh, kw, s, d) = (g.kh, g.kw, g.stride, g.dilation)
    let cols = nb * g.hwOut, hw = g.hwIn, (h, w, ho, wo) = (g.h, g.w, g.ho, g.wo)
    let rows = g.kSize
    Parallel.forRanges(rows * nb, grain: 8) { r in
      for t in r {
        let row = t / nb, img = t - (t / nb) * nb
        let c = row / (kh * kw), ki = (row / kw) % kh, kj = row % kw
        let src = x + ((n0 + img) * g.cin + c0 + c) * hw
        let dst = col + row * cols + img * g.hwOut
        let offW = kj * d - g.padL
        let (lo, hi) = g.colRange(off: offW)
        for oh in 0..<ho {
          let ih = oh * s - g.padT + ki * d
          let drow = dst + oh * wo
          if ih < 0 || ih >= h {
            drow.update(repeating: 0, count: wo)
            continue
          }
          if lo > 0 { drow.update(repeating: 0, count: lo) }
          if hi > lo {
            let srow = src + (ih * w + lo * s + offW)
            let dseg = drow + lo
            if s == 1 {
              dseg.update(from: srow, count: hi - lo)
            } else {
              for j in 0..<(hi - lo) { dseg[j] = srow[j * s] }
            }
          }
          if hi < wo { (drow + hi).update(repeating: 0, count: wo - hi) }
        }
      }
    }
  }

  /// Adds `col` (layout as in `im2col`) back into `dx` (parallel over (channel, image) planes,
  /// so no two threads write the same plane).
  static func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, c0: Int, n0: Int, nb: Int,
                     _ dx: UnsafeMutablePointer<Float>) {
    let (kh, kw, s, d) = (g.kh, g.kw, g.stride, g.dilation)
    let cols = nb * g.hwOut, hw = g.hwIn, (h, w, ho, wo) = (g.h, g.w, g.ho, g.wo)
    Parallel.forRanges(g.cinG * nb, grain: 2) { r in
      for t in r {
        let c = t / nb, img = t - (t / nb) * nb
        let plane = dx + ((n0 + img) * g.cin + c0 + c) * hw
        for ki in 0..<kh {
          for kj in 0..<kw {
            let row = (c * kh + ki) * kw + kj
            let src = col + row * cols + img * g.hwOut
            let offW = kj * d - g.padL
            let (lo, hi) = g.colRange(off: offW)
            guard hi > lo else { continue }
            for oh in 0..<ho {
              let ih = oh * s - g.padT + ki * d
              if ih < 0 || ih >= h { continue }
              let drow = plane + (ih * w + lo * s + offW)
              let srow = src + oh * wo + lo
              if s == 1 {
                for j in 0..<(hi - lo) { drow[j] += srow[j] }
              } else {
                for j in 0..<(hi - lo) { drow[j * s] += srow[j] }
              }
            }
          }
        }
      }
    }
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
          b.update(from: a, count: hwo)
        } else if let bias = bias {
          let bv = bias[c0 + co]
          for j in 0..<hwo { a[j] = b[j] + bv }
        } else {
          a.update(from: b, count: hwo)
        }
      }
    }
  }
}
