// MARK: - Channel mask

/// Multiplies NCHW `x` by a per-channel `mask [C]` (channel search); gradients flow to both.
///
/// ```swift
/// let y = try channelMask(x, effectiveMask)   // mask = sum_j g_j * m_j
/// ```
public func channelMask(_ x: Tensor, _ mask: Tensor) throws -> Tensor {
  guard x.rank == 4 else { throw TensorError.invalidShape(op: "channelMask", shape: x.shape, detail: "input must be [N, C, H, W]") }
  let (n, c) = (x.shape[0], x.shape[1]), hw = x.shape[2] * x.shape[3]
  guard mask.shape == [c] else {
    throw TensorError.shapeMismatch(op: "channelMask", shapes: [x.shape, mask.shape], detail: "mask must be [C] = [\(c)]")
  }
  let xd = x.data, md = mask.data
  var out = uninitializedFloats(xd.count)  // every plane written below
  out.withUnsafeMutableBufferPointer { op in
    xd.withUnsafeBufferPointer { xp in
      guard let o = op.baseAddress, let xb = xp.baseAddress else { return }
      Parallel.forRanges(n * c, grain: 16) { r in
        for t in r {
          let m = md[t % c], src = xb + t * hw, dst = o + t * hw
          for j in 0..<hw { dst[j] = src[j] * m }
        }
      }
    }
  }
  return Tensor.record(op: "channelMask", shape: x.shape, data: out, parents: [x, mask]) { [weak x, weak mask] g in
    if let x = x, x.requiresGrad {
      var d = uninitializedFloats(xd.count)  // every plane written below
      d.withUnsafeMutableBufferPointer { dp in
        g.withUnsafeBufferPointer { gp in
          guard let db = dp.baseAddress, let gb = gp.baseAddress else { return }
          Parallel.forRanges(n * c, grain: 16) { r in
            for t in r {
              let m = md[t % c], src = gb + t * hw, dst = db + t * hw
              for j in 0..<hw { dst[j] = src[j] * m }
            }
          }
        }
      }
      x.accumulateGrad(d)
    }
    if let mk = mask, mk.requiresGrad {
      var dm = [Float](repeating: 0, count: c)
      g.withUnsafeBufferPointer { gp in
        xd.withUnsafeBufferPointer { xp in
          guard let gb = gp.baseAddress, let xb = xp.baseAddress else { return }
          for t in 0..<(n * c) { dm[t % c] += VecOps.dot(gb + t * hw, xb + t * hw, hw) }
        }
      }
      mk.accumulateGrad(dm)
    }
  }
}
