// MARK: - Max pooling

/// 2-D max pooling over NCHW `x` without padding. With `ceilMode` the output size rounds up
/// (`ceil((H - kernel) / stride) + 1`, the last window clipped at the border), as PyTorch's
/// `ceil_mode=True`; otherwise it rounds down. The gradient goes to the first maximum of a window.
///
/// ```swift
/// let y = try maxPool2d(x)   // [N, C, 7, 7] -> [N, C, 4, 4]
/// ```
public func maxPool2d(_ x: Tensor, kernel: Int = 2, stride: Int = 2, ceilMode: Bool = true) throws -> Tensor {
  guard x.rank == 4 else { throw TensorError.invalidShape(op: "maxPool2d", shape: x.shape, detail: "input must be [N, C, H, W]") }
  guard kernel >= 1, stride >= 1, kernel < 1 << 20, stride < 1 << 20 else {
    throw TensorError.invalidArgument(op: "maxPool2d", detail: "kernel \(kernel) and stride \(stride) must be >= 1")
  }
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  guard h >= kernel, w >= kernel else {
    throw TensorError.invalidShape(op: "maxPool2d", shape: x.shape, detail: "spatial size smaller than the \(kernel)x\(kernel) window")
  }
  func outSize(_ s: Int) -> Int {
    var o = ceilMode ? (s - kernel + stride - 1) / stride + 1 : (s - kernel) / stride + 1
    // PyTorch rule: the last window must start inside the input.
    if ceilMode && (o - 1) * stride >= s { o -= 1 }
    return o
  }
  let ho = outSize(h), wo = outSize(w)
  let planes = n * c, hw = h * w, hwo = ho * wo
  var out = [Float](repeating: 0, count: planes * hwo)
  var arg = [Int32](repeating: 0, count: planes * hwo)
  out.withUnsafeMutableBufferPointer { op in
    arg.withUnsafeMutableBufferPointer { ap in
      x.data.withUnsafeBufferPointer { xp in
        guard let o = op.baseAddress, let a = ap.baseAddress, let xb = xp.baseAddress else { return }
        Parallel.forRanges(planes, grain: 8) { r in
          for t in r {
            let src = xb + t * hw, dst = o + t * hwo, adst = a + t * hwo
            for oh in 0..<ho {
              let h0 = oh * stride, h1 = Swift.min(h0 + kernel, h)
              for ow in 0..<wo {
                let w0 = ow * stride, w1 = Swift.min(w0 + kernel, w)
                var best = src[h0 * w + w0], bi = h0 * w + w0
                for ih in h0..<h1 {
                  let row = ih * w
                  for iw in w0..<w1 where src[row + iw] > best { best = src[row + iw]; bi = row + iw }
                }
                dst[oh * wo + ow] = best
                adst[oh * wo + ow] = Int32(bi)
              }
            }
          }
        }
      }
    }
  }
  let count = x.count
  return Tensor.record(op: "maxPool2d", shape: [n, c, ho, wo], data: out, parents: [x]) { [weak x] g in
    guard let x = x, x.requiresGrad else { return }
    var d = [Float](repeating: 0, count: count)
    d.withUnsafeMutableBufferPointer { dp in
      g.withUnsafeBufferPointer { gp in
        arg.withUnsafeBufferPointer { ap in
          guard let db = dp.baseAddress, let gb = gp.baseAddress, let ab = ap.baseAddress else { return }
          Parallel.forRanges(planes, grain: 8) { r in
            for t in r {
              let dpl = db + t * hw
              for j in 0..<hwo { dpl[Int(ab[t * hwo + j])] += gb[t * hwo + j] }
            }
          }
        }
      }
    }
    x.accumulateGrad(d)
  }
}

// MARK: - Same-size pooling (stride 1)

/// The reduction of a same-size pooling window.
public enum PoolMode: String, Sendable {
  /// The window's maximum (the gradient goes to its first maximum).
  case max
  /// The mean of the window's in-bounds elements (PyTorch's `count_include_pad=False`).
  case avg
}

/// `kernel x kernel` max pooling over NCHW `x` with stride 1 and same-size padding
/// (`kernel / 2` on each side, `kernel` odd): the output has the input's shape. Padding never
/// wins a window (PyTorch pads max pooling with -inf); the gradient goes to the first maximum.
///
/// ```swift
/// let y = try maxPool2dSame(x, kernel: 3)   // [N, C, H, W] -> [N, C, H, W] (DARTS' max_pool_3x3)
/// ```
public func maxPool2dSame(_ x: Tensor, kernel: Int = 3) throws -> Tensor {
  try pool2dSame(x, mode: .max, kernel: kernel)
}

