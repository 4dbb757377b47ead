import UBoostTensor

// MARK: - Fused ops recorded on the tape
//
// Small custom ops the supernet needs many times per step. Each is one tape entry with an
// analytic backward instead of a chain of generic elementwise ops (fewer full-tensor passes).

enum FusedOps {
  /// out = sum_k g[k] * ys[k] over the non-nil `ys` (all of one shape); nil entries (zero ops)
  /// contribute nothing and get no gradient. `g` is a 1-D tensor with `ys.count` entries.
  static func weightedSum(_ ys: [Tensor?], weights g: Tensor) throws -> Tensor {
    guard g.count == ys.count else {
      throw NASError.badInput("weightedSum: \(ys.count) inputs but \(g.count) weights")
    }
    guard let first = ys.compactMap({ $0 }).first else {
      throw NASError.badInput("weightedSum: every input is zero")
    }
    let shape = first.shape, n = first.count
    for y in ys.compactMap({ $0 }) where y.shape != shape {
      throw NASError.badInput("weightedSum: shapes \(shape) and \(y.shape) differ")
    }
    let gv = g.data
    let live = ys.compactMap { $0 }
    let liveData = live.map(\.data)
    let liveW = ys.indices.compactMap { ys[$0] == nil ? nil : gv[$0] }
    // One pass over cache-sized blocks (the first input stores, the others add), parallel over
    // blocks; the per-element order of the adds is the same as input order.
    let block = 1 << 14, blocks = (n + block - 1) / block
    let out = [Float](unsafeUninitializedCapacity: n) { o, count in
      count = n
      guard let ob = o.baseAddress else { return }
      withBasePointers(liveData) { srcs in
        Parallel.forRanges(blocks) { r in
          let lo = r.lowerBound * block, hi = Swift.min(n, r.upperBound * block)
          for b in stride(from: lo, to: hi, by: block) {
            let e = Swift.min(hi, b + block)
            for (k, src) in srcs.enumerated() {
              let w = liveW[k]
              if k == 0 { for i in b..<e { ob[i] = w * src[i] } } else { for i in b..<e { ob[i] += w * src[i] } }
            }
          }
        }
      }
    }
    let ysCaptured = ys
    return Tensor.record(op: "weightedSum", shape: shape, data: out, parents: live + [g]) { gradOut in
      var dg = [Float](repeating: 0, count: gv.count)
      for (k, y) in ysCaptured.enumerated() {
        guard let y = y else { continue }
        let w = gv[k]
        if y.requiresGrad {
          let dy = [Float](unsafeUninitializedCapacity: n) { d, count in
            count = n
            gradOut.withUnsafeBufferPointer { go in
              guard let db = d.baseAddress, let gb = go.baseAddress else { return }
              Parallel.forRanges(n, grain: block) { r in for i in r { db[i] = w * gb[i] } }
            }
          }
          y.accumulateGrad(dy)
        }
        if g.requiresGrad {
          // Fixed blocks (independent of the thread count), summed in order.
          var partial = [Float](repeating: 0, count: blocks)
          partial.withUnsafeMutableBufferPointer { pp in
            y.data.withUnsafeBufferPointer { src in
              gradOut.withUnsafeBufferPointer { go in
                guard let pb = pp.baseAddress, let sb = src.baseAddress, let gb = go.baseAddress else { return }
                Parallel.forRanges(blocks) { r in
                  for bi in r {
                    var acc: Float = 0
                    for i in (bi * block)..<Swift.min(n, (bi + 1) * block) { acc += gb[i] * sb[i] }
                    pb[bi] = acc
                  }
                }
              }
            }
          }
          var s: Float = 0
          for v in partial { s += v }
          dg[k] = s
        }
      }
      g.accumulateGrad(dg)
    }
  }

