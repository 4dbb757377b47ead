import Foundation

// MARK: - Winograd convolution F(m x m, r x r)

/// Winograd's minimal filtering for stride-1 convolutions with 3x3 and 5x5 kernels (any
/// dilation, any padding): the output is cut into m x m tiles, each read from an
/// `alpha x alpha` input tile (`alpha = m + r - 1`), and
///
///     Y_tile = A^T [ (G g G^T) ⊙ (B^T d B) ] A
///
/// so a tile costs `alpha^2` multiplies per (input, output) channel pair instead of `m^2 r^2`:
/// F(4x4, 3x3) needs 36 instead of 144 (4x fewer), F(2x2, 5x5) 36 instead of 100 (2.8x). The
/// channel sums become `alpha^2` independent GEMMs `M_p = U_p V_p` (`U_p`: the transformed weights
/// `[Cout, Cin]`, `V_p`: the transformed input tiles `[Cin, tiles]`), so the heavy work stays in
/// SGEMM. A dilated conv is `d^2` undilated convs on the input's phase sub-grids, so dilation 2
/// costs nothing extra.
///
/// Backward is the transpose of the same algorithm (no flipped kernel): with
/// `dŶ = A dY A^T` per tile, `dW = G^T (Σ_tiles dŶ ⊙ V) G` (`alpha^2` GEMMs `dŶ_p V_p^T`) and
/// `dX = overlap-add of B (U ⊙ dŶ) B^T` (`alpha^2` GEMMs `U_p^T dŶ_p`).
///
/// The transform matrices are built in Double by Toom-Cook at the points 0, ±1, ±2, ∞ (as in
/// Lavin & Gray 2016 and cuDNN/oneDNN's F(4,3)); the float error grows with m, which is why m
/// stays at 4 for 3x3 and 2 for 5x5 (tests bound it against a Double direct loop).
///
/// Chunks of whole images are processed one after another (their size depends on the layer,
/// not the thread count) and each of the parallel passes splits work the same way at any thread
/// count, so results do not depend on the number of threads.
///
/// ```swift
/// // conv2d picks it by itself for stride-1 3x3/5x5 convs with enough channels:
/// let y = try conv2d(x, w, padding: .same, dilation: 2)   // 5x5, dilation 2: F(2x2, 5x5) per phase
/// ```
enum Winograd {
  /// `UBOOST_WINOGRAD=0` turns the algorithm off (im2col + SGEMM for every conv), for A/B timing.
  static let enabled: Bool = ProcessInfo.processInfo.environment["UBOOST_WINOGRAD"] != "0"

  /// The transforms of one F(m, r).
  final class Kernel: @unchecked Sendable {
    let m: Int, r: Int, alpha: Int
    /// Separable passes `out[a][b] = Σ L[a][u] L[b][v] in[u][v]`, one matrix per use.
    let input: Sparse, output: Sparse, weight: Sparse, gradOutput: Sparse, gradWeight: Sparse, gradInput: Sparse

