import XCTest
@testable import UBoostTensor

/// Direct-loop conv2d in Double, independent of the im2col/GEMM and depthwise kernels. Padding is
/// passed explicitly as (top, left) with the output size given.
func referenceConv(_ x: Tensor, _ w: Tensor, bias: Tensor?, stride: Int, padTop: Int, padLeft: Int,
                   dilation: Int, groups: Int, ho: Int, wo: Int) -> [Double] {
  let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let (cout, cing, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
  let coutg = cout / groups
  var out = [Double](repeating: 0, count: n * cout * ho * wo)
  for b in 0..<n { for co in 0..<cout { for oh in 0..<ho { for ow in 0..<wo {
    var s = bias.map { Double($0.data[co]) } ?? 0
    let grp = co / coutg
    for ci in 0..<cing { for ki in 0..<kh { for kj in 0..<kw {
      let ih = oh * stride - padTop + ki * dilation, iw = ow * stride - padLeft + kj * dilation
      if ih < 0 || ih >= h || iw < 0 || iw >= wd { continue }
      let c = grp * cing + ci
      s += Double(x.data[((b * cin + c) * h + ih) * wd + iw]) * Double(w.data[((co * cing + ci) * kh + ki) * kw + kj])
    } } }
    out[((b * cout + co) * ho + oh) * wo + ow] = s
  } } } }
  _ = cin
  return out
}

final class ConvTests: XCTestCase {
  struct Case { let n, cin, cout, h, w, k, stride, dilation, groups: Int; let padding: Padding; let bias: Bool }

  func check(_ c: Case, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
    let x = try randomTensor([c.n, c.cin, c.h, c.w], seed: seed)
    let w = try randomTensor([c.cout, c.cin / c.groups, c.k, c.k], seed: seed + 1)
    let b = c.bias ? try randomTensor([c.cout], seed: seed + 2) : nil
    let y = try conv2d(x, w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    let ext = c.dilation * (c.k - 1)
    let pad: Int, ho: Int, wo: Int
    switch c.padding {
    case .same:
      pad = ext / 2
      ho = (c.h + c.stride - 1) / c.stride; wo = (c.w + c.stride - 1) / c.stride
    case .valid:
      pad = 0
      ho = (c.h - ext - 1) / c.stride + 1; wo = (c.w - ext - 1) / c.stride + 1
    case .explicit(let p):
      pad = p
      ho = (c.h + 2 * p - ext - 1) / c.stride + 1; wo = (c.w + 2 * p - ext - 1) / c.stride + 1
    }
    XCTAssertEqual(y.shape, [c.n, c.cout, ho, wo], file: file, line: line)
    let ref = referenceConv(x, w, bias: b, stride: c.stride, padTop: pad, padLeft: pad, dilation: c.dilation,
                            groups: c.groups, ho: ho, wo: wo)
    assertClose(y.data, ref, tol: 1e-4, file: file, line: line)
  }

  func testConvAgainstDirectLoops() throws {
    let cases: [Case] = [
      Case(n: 2, cin: 3, cout: 4, h: 6, w: 5, k: 3, stride: 1, dilation: 1, groups: 1, padding: .same, bias: true),
      Case(n: 2, cin: 3, cout: 4, h: 7, w: 6, k: 3, stride: 2, dilation: 1, groups: 1, padding: .same, bias: false),
      Case(n: 1, cin: 2, cout: 3, h: 8, w: 8, k: 5, stride: 2, dilation: 1, groups: 1, padding: .same, bias: true),
      Case(n: 2, cin: 2, cout: 2, h: 9, w: 7, k: 3, stride: 1, dilation: 2, groups: 1, padding: .same, bias: false),
      Case(n: 1, cin: 2, cout: 3, h: 11, w: 10, k: 5, stride: 1, dilation: 2, groups: 1, padding: .same, bias: false),
      Case(n: 2, cin: 4, cout: 6, h: 5, w: 5, k: 3, stride: 1, dilation: 1, groups: 2, padding: .same, bias: true),
      Case(n: 2, cin: 3, cout: 2, h: 6, w: 7, k: 3, stride: 2, dilation: 1, groups: 1, padding: .valid, bias: false),
      Case(n: 1, cin: 2, cout: 2, h: 5, w: 5, k: 3, stride: 1, dilation: 1, groups: 1, padding: .explicit(2), bias: false),
      Case(n: 2, cin: 5, cout: 3, h: 4, w: 3, k: 1, stride: 1, dilation: 1, groups: 1, padding: .same, bias: true),
      Case(n: 2, cin: 3, cout: 3, h: 4, w: 6, k: 1, stride: 2, dilation: 1, groups: 1, padding: .same, bias: false),
      // depthwise (direct kernel)
      Case(n: 2, cin: 3, cout: 3, h: 6, w: 7, k: 3, stride: 1, dilation: 1, groups: 3, padding: .same, bias: true),
      Case(n: 2, cin: 3, cout: 3, h: 8, w: 7, k: 5, stride: 2, dilation: 1, groups: 3, padding: .same, bias: false),
      Case(n: 1, cin: 4, cout: 4, h: 9, w: 9, k: 3, stride: 1, dilation: 2, groups: 4, padding: .same, bias: false),
      Case(n: 1, cin: 2, cout: 2, h: 7, w: 8, k: 5, stride: 2, dilation: 2, groups: 2, padding: .same, bias: false),
      Case(n: 2, cin: 2, cout: 2, h: 5, w: 19, k: 3, stride: 1, dilation: 1, groups: 2, padding: .same, bias: true),
      Case(n: 1, cin: 3, cout: 3, h: 6, w: 33, k: 4, stride: 1, dilation: 1, groups: 3, padding: .same, bias: false),
      Case(n: 1, cin: 2, cout: 2, h: 11, w: 20, k: 5, stride: 1, dilation: 2, groups: 2, padding: .valid, bias: false),
      // depthwise with channel multiplier (grouped GEMM path)
      Case(n: 1, cin: 2, cout: 4, h: 5, w: 5, k: 3, stride: 1, dilation: 1, groups: 2, padding: .same, bias: false),
    ]
    for (i, c) in cases.enumerated() { try check(c, seed: UInt64(100 + 10 * i)) }
  }

  func testConvChunkingMatchesSingleGEMM() throws {
    // A batch big enough to be split into several im2col chunks gives the same result per image.
    let x = try randomTensor([3, 64, 32, 32], seed: 1), w = try randomTensor([4, 64, 5, 5], seed: 2)
    XCTAssertLessThan(convChunk(try ConvGeometry(x: x.shape, w: w.shape, stride: 1, padding: .same, dilation: 1, groups: 1)), 3)
    let y = try conv2d(x, w)
    let y1 = try conv2d(x.slice(axis: 0, start: 2, end: 3).detached(), w)
    assertClose(Array(y.data[(2 * 4 * 1024)...]), y1.data.map(Double.init), tol: 1e-5)
  }

  func testConvGradients() throws {
    let x = try randomTensor([2, 3, 5, 4], seed: 20), w = try randomTensor([4, 3, 3, 3], seed: 21)
    let b = try randomTensor([4], seed: 22)
    try gradCheck([x, w, b]) { t in try conv2d(t[0], t[1], bias: t[2]) }
    try gradCheck([x, w]) { t in try conv2d(t[0], t[1], stride: 2, padding: .same) }
    let w5 = try randomTensor([2, 3, 5, 5], seed: 23)
    try gradCheck([x, w5]) { t in try conv2d(t[0], t[1], padding: .same, dilation: 2) }
    let wg = try randomTensor([4, 1, 3, 3], seed: 24)
    let x4 = try randomTensor([1, 4, 5, 5], seed: 25)
    try gradCheck([x4, wg]) { t in try conv2d(t[0], t[1], stride: 2, padding: .same, groups: 4) }  // depthwise
    try gradCheck([x4, wg]) { t in try conv2d(t[0], t[1], padding: .same, dilation: 2, groups: 4) }
    // Undilated 3x3 and 5x5 at stride 1: the column kernels.
    try gradCheck([x4, wg]) { t in try conv2d(t[0], t[1], padding: .same, groups: 4) }
    let x6 = try randomTensor([2, 2, 6, 9], seed: 31), wd5 = try randomTensor([2, 1, 5, 5], seed: 32)
    try gradCheck([x6, wd5]) { t in try conv2d(t[0], t[1], padding: .same, groups: 2) }
    let xw = try randomTensor([1, 2, 3, 18], seed: 29), ww = try randomTensor([2, 1, 2, 3], seed: 30)
    try gradCheck([xw, ww]) { t in try conv2d(t[0], t[1], padding: .same, groups: 2) }  // wide rows, even kh
    let w2 = try randomTensor([2, 2, 3, 3], seed: 26)
    try gradCheck([x4, w2]) { t in try conv2d(t[0], t[1], padding: .valid, groups: 2) }
    let w1 = try randomTensor([3, 4, 1, 1], seed: 27)
    try gradCheck([x4, w1, try randomTensor([3], seed: 28)]) { t in try conv2d(t[0], t[1], bias: t[2]) }  // pointwise
  }

  func testEmptyBatch() throws {
    let y = try conv2d(try Tensor.zeros([0, 3, 4, 4]), try Tensor.zeros([2, 3, 3, 3]))
    XCTAssertEqual(y.shape, [0, 2, 4, 4])
    let d = try conv2d(try Tensor.zeros([0, 3, 4, 4]), try Tensor.zeros([3, 1, 3, 3]), groups: 3)
    XCTAssertEqual(d.shape, [0, 3, 4, 4])
    let l = try linear(try Tensor.zeros([2, 0]), try Tensor.zeros([3, 0]), try Tensor.ones([3]))
    XCTAssertEqual(l.data, [1, 1, 1, 1, 1, 1])
  }

  /// The stride-1 depthwise kernels (forward, dx and dw) against Double direct loops, on shapes
  /// that leave partial blocks of four rows and partial 16-column chunks, with odd and even,
  /// square and non-square kernels up to 7x7, dilations 1-3 and all three paddings. `dw` is
  /// checked to be added to, `dx` to be written (it starts as NaN).
  func testDepthwiseKernelsAgainstDirectLoops() throws {
    struct DW { let n, c, h, w, kh, kw, d: Int; let padding: Padding }
    let cases = [
      DW(n: 2, c: 3, h: 16, w: 16, kh: 5, kw: 5, d: 1, padding: .same),
      DW(n: 1, c: 2, h: 7, w: 9, kh: 3, kw: 3, d: 1, padding: .same),
      DW(n: 2, c: 2, h: 11, w: 20, kh: 3, kw: 3, d: 2, padding: .same),
      DW(n: 1, c: 2, h: 10, w: 13, kh: 5, kw: 5, d: 3, padding: .same),
      DW(n: 1, c: 2, h: 9, w: 6, kh: 7, kw: 7, d: 1, padding: .same),
      DW(n: 1, c: 2, h: 13, w: 8, kh: 6, kw: 2, d: 1, padding: .same),
      DW(n: 2, c: 2, h: 5, w: 5, kh: 1, kw: 1, d: 1, padding: .same),
      DW(n: 1, c: 2, h: 11, w: 12, kh: 3, kw: 3, d: 1, padding: .valid),
      DW(n: 1, c: 3, h: 6, w: 35, kh: 5, kw: 5, d: 1, padding: .explicit(1)),
      DW(n: 1, c: 2, h: 2, w: 3, kh: 3, kw: 3, d: 2, padding: .same),
      // The column kernels at their edges: as many output rows as kernel rows, whole 8-column
      // chunks, a last partial 16-column block.
      DW(n: 2, c: 2, h: 3, w: 8, kh: 3, kw: 3, d: 1, padding: .same),
      DW(n: 1, c: 2, h: 9, w: 17, kh: 5, kw: 5, d: 1, padding: .valid),
    ]
    for (i, k) in cases.enumerated() {
      let g = try ConvGeometry(x: [k.n, k.c, k.h, k.w], w: [k.c, 1, k.kh, k.kw], stride: 1, padding: k.padding,
                               dilation: k.d, groups: k.c)
      XCTAssertTrue(g.isDepthwise)
      let seed = UInt64(40 + 3 * i)
      let x = try randomTensor([k.n, k.c, k.h, k.w], seed: seed), w = try randomTensor([k.c, 1, k.kh, k.kw], seed: seed + 1)
      let dy = try randomTensor([k.n, k.c, g.ho, g.wo], seed: seed + 2)
      var y = [Float](repeating: .nan, count: dy.count)
      var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: 1, count: w.count)
      x.data.withUnsafeBufferPointer { xp in
        w.data.withUnsafeBufferPointer { wp in
          dy.data.withUnsafeBufferPointer { gp in
            y.withUnsafeMutableBufferPointer { Depthwise.forward(xp.baseAddress!, wp.baseAddress!, nil, $0.baseAddress!, g) }
            dx.withUnsafeMutableBufferPointer { a in
              dw.withUnsafeMutableBufferPointer { b in
                Depthwise.backward(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, a.baseAddress!, b.baseAddress!, g)
              }
            }
          }
        }
      }
      let ry = referenceConv(x, w, bias: nil, stride: 1, padTop: g.padT, padLeft: g.padL, dilation: k.d, groups: k.c,
                             ho: g.ho, wo: g.wo)
      var rdx = [Double](repeating: 0, count: x.count), rdw = [Double](repeating: 1, count: w.count)
      for b in 0..<k.n { for c in 0..<k.c { for oh in 0..<g.ho { for ow in 0..<g.wo {
        let o = ((b * k.c + c) * g.ho + oh) * g.wo + ow
        for ky in 0..<k.kh { for kx in 0..<k.kw {
          let ih = oh - g.padT + ky * k.d, iw = ow - g.padL + kx * k.d
          guard ih >= 0, ih < k.h, iw >= 0, iw < k.w else { continue }
          let xi = ((b * k.c + c) * k.h + ih) * k.w + iw, wi = (c * k.kh + ky) * k.kw + kx
          rdx[xi] += Double(dy.data[o]) * Double(w.data[wi])
          rdw[wi] += Double(dy.data[o]) * Double(x.data[xi])
        } }
      } } } }
      assertClose(y, ry, tol: 1e-5)
      assertClose(dx, rdx, tol: 1e-5)
      assertClose(dw, rdw, tol: 1e-4)
    }
  }

  func testConvErrors() throws {
    let x = try Tensor.zeros([1, 3, 4, 4])
    XCTAssertThrowsError(try conv2d(x, Tensor.zeros([2, 2, 3, 3]))) { e in
      XCTAssertTrue("\(e)".contains("conv2d") && "\(e)".contains("[1, 3, 4, 4]"), "\(e)")
    }
    XCTAssertThrowsError(try conv2d(x, Tensor.zeros([2, 3, 3, 3]), stride: 0))
    XCTAssertThrowsError(try conv2d(x, Tensor.zeros([2, 3, 3, 3]), dilation: 0))
    XCTAssertThrowsError(try conv2d(x, Tensor.zeros([2, 3, 5, 5]), padding: .valid))
    XCTAssertThrowsError(try conv2d(x, Tensor.zeros([2, 1, 3, 3]), groups: 2))
    XCTAssertThrowsError(try conv2d(x, Tensor.zeros([2, 3, 3, 3]), bias: Tensor.zeros([3])))
    XCTAssertThrowsError(try conv2d(Tensor.zeros([3, 4, 4]), Tensor.zeros([2, 3, 3, 3])))
    XCTAssertThrowsError(try conv2d(x, Tensor.zeros([2, 3, 3, 3]), padding: .explicit(-1)))
  }
}