  /// Calls `body` with the base addresses of `arrays` (all kept alive for the call).
  static func withBasePointers<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
    func go(_ i: Int, _ acc: [UnsafePointer<Float>]) -> R {
      if i == arrays.count { return body(acc) }
      return arrays[i].withUnsafeBufferPointer { p in
        guard let b = p.baseAddress else { return go(i + 1, acc) }
        return go(i + 1, acc + [b])
      }
    }
    return go(0, [])
  }

  /// Sum of 0-d tensors (one tape entry).
  static func scalarSum(_ xs: [Tensor]) -> Tensor {
    var s: Float = 0
    for x in xs { s += x.data.first ?? 0 }
    return Tensor.record(op: "scalarSum", shape: [], data: [s], parents: xs) { g in
      for x in xs { x.accumulateGrad([g[0]]) }
    }
  }

  /// Mean of 0-d tensors (0 for an empty list).
  static func scalarMean(_ xs: [Tensor]) -> Tensor {
    guard !xs.isEmpty else { return Tensor(scalar: 0) }
    let inv = 1 / Float(xs.count)
    var s: Float = 0
    for x in xs { s += x.data.first ?? 0 }
    return Tensor.record(op: "scalarMean", shape: [], data: [s * inv], parents: xs) { g in
      for x in xs { x.accumulateGrad([g[0] * inv]) }
    }
  }

  /// Dot product of a 1-D tensor with constants: sum_j g[j] * c[j] (the soft channel count).
  static func dotConstant(_ g: Tensor, _ c: [Float]) -> Tensor {
    var s: Float = 0
    for j in 0..<min(g.count, c.count) { s += g.data[j] * c[j] }
    return Tensor.record(op: "softWidth", shape: [], data: [s], parents: [g]) { go in
      g.accumulateGrad(c.map { $0 * go[0] })
    }
  }

  /// The DMasking channel mask: mask[c] = sum_{j : widths[j] > c} g[j], for c in 0..<channels.
  static func channelMaskVector(_ g: Tensor, widths: [Int], channels: Int) -> Tensor {
    var mask = [Float](repeating: 0, count: channels)
    // Each g_j switches on channels 0..<widths[j]: add g_j there (widths are small, <= a few hundred).
    for (j, w) in widths.enumerated() {
      let gj = g.data[j]
      for c in 0..<min(w, channels) { mask[c] += gj }
    }
    return Tensor.record(op: "channelMaskVector", shape: [channels], data: mask, parents: [g]) { go in
      var dg = [Float](repeating: 0, count: widths.count)
      var prefix = [Float](repeating: 0, count: channels + 1)
      for c in 0..<channels { prefix[c + 1] = prefix[c] + go[c] }
      for (j, w) in widths.enumerated() { dg[j] = prefix[min(w, channels)] }
      g.accumulateGrad(dg)
    }
  }

  /// Gumbel-weighted cost of a mixed edge. `lats`/`utils` are nil for ops without a cost
  /// (identity, zero). Latency: reference = sum g_k t_k / sum_{costed} g_k; standard =
  /// sum g_k t_k. Utilization: sum g_k u_k / sum_{costed} g_k in both modes.
  static func mixCost(_ g: Tensor, lats: [Tensor?], utils: [Tensor?], normalizeLatency: Bool) -> (Tensor, Tensor)? {
    let costed = lats.indices.filter { lats[$0] != nil && utils[$0] != nil }
    guard !costed.isEmpty else { return nil }
    let gv = g.data
    var S: Float = 0, T: Float = 0, U: Float = 0
    for k in costed {
      S += gv[k]; T += gv[k] * (lats[k]?.data[0] ?? 0); U += gv[k] * (utils[k]?.data[0] ?? 0)
    }
    let s = max(S, 1e-30)
    let lat = normalizeLatency ? T / s : T
    let util = U / s
    let latParents = costed.compactMap { lats[$0] }, utilParents = costed.compactMap { utils[$0] }
    let latT = Tensor.record(op: "edgeLatency", shape: [], data: [lat], parents: [g] + latParents) { go in
      var dg = [Float](repeating: 0, count: gv.count)
      for k in costed {
        let t = lats[k]?.data[0] ?? 0
        if normalizeLatency {
          dg[k] = go[0] * (t - lat) / s
          lats[k]?.accumulateGrad([go[0] * gv[k] / s])
        } else {
          dg[k] = go[0] * t
          lats[k]?.accumulateGrad([go[0] * gv[k]])
        }
      }
      g.accumulateGrad(dg)
    }
    let utilT = Tensor.record(op: "edgeUtil", shape: [], data: [util], parents: [g] + utilParents) { go in
      var dg = [Float](repeating: 0, count: gv.count)
      for k in costed {
        let u = utils[k]?.data[0] ?? 0
        dg[k] = go[0] * (u - util) / s
        utils[k]?.accumulateGrad([go[0] * gv[k] / s])
      }
      g.accumulateGrad(dg)
    }
    return (latT, utilT)
  }

  /// ShuffleNet's channel shuffle of x [N, C, H, W] in `groups` groups: channel `g * (C/G) + j`
  /// moves to `j * G + g` (PC-DARTS interleaves the mixed and the bypassed channels this way).
  static func channelShuffle(_ x: Tensor, groups: Int) throws -> Tensor {
    guard groups > 1, x.rank == 4, x.shape[1] % groups == 0 else { return x }
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
    return try x.reshaped([n, groups, c / groups, h * w]).permuted([0, 2, 1, 3]).reshaped([n, c, h, w])
  }
}
