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

/// Global average pooling: `[N, C, H, W] -> [N, C]`.
public func globalAvgPool2d(_ x: Tensor) throws -> Tensor {
  guard x.rank == 4 else { throw TensorError.invalidShape(op: "globalAvgPool2d", shape: x.shape, detail: "input must be [N, C, H, W]") }
  return try x.reshaped([x.shape[0], x.shape[1], -1]).mean(axis: 2)
}
