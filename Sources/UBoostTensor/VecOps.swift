// MARK: - Vectorized reductions on raw pointers

/// Float reductions written with SIMD8 accumulators: Swift keeps IEEE order for a scalar
/// `s += x[i]` loop, which cannot vectorize; eight independent lanes can.
enum VecOps {
  /// Sum of `p[0..<n]`.
  @inline(__always)
  static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i + 8 <= n {
      acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      i += 8
    }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
  }

  /// Dot product of `a[0..<n]` and `b[0..<n]`.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    var i = 0
    while i + 8 <= n {
      acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
  }

  /// `(sum(g'), dot(g', x))` for `g'[i] = mask[i] > 0 ? g[i] : 0`: the same values, summed in
  /// the same order, as `sum` and `dot` of a stored `g'` (a fused ReLU's gradient).
  @inline(__always)
  static func maskedSumAndDot(_ g: UnsafePointer<Float>, where mask: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                              _ n: Int) -> (sum: Float, dot: Float) {
    var accS = SIMD8<Float>(repeating: 0), accD = SIMD8<Float>(repeating: 0)
    let zero = SIMD8<Float>(repeating: 0)
    let rg = UnsafeRawPointer(g), rm = UnsafeRawPointer(mask), rx = UnsafeRawPointer(x)
    var i = 0
    while i + 8 <= n {
      let gv = zero.replacing(with: rg.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                              where: rm.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) .> zero)
      accS += gv
      accD += gv * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      i += 8
    }
    var s = accS.sum(), d = accD.sum()
    while i < n {
      let gi: Float = mask[i] > 0 ? g[i] : 0
      s += gi; d += gi * x[i]
      i += 1
    }
    return (s, d)
  }

  /// Sum of `(p[i] - mu)^2`.
  @inline(__always)
  static func sumSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, _ mu: Float) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let m = SIMD8<Float>(repeating: mu)
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i + 8 <= n {
      let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - m
      acc += d * d
      i += 8
    }
    var s = acc.sum()
    while i < n { let d = p[i] - mu; s += d * d; i += 1 }
    return s
  }
}

// MARK: - Output buffers

/// A `[Float]` of `count` elements left uninitialized, for kernels that write every element
/// (saves the zero-fill pass over large outputs and gradients).
@inline(__always)
func uninitializedFloats(_ count: Int) -> [Float] {
  [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
}

/// `count` zeros; large arrays are cleared on all engine threads (`clearOnAllThreads`).
func zeroedFloats(_ count: Int) -> [Float] {
  guard count > 1 << 16 else { return [Float](repeating: 0, count: count) }
  return [Float](unsafeUninitializedCapacity: count) { buf, n in
    guard let b = buf.baseAddress else { return }
    clearOnAllThreads([b], counts: [count])
    n = count
  }
}

/// Sets `counts[j]` floats at `ptrs[j]` to zero for every j, in pieces of 64k floats spread
/// over the engine threads (a late stage's weight gradients are millions of floats; one thread
/// clearing them was 14 ms of serial time in a 2-thread channel-search step).
func clearOnAllThreads(_ ptrs: [UnsafeMutablePointer<Float>], counts: [Int]) {
  Parallel.forPieces(counts: counts, piece: 1 << 16) { _, j, r in
    (ptrs[j] + r.lowerBound).initialize(repeating: 0, count: r.count)
  }
}