/// `kernel x kernel` average pooling over NCHW `x` with stride 1 and same-size padding
/// (`kernel / 2` on each side, `kernel` odd): each output is the mean of the window's in-bounds
/// elements (PyTorch's `count_include_pad=False`, DARTS' avg_pool_3x3).
///
/// ```swift
/// let y = try avgPool2dSame(x, kernel: 3)   // same shape as x; a corner averages 4 values
/// ```
public func avgPool2dSame(_ x: Tensor, kernel: Int = 3) throws -> Tensor {
  try pool2dSame(x, mode: .avg, kernel: kernel)
}

/// Same-size, stride-1 pooling of NCHW `x` with an odd `kernel` (see `maxPool2dSame`,
/// `avgPool2dSame`).
///
/// ```swift
/// let y = try pool2dSame(x, mode: .avg, kernel: 5)
/// ```
public func pool2dSame(_ x: Tensor, mode: PoolMode, kernel: Int) throws -> Tensor {
  let opName = mode == .max ? "maxPool2dSame" : "avgPool2dSame"
  guard x.rank == 4 else { throw TensorError.invalidShape(op: opName, shape: x.shape, detail: "input must be [N, C, H, W]") }
  guard kernel >= 1, kernel <= 255, kernel % 2 == 1 else {
    throw TensorError.invalidArgument(op: opName, detail: "kernel must be odd and in 1...255 (same-size padding), got \(kernel)")
  }
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let pad = kernel / 2
  let planes = n * c, hw = h * w
  guard hw < Int(Int32.max) else { throw TensorError.invalidShape(op: opName, shape: x.shape, detail: "a plane of more than 2^31 values") }
  let isMax = mode == .max
  var out = [Float](repeating: 0, count: planes * hw)
  // Max: the flat in-plane index of each window's first maximum (for the backward).
  var arg = [Int32](repeating: 0, count: isMax ? planes * hw : 0)
  out.withUnsafeMutableBufferPointer { op in
    arg.withUnsafeMutableBufferPointer { ap in
      x.data.withUnsafeBufferPointer { xp in
        guard let o = op.baseAddress, let xb = xp.baseAddress else { return }
        let a = isMax ? ap.baseAddress : nil
        Parallel.forRanges(planes, grain: 8) { r in
          for t in r {
            let src = xb + t * hw, dst = o + t * hw
            for oh in 0..<h {
              let h0 = Swift.max(oh - pad, 0), h1 = Swift.min(oh + pad + 1, h)
              for ow in 0..<w {
                let w0 = Swift.max(ow - pad, 0), w1 = Swift.min(ow + pad + 1, w)
                if let a = a {
                  var best = src[h0 * w + w0], bi = h0 * w + w0
                  for ih in h0..<h1 {
                    let row = ih * w
                    for iw in w0..<w1 where src[row + iw] > best { best = src[row + iw]; bi = row + iw }
                  }
                  dst[oh * w + ow] = best
                  a[t * hw + oh * w + ow] = Int32(bi)
                } else {
                  var s: Float = 0
                  for ih in h0..<h1 {
                    let row = ih * w
                    for iw in w0..<w1 { s += src[row + iw] }
                  }
                  dst[oh * w + ow] = s / Float((h1 - h0) * (w1 - w0))
                }
              }
            }
          }
        }
      }
    }
  }
  let count = x.count
  return Tensor.record(op: opName, shape: x.shape, data: out, parents: [x]) { [weak x] g in
    guard let x = x, x.requiresGrad else { return }
    var d = [Float](repeating: 0, count: count)
    d.withUnsafeMutableBufferPointer { dp in
      g.withUnsafeBufferPointer { gp in
        arg.withUnsafeBufferPointer { ap in
          guard let db = dp.baseAddress, let gb = gp.baseAddress else { return }
          let a = isMax ? ap.baseAddress : nil
          Parallel.forRanges(planes, grain: 8) { r in
            for t in r {
              let dpl = db + t * hw, gpl = gb + t * hw
              if let a = a {
                let apl = a + t * hw
                for j in 0..<hw { dpl[Int(apl[j])] += gpl[j] }
                continue
              }
              for oh in 0..<h {
                let h0 = Swift.max(oh - pad, 0), h1 = Swift.min(oh + pad + 1, h)
                for ow in 0..<w {
                  let w0 = Swift.max(ow - pad, 0), w1 = Swift.min(ow + pad + 1, w)
                  let share = gpl[oh * w + ow] / Float((h1 - h0) * (w1 - w0))
                  for ih in h0..<h1 {
                    let row = ih * w
                    for iw in w0..<w1 { dpl[row + iw] += share }
                  }
                }
              }
            }
          }
        }
      }
    }
    x.accumulateGrad(d)
  }
}

/// Global average pooling: `[N, C, H, W] -> [N, C]`.
public func globalAvgPool2d(_ x: Tensor) throws -> Tensor {
  guard x.rank == 4 else { throw TensorError.invalidShape(op: "globalAvgPool2d", shape: x.shape, detail: "input must be [N, C, H, W]") }
  return try x.reshaped([x.shape[0], x.shape[1], -1]).mean(axis: 2)
}
