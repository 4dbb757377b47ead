// MARK: - Channel mask

/// `src` viewed as `planes` planes of `planeSize` values, plane `t` multiplied by
/// `scale[t % scale.count]` (the channel of an NCHW plane). Forward and backward of `channelMask`.
private func scalePlanes(_ src: [Float], by scale: [Float], planes: Int, planeSize hw: Int) -> [Float] {
  let c = scale.count
  var out = uninitializedFloats(src.count)  // every plane written below
  out.withUnsafeMutableBufferPointer { op in
    src.withUnsafeBufferPointer { sp in
      guard let o = op.baseAddress, let sb = sp.baseAddress, c > 0 else { return }
      Parallel.forRanges(planes, grain: 16) { r in
        for t in r {
          let m = scale[t % c], from = sb + t * hw, to = o + t * hw
          for j in 0..<hw { to[j] = from[j] * m }
        }
      }
    }
  }
  return out
}

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
  let out = scalePlanes(xd, by: md, planes: n * c, planeSize: hw)
  return Tensor.record(op: "channelMask", shape: x.shape, data: out, parents: [x, mask]) { [weak x, weak mask] g in
    if let x = x, x.requiresGrad {
      x.accumulateGrad(scalePlanes(g, by: md, planes: n * c, planeSize: hw))
    }
    if let mk = mask, mk.requiresGrad {
      var dm = [Float](repeating: 0, count: c)
      dm.withUnsafeMutableBufferPointer { dp in
        g.withUnsafeBufferPointer { gp in
          xd.withUnsafeBufferPointer { xp in
            guard let db = dp.baseAddress, let gb = gp.baseAddress, let xb = xp.baseAddress else { return }
            // Parallel over channels; each adds its planes in image order (as the serial loop did).
            Parallel.forRanges(c, grain: Swift.max(1, (1 << 14) / Swift.max(n * hw, 1))) { r in
              for ch in r {
                var s: Float = 0
                for img in 0..<n { let t = img * c + ch; s += VecOps.dot(gb + t * hw, xb + t * hw, hw) }
                db[ch] = s
              }
            }
          }
        }
      }
      mk.accumulateGrad(dm)
    }
  }
}