    init(m: Int, r: Int) {
      self.m = m; self.r = r; alpha = m + r - 1
      let n = alpha
      let pts: [Double] = Array([0, 1, -1, 2, -2, 0.5, -0.5, 3, -3][0..<(n - 1)])
      // E_k (n x k): rows evaluate a degree-(k-1) polynomial at the points; the last row (the
      // point at infinity) picks its leading coefficient.
      func e(_ k: Int) -> [Double] {
        var a = [Double](repeating: 0, count: n * k)
        for j in 0..<(n - 1) { for i in 0..<k { a[j * k + i] = Foundation.pow(pts[j], Double(i)) } }
        a[(n - 1) * k + (k - 1)] = 1
        return a
      }
      var f = [Double](repeating: 1, count: n)
      for j in 0..<(n - 1) { for l in 0..<(n - 1) where l != j { f[j] *= pts[j] - pts[l] } }
      // Correlation = transpose of linear convolution: A^T = E_m^T, G = E_r, B^T = E_n^-T,
      // rescaled by diag(f) so B^T is integral (the fractions move into G).
      let em = e(m), er = e(r), inv = Winograd.inverse(e(n), n)
      var at = [Double](repeating: 0, count: m * n), gm = [Double](repeating: 0, count: n * r)
      var bt = [Double](repeating: 0, count: n * n)
      for i in 0..<m { for j in 0..<n { at[i * n + j] = em[j * m + i] } }
      for j in 0..<n { for i in 0..<r { gm[j * r + i] = er[j * r + i] / f[j] } }
      for a in 0..<n { for b in 0..<n { bt[a * n + b] = f[a] * inv[b * n + a] } }
      func transposed(_ x: [Double], _ rows: Int, _ cols: Int) -> [Double] {
        var t = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = x[i * cols + j] } }
        return t
      }
      let six = n == 6
      input = Sparse(bt, rows: n, cols: n, fast: six ? .bt6 : nil)
      output = Sparse(at, rows: m, cols: n, fast: six ? (m == 4 ? .at4 : .at2) : nil)
      weight = Sparse(gm, rows: n, cols: r, fast: six ? (r == 3 ? .g3 : .g5) : nil)
      gradOutput = Sparse(transposed(at, m, n), rows: n, cols: m, fast: six ? (m == 4 ? .a4 : .a2) : nil)
      gradWeight = Sparse(transposed(gm, n, r), rows: r, cols: n, fast: six ? (r == 3 ? .gt3 : .gt5) : nil)
      gradInput = Sparse(transposed(bt, n, n), rows: n, cols: n, fast: six ? .b6 : nil)
    }
  }

  static let f43 = Kernel(m: 4, r: 3)
  static let f23 = Kernel(m: 2, r: 3)
  static let f25 = Kernel(m: 2, r: 5)

  /// Gauss-Jordan inverse of an n x n matrix (the Vandermonde-like E_n, well conditioned for n <= 8).
  static func inverse(_ a: [Double], _ n: Int) -> [Double] {
    var m = a, inv = [Double](repeating: 0, count: n * n)
    for i in 0..<n { inv[i * n + i] = 1 }
    for c in 0..<n {
      var p = c
      for r in c..<n where Swift.abs(m[r * n + c]) > Swift.abs(m[p * n + c]) { p = r }
      if p != c { for j in 0..<n { m.swapAt(c * n + j, p * n + j); inv.swapAt(c * n + j, p * n + j) } }
      let d = m[c * n + c]
      for j in 0..<n { m[c * n + j] /= d; inv[c * n + j] /= d }
      for r in 0..<n where r != c {
        let f = m[r * n + c]
        if f == 0 { continue }
        for j in 0..<n { m[r * n + j] -= f * m[c * n + j]; inv[r * n + j] -= f * inv[c * n + j] }
      }
    }
    return inv
  }

  // MARK: Sparse separable pass

  /// A small matrix kept as its nonzeros per row (the transforms are 30-60% zeros).
  final class Sparse: @unchecked Sendable {
    let rows: Int, cols: Int
    let start: UnsafeMutablePointer<Int>, idx: UnsafeMutablePointer<Int>, coef: UnsafeMutablePointer<Float>
    /// The hand-written 1-D pass with the same matrix (checked against it by the tests), if any.
    let fast: Fast?

    init(_ dense: [Double], rows: Int, cols: Int, fast: Fast? = nil) {
      self.rows = rows; self.cols = cols; self.fast = fast
      var s = [0], ix: [Int] = [], cf: [Float] = []
      for i in 0..<rows {
        for j in 0..<cols where dense[i * cols + j] != 0 { ix.append(j); cf.append(Float(dense[i * cols + j])) }
        s.append(ix.count)
      }
      start = .allocate(capacity: s.count); start.initialize(from: s, count: s.count)
      idx = .allocate(capacity: Swift.max(1, ix.count)); idx.initialize(from: ix, count: ix.count)
      coef = .allocate(capacity: Swift.max(1, cf.count)); coef.initialize(from: cf, count: cf.count)
    }
    deinit { start.deallocate(); idx.deallocate(); coef.deallocate() }
  }

  /// Scratch for `apply`: `rows * cols` SIMD16 vectors and as many floats.
  struct Scratch {
    let v: UnsafeMutablePointer<SIMD16<Float>>, s: UnsafeMutablePointer<Float>
    init() { v = .allocate(capacity: 64); s = .allocate(capacity: 64) }  // 36 + 8 + 8 used by apply2D
    func free() { v.deallocate(); s.deallocate() }
  }

  /// For every lane l in `0..<lanes`: `out[a][b] = Σ_u Σ_v L[a][u] L[b][v] in[u][v]`, where element
  /// `(u, v)` of lane l is at `src[(u * L.cols + v) * srcStride + l]` and `(a, b)` goes to
  /// `dst[(a * L.rows + b) * dstStride + l]` (added to it when `accumulate`). Sixteen lanes at a
  /// time in SIMD16 registers; a scalar tail.
  static func apply(_ L: Sparse, _ src: UnsafePointer<Float>, srcStride: Int, _ dst: UnsafeMutablePointer<Float>,
                    dstStride: Int, lanes: Int, _ sc: Scratch, accumulate: Bool = false) {
    guard let f = L.fast, !accumulate else {
      applyGeneric(L, src, srcStride: srcStride, dst, dstStride: dstStride, lanes: lanes, sc, accumulate: accumulate)
      return
    }
    let full = lanes & ~15
    switch f {
    case .bt6: apply2D(BT6.self, src, srcStride, dst, dstStride, full, sc)
    case .b6: apply2D(B6.self, src, srcStride, dst, dstStride, full, sc)
    case .at4: apply2D(AT4.self, src, srcStride, dst, dstStride, full, sc)
    case .a4: apply2D(A4.self, src, srcStride, dst, dstStride, full, sc)
    case .at2: apply2D(AT2.self, src, srcStride, dst, dstStride, full, sc)
    case .a2: apply2D(A2.self, src, srcStride, dst, dstStride, full, sc)
    case .g3: apply2D(G3.self, src, srcStride, dst, dstStride, full, sc)
    case .gt3: apply2D(GT3.self, src, srcStride, dst, dstStride, full, sc)
    case .g5: apply2D(G5.self, src, srcStride, dst, dstStride, full, sc)
    case .gt5: apply2D(GT5.self, src, srcStride, dst, dstStride, full, sc)
    }
    if full < lanes {
      applyGeneric(L, src + full, srcStride: srcStride, dst + full, dstStride: dstStride, lanes: lanes - full, sc)
    }
  }

  /// `apply` from the sparse rows (any matrix; the fallback and the tests' reference).
  static func applyGeneric(_ L: Sparse, _ src: UnsafePointer<Float>, srcStride: Int, _ dst: UnsafeMutablePointer<Float>,
                           dstStride: Int, lanes: Int, _ sc: Scratch, accumulate: Bool = false) {
    let na = L.rows, nu = L.cols
    let st = L.start, ix = L.idx, cf = L.coef
    var l0 = 0
    while l0 &+ 16 <= lanes {
      let tmp = sc.v
      for a in 0..<na {
        for v in 0..<nu {
          var acc = SIMD16<Float>(repeating: 0)
          for q in st[a]..<st[a &+ 1] {
            acc.addProduct(SIMD16(repeating: cf[q]), Depthwise.load16(src + ((ix[q] &* nu &+ v) &* srcStride &+ l0)))
          }
          tmp[a &* nu &+ v] = acc
        }
      }
      for a in 0..<na {
        for b in 0..<na {
          var acc = SIMD16<Float>(repeating: 0)
          for q in st[b]..<st[b &+ 1] { acc.addProduct(SIMD16(repeating: cf[q]), tmp[a &* nu &+ ix[q]]) }
          let o = dst + ((a &* na &+ b) &* dstStride &+ l0)
          if accumulate { acc += Depthwise.load16(o) }
          Depthwise.store16(acc, o)
        }
      }
      l0 &+= 16
    }
    while l0 < lanes {
      let tmp = sc.s
      for a in 0..<na {
        for v in 0..<nu {
          var acc: Float = 0
          for q in st[a]..<st[a &+ 1] { acc += cf[q] * src[(ix[q] &* nu &+ v) &* srcStride &+ l0] }
          tmp[a &* nu &+ v] = acc
        }
      }
      for a in 0..<na {
        for b in 0..<na {
          var acc: Float = 0
          for q in st[b]..<st[b &+ 1] { acc += cf[q] * tmp[a &* nu &+ ix[q]] }
          let o = dst + ((a &* na &+ b) &* dstStride &+ l0)
          o.pointee = accumulate ? o.pointee + acc : acc
        }
      }
      l0 &+= 1
    }
  }


  // MARK: Hand-written 1-D passes (alpha = 6: the points 0, ±1, ±2, ∞)

  enum Fast { case bt6, b6, at4, a4, at2, a2, g3, gt3, g5, gt5 }

  /// One 1-D pass `y = L x` on sixteen lanes at once.
  protocol Pass {
    static var nIn: Int { get }
    static var nOut: Int { get }
    static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>)
  }

  /// B^T (6 x 6).
  enum BT6: Pass {
    static var nIn: Int { 6 }
    static var nOut: Int { 6 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let (d0, d1, d2, d3, d4, d5) = (x[0], x[1], x[2], x[3], x[4], x[5])
      let four = SIMD16<Float>(repeating: 4), five = SIMD16<Float>(repeating: 5), two = SIMD16<Float>(repeating: 2)
      y[0] = four * d0 - five * d2 + d4
      y[1] = (d3 + d4) - four * (d1 + d2)
      y[2] = (d4 - d3) + four * (d1 - d2)
      y[3] = (d4 - d2) + two * (d3 - d1)
      y[4] = (d4 - d2) - two * (d3 - d1)
      y[5] = four * d1 - five * d3 + d5
    }
  }

  /// B = (B^T)^T (6 x 6).
  enum B6: Pass {
    static var nIn: Int { 6 }
    static var nOut: Int { 6 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let (x0, x1, x2, x3, x4, x5) = (x[0], x[1], x[2], x[3], x[4], x[5])
      let four = SIMD16<Float>(repeating: 4), five = SIMD16<Float>(repeating: 5), two = SIMD16<Float>(repeating: 2)
      y[0] = four * x0
      y[1] = four * (x2 - x1 + x5) + two * (x4 - x3)
      y[2] = -(five * x0 + four * (x1 + x2) + x3 + x4)
      y[3] = (x1 - x2) + two * (x3 - x4) - five * x5
      y[4] = x0 + x1 + x2 + x3 + x4
      y[5] = x5
    }
  }

  /// A^T of F(4, 3) (4 x 6).
  enum AT4: Pass {
    static var nIn: Int { 6 }
    static var nOut: Int { 4 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let s12 = x[1] + x[2], d12 = x[1] - x[2], s34 = x[3] + x[4], d34 = x[3] - x[4]
      y[0] = x[0] + s12 + s34
      y[1] = d12 + SIMD16(repeating: 2) * d34
      y[2] = s12 + SIMD16(repeating: 4) * s34
      y[3] = d12 + SIMD16(repeating: 8) * d34 + x[5]
    }
  }

  /// A of F(4, 3) (6 x 4).
  enum A4: Pass {
    static var nIn: Int { 4 }
    static var nOut: Int { 6 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let (y0, y1, y2, y3) = (x[0], x[1], x[2], x[3])
      let s02 = y0 + y2, s13 = y1 + y3
      let q02 = y0 + SIMD16(repeating: 4) * y2, q13 = SIMD16(repeating: 2) * y1 + SIMD16(repeating: 8) * y3
      y[0] = y0
      y[1] = s02 + s13
      y[2] = s02 - s13
      y[3] = q02 + q13
      y[4] = q02 - q13
      y[5] = y3
    }
  }

  /// A^T of F(2, 5) (2 x 6).
  enum AT2: Pass {
    static var nIn: Int { 6 }
    static var nOut: Int { 2 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      y[0] = x[0] + x[1] + x[2] + x[3] + x[4]
      y[1] = (x[1] - x[2]) + SIMD16(repeating: 2) * (x[3] - x[4]) + x[5]
    }
  }

  /// A of F(2, 5) (6 x 2).
  enum A2: Pass {
    static var nIn: Int { 2 }
    static var nOut: Int { 6 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let (y0, y1) = (x[0], x[1]), t = SIMD16<Float>(repeating: 2) * y1
      y[0] = y0; y[1] = y0 + y1; y[2] = y0 - y1; y[3] = y0 + t; y[4] = y0 - t; y[5] = y1
    }
  }

  /// G of F(4, 3) (6 x 3).
  enum G3: Pass {
    static var nIn: Int { 3 }
    static var nOut: Int { 6 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let (g0, g1, g2) = (x[0], x[1], x[2])
      let e = g0 + g2, c6 = SIMD16<Float>(repeating: -1 / 6)
      let p = g0 * SIMD16(repeating: 1 / 24) + g2 * SIMD16(repeating: 1 / 6), q = g1 * SIMD16(repeating: 1 / 12)
      y[0] = g0 * SIMD16(repeating: 0.25)
      y[1] = c6 * (e + g1)
      y[2] = c6 * (e - g1)
      y[3] = p + q
      y[4] = p - q
      y[5] = g2
    }
  }

  /// G^T of F(4, 3) (3 x 6).
  enum GT3: Pass {
    static var nIn: Int { 6 }
    static var nOut: Int { 3 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let s12 = x[1] + x[2], d21 = x[2] - x[1], s34 = x[3] + x[4], d34 = x[3] - x[4]
      let sixth = SIMD16<Float>(repeating: 1 / 6)
      y[0] = x[0] * SIMD16(repeating: 0.25) - s12 * sixth + s34 * SIMD16(repeating: 1 / 24)
      y[1] = d21 * sixth + d34 * SIMD16(repeating: 1 / 12)
      y[2] = (s34 - s12) * sixth + x[5]
    }
  }

  /// G of F(2, 5) (6 x 5).
  enum G5: Pass {
    static var nIn: Int { 5 }
    static var nOut: Int { 6 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let (g0, g1, g2, g3, g4) = (x[0], x[1], x[2], x[3], x[4])
      let e = g0 + g2 + g4, o = g1 + g3, c6 = SIMD16<Float>(repeating: -1 / 6)
      let p = g0 * SIMD16(repeating: 1 / 24) + g2 * SIMD16(repeating: 1 / 6) + g4 * SIMD16(repeating: 2 / 3)
      let q = g1 * SIMD16(repeating: 1 / 12) + g3 * SIMD16(repeating: 1 / 3)
      y[0] = g0 * SIMD16(repeating: 0.25)
      y[1] = c6 * (e + o)
      y[2] = c6 * (e - o)
      y[3] = p + q
      y[4] = p - q
      y[5] = g4
    }
  }

  /// G^T of F(2, 5) (5 x 6).
  enum GT5: Pass {
    static var nIn: Int { 6 }
    static var nOut: Int { 5 }
    @inline(__always) static func run(_ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafeMutablePointer<SIMD16<Float>>) {
      let s12 = x[1] + x[2], d21 = x[2] - x[1], s34 = x[3] + x[4], d34 = x[3] - x[4]
      let sixth = SIMD16<Float>(repeating: 1 / 6), ms12 = s12 * sixth
      y[0] = x[0] * SIMD16(repeating: 0.25) - ms12 + s34 * SIMD16(repeating: 1 / 24)
      y[1] = d21 * sixth + d34 * SIMD16(repeating: 1 / 12)
      y[2] = s34 * sixth - ms12
      y[3] = d21 * sixth + d34 * SIMD16(repeating: 1 / 3)
      y[4] = s34 * SIMD16(repeating: 2 / 3) - ms12 + x[5]
    }
  }

  /// `apply` with a hand-written pass on both sides, for the first `lanes` (a multiple of 16).
  @inline(__always)
  static func apply2D<P: Pass>(_: P.Type, _ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>,
                               _ dstStride: Int, _ lanes: Int, _ sc: Scratch) {
    let ni = P.nIn, no = P.nOut
    // tmp: [no][ni] after the column pass; col/row: one line in and out.
    let tmp = sc.v, col = sc.v + 48, out = sc.v + 56
    var l0 = 0
    while l0 < lanes {
      for v in 0..<ni {
        for u in 0..<ni { col[u] = Depthwise.load16(src + ((u &* ni &+ v) &* srcStride &+ l0)) }
        P.run(col, out)
        for a in 0..<no { tmp[a &* ni &+ v] = out[a] }
      }
      for a in 0..<no {
        P.run(tmp + a &* ni, out)
        for b in 0..<no { Depthwise.store16(out[b], dst + ((a &* no &+ b) &* dstStride &+ l0)) }
      }
      l0 &+= 16
    }
  }

  // MARK: Tiling

  /// The tiles of one image: for dilation d, the outputs split into d x d phases (rows
  /// `py, py + d, ...`), each an undilated conv over its phase sub-grid of the input.
  struct Plan {
    let k: Kernel, g: ConvGeometry
    /// Per phase: sub-grid size (rows, cols), tiles (rows, cols), output count (rows, cols) and
    /// the offset of its sub-grid in the per-plane scratch.
    let phases: [Phase]
    let tilesPerImage: Int, scratchSize: Int
    struct Phase { let py, px, sh, sw, th, tw, nh, nw, offset, firstTile: Int }

    init(_ k: Kernel, _ g: ConvGeometry) {
      self.k = k; self.g = g
      let d = g.dilation
      var ph: [Phase] = [], off = 0, t = 0
      for py in 0..<d {
        for px in 0..<d {
          let nh = (g.ho - py + d - 1) / d, nw = (g.wo - px + d - 1) / d
          guard nh > 0, nw > 0 else { continue }
          let th = (nh + k.m - 1) / k.m, tw = (nw + k.m - 1) / k.m
          let sh = th * k.m + k.r - 1, sw = tw * k.m + k.r - 1
          ph.append(Phase(py: py, px: px, sh: sh, sw: sw, th: th, tw: tw, nh: nh, nw: nw, offset: off, firstTile: t))
          off += sh * sw; t += th * tw
        }
      }
      phases = ph; tilesPerImage = t; scratchSize = off
    }

    /// Work per (input, output) channel pair for the whole batch, in multiplies: Winograd's GEMMs
    /// plus its weight transforms (`weightTiles`) and the fixed cost of its per-point GEMM calls
    /// (`gemmCallMultiplies`, spread over the channel pairs), and the direct conv's.
    var cost: (winograd: Int, direct: Int) {
      let chunk = Winograd.chunk(self, cout: g.cout), chunks = (g.n + chunk - 1) / chunk
      let calls = chunks * Winograd.gemmCallMultiplies / Swift.max(1, g.cin * g.cout)
      return (k.alpha * k.alpha * (g.n * tilesPerImage + Winograd.weightTiles + calls), g.n * g.kh * g.kw * g.hwOut)
    }

    /// Ranges per engine thread in this plan's parallel loops (per-point GEMMs, transforms).
    /// With few channels (Cin x Cout <= 64 x 64: the main job's derived networks and stem-16
    /// supernets) every range is short, and two ranges in two threads leave the faster thread
    /// waiting for the slower one in each loop: claiming 4 ranges per thread from the pool's
    /// ticket made `examples/final_training_timing.uboost` 6-9% faster at 2 threads (median 27.0
    /// against 29.4 s over 5 runs each, 2026-12-07). With more channels the ranges are long
    /// enough; there it measured level to 3% slower (micro and channel b8 search steps), so
    /// they keep one range per thread. Each index's work is the same either way, so results do
    /// not depend on it.
    var piecesPerThread: Int { g.cin * g.cout <= 64 * 64 ? 4 : 1 }

    /// Copies plane `x` (h x w) into the phase sub-grids (zero outside the input).
    func fill(_ x: UnsafePointer<Float>, _ s: UnsafeMutablePointer<Float>) {
      let d = g.dilation
      for p in phases {
        let base = s + p.offset
        for i in 0..<p.sh {
          let row = base + i * p.sw
          let y = p.py - g.padT + d * i
          guard y >= 0, y < g.h else { row.update(repeating: 0, count: p.sw); continue }
          let src = x + y * g.w
          if d == 1 {
            // Columns j read x = j - padL: zeros left and right of the copied span.
            let x0 = p.px - g.padL
            let lo = Swift.max(0, -x0), hi = Swift.min(p.sw, g.w - x0)
            if hi <= lo { row.update(repeating: 0, count: p.sw); continue }
            if lo > 0 { row.update(repeating: 0, count: lo) }
            (row + lo).update(from: src + x0 + lo, count: hi - lo)
            if hi < p.sw { (row + hi).update(repeating: 0, count: p.sw - hi) }
          } else {
            for j in 0..<p.sw {
              let xx = p.px - g.padL + d * j
              row[j] = xx >= 0 && xx < g.w ? src[xx] : 0
            }
          }
        }
      }
    }

    /// Stores the sub-grids back into plane `dx` (h x w); input pixels no tile reads get 0.
    func store(_ s: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
      let d = g.dilation
      dx.update(repeating: 0, count: g.h * g.w)
      for p in phases {
        let base = s + p.offset
        for i in 0..<p.sh {
          let y = p.py - g.padT + d * i
          guard y >= 0, y < g.h else { continue }
          let row = base + i * p.sw, dst = dx + y * g.w
          for j in 0..<p.sw {
            let xx = p.px - g.padL + d * j
            if xx >= 0 && xx < g.w { dst[xx] = row[j] }
          }
        }
      }
    }

    // MARK: Tile moves

    // The tile rows of the engine's planes are short (2-7 tiles), so loops of run-time length
    // over a row's tiles for each tile element were mostly loop control: in the main job's final
    // training these four moves were about a third of the samples. Each move is written once
    // with the tile sizes `m` and `a` (alpha) as parameters and called with constants for the
    // three kernels (`withConstantSizes`), so its loops over one tile's elements unroll.

    /// Calls `body(m, alpha)` with literal sizes for F(4,3), F(2,3) and F(2,5), so an
    /// always-inlined body is compiled once per kernel with constant loop bounds.
    @inline(__always)
    private func withConstantSizes(_ body: (_ m: Int, _ alpha: Int) -> Void) {
      switch (k.m, k.alpha) {
      case (4, 6): body(4, 6)
      case (2, 4): body(2, 4)
      case (2, 6): body(2, 6)
      default: body(k.m, k.alpha)
      }
    }

    /// Gathers the alpha x alpha input tiles of one plane's sub-grids into `stage`
    /// (element e of tile t at `stage[e * ld + t0 + t]`).
    func gatherTiles(_ s: UnsafePointer<Float>, _ stage: UnsafeMutablePointer<Float>, ld: Int, t0: Int) {
      withConstantSizes { gatherTiles(s, stage, ld: ld, t0: t0, m: $0, a: $1) }
    }

    @inline(__always)
    private func gatherTiles(_ s: UnsafePointer<Float>, _ stage: UnsafeMutablePointer<Float>, ld: Int, t0: Int, m: Int, a: Int) {
      for p in phases {
        for ti in 0..<p.th {
          let t = t0 + p.firstTile + ti * p.tw
          for u in 0..<a {
            let srow = s + p.offset + (ti * m + u) * p.sw, drow = stage + u * a * ld + t
            for tj in 0..<p.tw {
              let src = srow + tj &* m, dst = drow + tj
              for v in 0..<a { dst[v &* ld] = src[v] }
            }
          }
        }
      }
    }

    /// Adds the alpha x alpha tiles of `stage` into one plane's sub-grids (the transpose of
    /// `gatherTiles`; `s` must start zeroed). Neighbouring tiles overlap, and a sub-grid element
    /// receives its terms in order of increasing tile element (then tile row), so the sums do not
    /// depend on how the loops are unrolled: within a tile row the tiles run right to left.
    func scatterTiles(_ stage: UnsafePointer<Float>, ld: Int, t0: Int, _ s: UnsafeMutablePointer<Float>) {
      withConstantSizes { scatterTiles(stage, ld: ld, t0: t0, s, m: $0, a: $1) }
    }

    @inline(__always)
    private func scatterTiles(_ stage: UnsafePointer<Float>, ld: Int, t0: Int, _ s: UnsafeMutablePointer<Float>, m: Int, a: Int) {
      for p in phases {
        for ti in 0..<p.th {
          let t = t0 + p.firstTile + ti * p.tw
          for u in 0..<a {
            let drow = s + p.offset + (ti * m + u) * p.sw, srow = stage + u * a * ld + t
            var tj = p.tw - 1
            while tj >= 0 {
              let dst = drow + tj &* m, src = srow + tj
              for v in 0..<a { dst[v] += src[v &* ld] }
              tj &-= 1
            }
          }
        }
      }
    }

    /// Writes the m x m output tiles of `stage` (plus `bias`) into output plane `y` (ho x wo).
    func storeOutput(_ stage: UnsafePointer<Float>, ld: Int, t0: Int, bias: Float, _ y: UnsafeMutablePointer<Float>) {
      withConstantSizes { m, _ in storeOutput(stage, ld: ld, t0: t0, bias: bias, y, m: m) }
    }

    @inline(__always)
    private func storeOutput(_ stage: UnsafePointer<Float>, ld: Int, t0: Int, bias: Float, _ y: UnsafeMutablePointer<Float>, m: Int) {
      let d = g.dilation
      for p in phases {
        let fullW = p.nw / m, restW = p.nw - fullW * m
        for ti in 0..<p.th {
          let rows = Swift.min(m, p.nh - ti * m)
          let t = t0 + p.firstTile + ti * p.tw
          for u in 0..<rows {
            let orow = y + (p.py + d * (ti * m + u)) * g.wo + p.px, srow = stage + u * m * ld + t
            for tj in 0..<fullW {
              let dst = orow + d &* m &* tj, src = srow + tj
              for v in 0..<m { dst[d &* v] = src[v &* ld] + bias }
            }
            let dst = orow + d * m * fullW, src = srow + fullW
            for v in 0..<restW { dst[d &* v] = src[v &* ld] + bias }
          }
        }
      }
    }

    /// Gathers the m x m tiles of output-gradient plane `gy` into `stage` (zeros past the edge;
    /// a nil plane is all zeros).
    func gatherOutput(_ gy: UnsafePointer<Float>?, _ stage: UnsafeMutablePointer<Float>, ld: Int, t0: Int) {
      withConstantSizes { m, _ in gatherOutput(gy, stage, ld: ld, t0: t0, m: m) }
    }

    @inline(__always)
    private func gatherOutput(_ gy: UnsafePointer<Float>?, _ stage: UnsafeMutablePointer<Float>, ld: Int, t0: Int, m: Int) {
      let d = g.dilation
      for p in phases {
        let fullW = p.nw / m, restW = p.nw - fullW * m
        for ti in 0..<p.th {
          let rows = Swift.min(m, p.nh - ti * m)
          let t = t0 + p.firstTile + ti * p.tw
          for u in 0..<m {
            let drow = stage + u * m * ld + t
            guard let gy = gy, u < rows else {
              for v in 0..<m { (drow + v * ld).update(repeating: 0, count: p.tw) }
              continue
            }
            let srow = gy + (p.py + d * (ti * m + u)) * g.wo + p.px
            for tj in 0..<fullW {
              let src = srow + d &* m &* tj, dst = drow + tj
              for v in 0..<m { dst[v &* ld] = src[d &* v] }
            }
            if fullW < p.tw {  // the partial last tile: its columns past the edge are zeros
              let src = srow + d * m * fullW, dst = drow + fullW
              for v in 0..<m { dst[v &* ld] = v < restW ? src[d &* v] : 0 }
            }
          }
        }
      }
    }
  }

  /// The F(m, r) to use for `g`, or nil for im2col: stride 1, ungrouped, square 3x3 or 5x5
  /// kernels, at least 8 channels in and out, and at least 1.6x less work than the direct conv.
  /// The work counts the GEMMs' multiplies, the weight transforms and the GEMM calls: per
  /// (input, output) channel pair a batch costs `alpha^2 * (tiles + weightTiles + chunks *
  /// gemmCallMultiplies / (Cin * Cout))` against the direct conv's `n * r^2 * Ho * Wo`, so small
  /// planes at small batches (a 4x4 plane is one 4x4 tile) and few channels on small planes go
  /// to im2col. `force`: the best plan that exists, whatever it saves (the kernel benchmark's
  /// comparison).
  static func plan(_ g: ConvGeometry, force: Bool = false) -> Plan? {
    guard enabled, g.stride == 1, g.groups == 1, g.kh == g.kw, g.cin >= 8, g.cout >= 8, g.n >= 1 else { return nil }
    let candidates: [Kernel]
    switch g.kh {
    case 3: candidates = [f43, f23]
    case 5: candidates = [f25]
    default: return nil
    }
    var best: Plan?, bestGain = force ? 0 : 1.6
    for k in candidates {
      let p = Plan(k, g)
      guard p.tilesPerImage > 0 else { continue }
      let c = p.cost
      let gain = Double(c.direct) / Double(c.winograd)
      if gain >= bestGain { best = p; bestGain = gain }
    }
    return best
  }

  /// The weight transforms of one step (forward `U`, backward `U` again and the transposed
  /// transform of `dÛ`) cost about as much as this many tiles' share of the GEMMs, per
  /// channel pair. Fitted with `uboost bench kernels --threads 1 --conv ...` on the supernets'
  /// shapes (docs/performance.md, "Winograd or im2col"): on the first 20 measured, any value in
  /// 53...94 sent each to the faster method or to one within 10% of it; later runs found 4x4
  /// planes at batch 32 that it sends to im2col 16-28% too slow. A task-local, so a test can
  /// run a block with another value (0: Winograd wherever it saves multiplies, the rule before
  /// the weight term).
  @TaskLocal static var weightTiles = 64

  /// What one of the per-point GEMM calls costs beyond its multiplies (OpenBLAS's setup and the
  /// packing of small operands), in multiplies: each chunk makes `alpha^2` calls per pass, spread
  /// over the `Cin x Cout` channel pairs, so it matters only with few channels on few tiles.
  /// 65536 (about 1.5 us at SGEMM's rate here) sends 8,16,16,16,3 to im2col (Winograd was
  /// 1.34-1.43x slower in three runs) and keeps 8,16,16,32,5 on Winograd (0.56-0.83x with 16 MB
  /// im2col chunks, level with 2 MB ones): its 1024-pixel planes have 16 times the tiles to spread
  /// the calls over. A task-local, like `weightTiles`.
  @TaskLocal static var gemmCallMultiplies = 65536

  /// Images per chunk: the per-chunk buffers (transformed input, GEMM output, input gradient)
  /// stay under ~12 MB (smaller chunks stay in cache; larger ones redo less weight-sized work per
  /// chunk: 12 MB was 4% faster than 24 MB on the micro supernet at batch 8, 20 MB less peak);
  /// chunks are balanced.
  static func chunk(_ p: Plan, cout: Int) -> Int {
    let a2 = p.k.alpha * p.k.alpha, g = p.g
    let perImage = Swift.max(1, a2 * p.tilesPerImage * (2 * g.cin + cout))
    let most = Swift.max(1, Swift.min(g.n, (3 << 20) / perImage))
    let chunks = (g.n + most - 1) / most
    return (g.n + chunks - 1) / chunks
  }

  /// The row length of the tile buffers for `tiles` tiles: whole SIMD16 blocks, and not a
  /// multiple of 512 bytes, so the 36 rows one pass reads do not all fall into the same few
  /// L1 sets.
  static func lead(_ tiles: Int) -> Int {
    let l = (tiles + 15) / 16 * 16
    return l % 128 == 0 ? l + 16 : l
  }

  /// The stride between two channels' blocks of `alpha^2` rows of `row` floats, padded so it is
  /// not a multiple of a large power of two (the GEMMs step through the channels at this stride).
  @inline(__always)
  static func block(_ row: Int, _ p: Plan) -> Int { p.k.alpha * p.k.alpha * row + 16 }

  // MARK: Weights

  /// U[co][p][ci] = (G w[co][ci] G^T)[p] for the weight rows `w` (`w[co]`: that output channel's
  /// `[cin, r, r]` weights, wherever they live). The point index sits between the channels (here
  /// and in the tile buffers `[channel][p][tile]`), so each channel's transform reads and writes
  /// one contiguous block; the GEMMs take the stride.
  static func transformWeights(_ p: Plan, _ w: [UnsafePointer<Float>], cout: Int, _ u: UnsafeMutablePointer<Float>) {
    let cin = p.g.cin, r2 = p.k.r * p.k.r
    Parallel.forRanges(cout, grain: 8) { range in
      let sc = Scratch(), stage = UnsafeMutablePointer<Float>.allocate(capacity: r2 * cin)
      defer { sc.free(); stage.deallocate() }
      for co in range {
        let wc = w[co]
        for e in 0..<r2 { let row = stage + e * cin; for ci in 0..<cin { row[ci] = wc[ci &* r2 &+ e] } }
        apply(p.k.weight, stage, srcStride: cin, u + co * block(cin, p), dstStride: cin, lanes: cin, sc)
      }
    }
  }

  // MARK: Forward

  /// y_j = conv(x, W_j) + b_j for the convs whose output channels, stacked, are the rows `w`
  /// (`w[co]`: `[cin, r, r]` weights of output `owner[co]`, channel `local[co]`). The rows are
  /// read in place, so several convs' weights need not be copied into one stacked array.
  static func forward(_ p: Plan, _ x: UnsafePointer<Float>, _ w: [UnsafePointer<Float>], _ bias: UnsafePointer<Float>?,
                      _ ys: [UnsafeMutablePointer<Float>], couts: [Int], owner: UnsafePointer<Int>, local: UnsafePointer<Int>) {
    let g = p.g, cout = g.cout, cin = g.cin, a2 = p.k.alpha * p.k.alpha, m2 = p.k.m * p.k.m
    let u = UnsafeMutablePointer<Float>.allocate(capacity: cout * block(cin, p))
    defer { u.deallocate() }
    transformWeights(p, w, cout: cout, u)
    let chunk = chunk(p, cout: cout), tpi = p.tilesPerImage, ldMax = lead(chunk * tpi)
    let vBuf = UnsafeMutablePointer<Float>.allocate(capacity: cin * block(ldMax, p))
    let mBuf = UnsafeMutablePointer<Float>.allocate(capacity: cout * block(ldMax, p))
    defer { vBuf.deallocate(); mBuf.deallocate() }
    var n0 = 0
    while n0 < g.n {
      let nb = Swift.min(chunk, g.n - n0), tc = nb * tpi, ld = lead(tc)
      transformInput(p, x, n0: n0, nb: nb, ld: ld, vBuf)
      Parallel.forRanges(a2, perThread: p.piecesPerThread) { r in
        for q in r {
          cblasSgemm(false, false, cout, tc, cin, 1, u + q * cin, block(cin, p), vBuf + q * ld, block(ld, p), 0, mBuf + q * ld, block(ld, p))
        }
      }
      let base = n0
      Parallel.forRanges(cout, grain: 4, perThread: p.piecesPerThread) { r in
        let sc = Scratch(), stage = UnsafeMutablePointer<Float>.allocate(capacity: m2 * ld)
        defer { sc.free(); stage.deallocate() }
        for co in r {
          apply(p.k.output, mBuf + co * block(ld, p), srcStride: ld, stage, dstStride: ld, lanes: tc, sc)
          let j = owner[co], lc = local[co], bv = bias?[co] ?? 0
          for img in 0..<nb {
            p.storeOutput(stage, ld: ld, t0: img * tpi, bias: bv, ys[j] + ((base + img) * couts[j] + lc) * g.hwOut)
          }
        }
      }
      n0 += nb
    }
  }

  /// V[ci][p][t] for the tiles of images `n0..<n0+nb` (`v` is `[cin, alpha^2, ld]`).
  static func transformInput(_ p: Plan, _ x: UnsafePointer<Float>, n0: Int, nb: Int, ld: Int, _ v: UnsafeMutablePointer<Float>) {
    let g = p.g, cin = g.cin, a2 = p.k.alpha * p.k.alpha, tpi = p.tilesPerImage, tc = nb * tpi
    Parallel.forRanges(cin, grain: 4, perThread: p.piecesPerThread) { r in
      let sc = Scratch(), stage = UnsafeMutablePointer<Float>.allocate(capacity: a2 * ld)
      let sub = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, p.scratchSize))
      defer { sc.free(); stage.deallocate(); sub.deallocate() }
      for ci in r {
        for img in 0..<nb {
          p.fill(x + ((n0 + img) * cin + ci) * g.hwIn, sub)
          p.gatherTiles(sub, stage, ld: ld, t0: img * tpi)
        }
        apply(p.k.input, stage, srcStride: ld, v + ci * block(ld, p), dstStride: ld, lanes: tc, sc)
      }
    }
  }

  // MARK: Backward

  /// Gradients of all the stacked convs: `dw` (`dw[co]`: the `[cin, r, r]` gradient of weight row
  /// `w[co]`, accumulated) and `dx` (overwritten). `gys[j]` nil: output j had no gradient.
  static func backward(_ p: Plan, _ x: UnsafePointer<Float>, _ w: [UnsafePointer<Float>], _ gys: [UnsafePointer<Float>?],
                       _ dx: UnsafeMutablePointer<Float>?, _ dw: [UnsafeMutablePointer<Float>]?, couts: [Int],
                       owner: UnsafePointer<Int>, local: UnsafePointer<Int>) {
    let g = p.g, cout = g.cout, cin = g.cin, a2 = p.k.alpha * p.k.alpha, m2 = p.k.m * p.k.m
    let chunk = chunk(p, cout: cout), tpi = p.tilesPerImage, ldMax = lead(chunk * tpi)
    let u = UnsafeMutablePointer<Float>.allocate(capacity: dx != nil ? cout * block(cin, p) : 1)
    let dwHat = UnsafeMutablePointer<Float>.allocate(capacity: dw != nil ? cout * block(cin, p) : 1)
    let gBuf = UnsafeMutablePointer<Float>.allocate(capacity: cout * block(ldMax, p))
    let vBuf = UnsafeMutablePointer<Float>.allocate(capacity: cin * block(ldMax, p))
    defer { u.deallocate(); dwHat.deallocate(); gBuf.deallocate(); vBuf.deallocate() }
    if dx != nil { transformWeights(p, w, cout: cout, u) }
    var n0 = 0
    while n0 < g.n {
      let nb = Swift.min(chunk, g.n - n0), tc = nb * tpi, ld = lead(tc), base = n0
      // dŶ[co][p][t] = (A dY A^T)[p]
      Parallel.forRanges(cout, grain: 4, perThread: p.piecesPerThread) { r in
        let sc = Scratch(), stage = UnsafeMutablePointer<Float>.allocate(capacity: m2 * ld)
        defer { sc.free(); stage.deallocate() }
        for co in r {
          let j = owner[co], lc = local[co]
          for img in 0..<nb {
            p.gatherOutput(gys[j].map { $0 + ((base + img) * couts[j] + lc) * g.hwOut }, stage, ld: ld, t0: img * tpi)
          }
          apply(p.k.gradOutput, stage, srcStride: ld, gBuf + co * block(ld, p), dstStride: ld, lanes: tc, sc)
        }
      }
      if dw != nil { transformInput(p, x, n0: n0, nb: nb, ld: ld, vBuf) }
      let first = n0 == 0
      // dŴ_p (+)= dŶ_p V_p^T, then dV_p = U_p^T dŶ_p (into vBuf once V_p is used).
      Parallel.forRanges(a2, perThread: p.piecesPerThread) { r in
        for q in r {
          let gq = gBuf + q * ld, vq = vBuf + q * ld, lt = block(ld, p), lw = block(cin, p)
          if dw != nil {
            cblasSgemm(false, true, cout, cin, tc, 1, gq, lt, vq, lt, first ? 0 : 1, dwHat + q * cin, lw)
          }
          if dx != nil {
            cblasSgemm(true, false, cin, tc, cout, 1, u + q * cin, lw, gq, lt, 0, vq, lt)
          }
        }
      }
      if let dx = dx {
        Parallel.forRanges(cin, grain: 4, perThread: p.piecesPerThread) { r in
          let sc = Scratch(), stage = UnsafeMutablePointer<Float>.allocate(capacity: a2 * ld)
          let sub = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, p.scratchSize))
          defer { sc.free(); stage.deallocate(); sub.deallocate() }
          for ci in r {
            apply(p.k.gradInput, vBuf + ci * block(ld, p), srcStride: ld, stage, dstStride: ld, lanes: tc, sc)
            for img in 0..<nb {
              sub.update(repeating: 0, count: p.scratchSize)
              p.scatterTiles(stage, ld: ld, t0: img * tpi, sub)
              p.store(sub, dx + ((base + img) * cin + ci) * g.hwIn)
            }
          }
        }
      }
      n0 += nb
    }
    if let dw = dw {
      let r2 = p.k.r * p.k.r
      Parallel.forRanges(cout, grain: 8) { r in
        let sc = Scratch(), stage = UnsafeMutablePointer<Float>.allocate(capacity: r2 * cin)
        defer { sc.free(); stage.deallocate() }
        for co in r {
          apply(p.k.gradWeight, dwHat + co * block(cin, p), srcStride: cin, stage, dstStride: cin, lanes: cin, sc)
          let wc = dw[co]
          for e in 0..<r2 { let row = stage + e * cin; for ci in 0..<cin { wc[ci &* r2 &+ e] += row[ci] } }
        }
      }
    }
  }
}
