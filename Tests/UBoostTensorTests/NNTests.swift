import XCTest
@testable import UBoostTensor

final class NNTests: XCTestCase {
  // MARK: Pooling

  func testMaxPoolCeilMode() throws {
    let x = try Tensor(shape: [1, 1, 3, 3], data: [1, 2, 3, 4, 9, 6, 7, 8, 5])
    let y = try maxPool2d(x)
    XCTAssertEqual(y.shape, [1, 1, 2, 2])
    XCTAssertEqual(y.data, [9, 6, 8, 5])
    XCTAssertEqual(try maxPool2d(x, ceilMode: false).data, [9])
    XCTAssertThrowsError(try maxPool2d(try Tensor.zeros([1, 1, 1, 1])))
    XCTAssertThrowsError(try maxPool2d(x, kernel: 0))
  }

  func testMaxPoolGradient() throws {
    // Distinct, well-separated values so no finite-difference step changes an arg-max.
    var rng = RandomSource(seed: 3)
    var vals = (0..<(2 * 2 * 5 * 5)).map { Float($0) * 0.1 }
    rng.shuffle(&vals)
    let x = try Tensor(shape: [2, 2, 5, 5], data: vals)
    try gradCheck([x]) { t in try maxPool2d(t[0]) }
  }

  // MARK: Same-size pooling

  /// Direct loops over the padded window: max of the in-bounds values, or their mean.
  func referencePool(_ x: Tensor, max isMax: Bool, kernel k: Int) -> [Double] {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    var out: [Double] = []
    for b in 0..<n {
      for ch in 0..<c {
        for i in 0..<h {
          for j in 0..<w {
            var vals: [Double] = []
            for di in -(k / 2)...(k / 2) {
              for dj in -(k / 2)...(k / 2) where (0..<h).contains(i + di) && (0..<w).contains(j + dj) {
                vals.append(Double(x.data[((b * c + ch) * h + i + di) * w + j + dj]))
              }
            }
            out.append(isMax ? vals.max() ?? 0 : vals.reduce(0, +) / Double(vals.count))
          }
        }
      }
    }
    return out
  }

  func testSamePoolingAgainstDirectLoops() throws {
    // 6 planes run in one piece, 40 in parallel ranges.
    for x in [try randomTensor([2, 3, 5, 4], seed: 21), try randomTensor([4, 10, 6, 7], seed: 22)] {
      for k in [1, 3, 5, 7] {
        let mx = try maxPool2dSame(x, kernel: k), av = try avgPool2dSame(x, kernel: k)
        XCTAssertEqual(mx.shape, x.shape)
        XCTAssertEqual(av.shape, x.shape)
        assertClose(mx.data, referencePool(x, max: true, kernel: k), tol: 1e-6)
        assertClose(av.data, referencePool(x, max: false, kernel: k), tol: 1e-5)
      }
    }
    let x = try randomTensor([2, 3, 5, 4], seed: 21)
    // A corner of a 3x3 average sees 4 values, an edge 6, the inside 9.
    let ones = try Tensor.ones([1, 1, 3, 3])
    XCTAssertEqual(try avgPool2dSame(ones, kernel: 3).data, [Float](repeating: 1, count: 9))
    XCTAssertEqual(try maxPool2dSame(try Tensor(shape: [1, 1, 1, 1], data: [-2]), kernel: 3).data, [-2])
    XCTAssertEqual(try pool2dSame(Tensor.zeros([0, 2, 3, 3]), mode: .avg, kernel: 3).shape, [0, 2, 3, 3])
    XCTAssertThrowsError(try maxPool2dSame(x, kernel: 2))
    XCTAssertThrowsError(try avgPool2dSame(x, kernel: 0))
    XCTAssertThrowsError(try avgPool2dSame(try Tensor.zeros([3, 3]), kernel: 3))
  }

  func testSamePoolingGradients() throws {
    // Distinct, well-separated values so no finite-difference step changes an arg-max.
    var rng = RandomSource(seed: 5)
    var vals = (0..<(2 * 2 * 5 * 4)).map { Float($0) * 0.1 }
    rng.shuffle(&vals)
    let x = try Tensor(shape: [2, 2, 5, 4], data: vals)
    try gradCheck([x]) { t in try maxPool2dSame(t[0], kernel: 3) }
    try gradCheck([x]) { t in try avgPool2dSame(t[0], kernel: 3) }
    try gradCheck([x]) { t in try avgPool2dSame(t[0], kernel: 5) }
  }

  func testGlobalAvgPoolAndFlatten() throws {
    let x = try randomTensor([2, 3, 2, 2], seed: 4)
    let y = try globalAvgPool2d(x)
    XCTAssertEqual(y.shape, [2, 3])
    XCTAssertEqual(y.data[4], (x.data[16] + x.data[17] + x.data[18] + x.data[19]) / 4, accuracy: 1e-6)
    try gradCheck([x]) { t in try globalAvgPool2d(t[0]) }
    try gradCheck([x]) { t in try t[0].flatten(from: 1) }
  }

  // MARK: Batch norm

  func testBatchNormAgainstDirectLoops() throws {
    let (n, c, h, w) = (3, 2, 2, 3)
    let x = try randomTensor([n, c, h, w], seed: 30)
    let gamma = try Tensor(shape: [c], data: [1.5, -0.5]), beta = try Tensor(shape: [c], data: [0.1, 0.2])
    var rm: [Float] = [0.5, -0.5], rv: [Float] = [2, 3]
    let y = try batchNorm2d(x, weight: gamma, bias: beta, runningMean: &rm, runningVar: &rv, training: true, momentum: 0.1, eps: 1e-5)
    var ref = [Double](repeating: 0, count: x.count)
    let m = Double(n * h * w)
    for ch in 0..<c {
      var vals: [Double] = []
      for b in 0..<n { for i in 0..<(h * w) { vals.append(Double(x.data[(b * c + ch) * h * w + i])) } }
      let mu = vals.reduce(0, +) / m
      let v = vals.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / m
      for b in 0..<n { for i in 0..<(h * w) {
        let q = (b * c + ch) * h * w + i
        ref[q] = (Double(x.data[q]) - mu) / (v + 1e-5).squareRoot() * Double(gamma.data[ch]) + Double(beta.data[ch])
      } }
      XCTAssertEqual(Double(rm[ch]), 0.9 * [0.5, -0.5][ch] + 0.1 * mu, accuracy: 1e-5)
      XCTAssertEqual(Double(rv[ch]), 0.9 * [2.0, 3.0][ch] + 0.1 * v * m / (m - 1), accuracy: 1e-5)
    }
    assertClose(y.data, ref, tol: 1e-4)
    // Eval mode uses the running statistics.
    let ye = try batchNorm2d(x, weight: gamma, bias: beta, runningMean: &rm, runningVar: &rv, training: false)
    var refE = [Double](repeating: 0, count: x.count)
    for q in 0..<x.count {
      let ch = (q / (h * w)) % c
      refE[q] = (Double(x.data[q]) - Double(rm[ch])) / (Double(rv[ch]) + 1e-5).squareRoot() * Double(gamma.data[ch]) + Double(beta.data[ch])
    }
    assertClose(ye.data, refE, tol: 1e-4)
  }

  func testBatchNormGradients() throws {
    let x = try randomTensor([3, 2, 2, 2], seed: 31)
    let g = try randomTensor([2], seed: 32), b = try randomTensor([2], seed: 33)
    var rm: [Float] = [0, 0], rv: [Float] = [1, 1]
    try gradCheck([x, g, b], atol: 5e-3, rtol: 3e-2) { t in
      try batchNorm2d(t[0], weight: t[1], bias: t[2], runningMean: &rm, runningVar: &rv, training: true)
    }
    try gradCheck([x, g, b]) { t in
      try batchNorm2d(t[0], weight: t[1], bias: t[2], runningMean: &rm, runningVar: &rv, training: false)
    }
    let bn = BatchNorm2d(channels: 2, affine: false)
    XCTAssertTrue(bn.parameters.isEmpty)
    try gradCheck([x], atol: 5e-3, rtol: 3e-2) { t in try bn(t[0], training: true) }
  }

  /// `relu: true` gives `batchNorm2d(...).relu()`'s values and gradients bit for bit (training
  /// and eval, rows whose length is not a multiple of 8), and its gradients pass the
  /// finite-difference check.
  func testBatchNormReLUFusedMatchesUnfused() throws {
    for training in [true, false] {
      func run(fused: Bool) throws -> (y: [Float], grads: [[Float]], rm: [Float], rv: [Float]) {
        let x = try randomTensor([3, 5, 7, 5], seed: 34).trainable()
        let gamma = try randomTensor([5], seed: 35).trainable(), beta = try randomTensor([5], seed: 36).trainable()
        var rm: [Float] = [0.1, -0.2, 0.3, 0, 0.5], rv: [Float] = [1, 2, 0.5, 1.5, 1]
        let bn = try batchNorm2d(x, weight: gamma, bias: beta, runningMean: &rm, runningVar: &rv, training: training,
                                 relu: fused)
        let y = fused ? bn : bn.relu()
        try y.backward(seed: try randomTensor(y.shape, seed: 37).data)
        return (y.data, [x, gamma, beta].map { $0.gradData ?? [] }, rm, rv)
      }
      let (f, u) = (try run(fused: true), try run(fused: false))
      XCTAssertEqual(f.y, u.y, "training \(training)")
      XCTAssertTrue(f.y.contains(0) && f.y.contains { $0 > 0 }, "the ReLU must cut some outputs")
      for (a, b) in zip(f.grads, u.grads) { XCTAssertEqual(a, b, "training \(training)") }
      XCTAssertEqual(f.rm, u.rm); XCTAssertEqual(f.rv, u.rv)
    }
    let x = try randomTensor([2, 3, 3, 3], seed: 38)
    let g = try randomTensor([3], seed: 39), b = try randomTensor([3], seed: 40)
    var rm: [Float] = [0, 0, 0], rv: [Float] = [1, 1, 1]
    try gradCheck([x, g, b], h: 1e-3, atol: 5e-3, rtol: 3e-2) { t in
      try batchNorm2d(t[0], weight: t[1], bias: t[2], runningMean: &rm, runningVar: &rv, training: true, relu: true)
    }
    try gradCheck([x, g, b], h: 1e-3) { t in
      try batchNorm2d(t[0], weight: t[1], bias: t[2], runningMean: &rm, runningVar: &rv, training: false, relu: true)
    }
  }

  func testBatchNormErrors() throws {
    var rm: [Float] = [0], rv: [Float] = [1]
    XCTAssertThrowsError(try batchNorm2d(try Tensor.zeros([2, 2, 2, 2]), weight: nil, bias: nil, runningMean: &rm, runningVar: &rv, training: true))
    XCTAssertThrowsError(try batchNorm2d(try Tensor.zeros([1, 1, 1, 1]), weight: nil, bias: nil, runningMean: &rm, runningVar: &rv, training: true))
    XCTAssertThrowsError(try BatchNorm2d(channels: 3)(try Tensor.zeros([2, 2, 2, 2]), training: true))
  }

  // MARK: Softmax and losses

  func testCrossEntropyAgainstDirectLoops() throws {
    let logits = try randomTensor([4, 5], seed: 40)
    let labels = [0, 4, 2, 2]
    let loss = try crossEntropy(logits, labels)
    var ref = 0.0
    for i in 0..<4 {
      let row = (0..<5).map { Double(logits.data[i * 5 + $0]) }
      let lse = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
      ref += lse - row[labels[i]]
    }
    XCTAssertEqual(Double(try loss.item()), ref / 4, accuracy: 1e-5)
    try gradCheck([logits]) { t in try crossEntropy(t[0], labels) }
    XCTAssertThrowsError(try crossEntropy(logits, [0, 1, 2, 5])) { e in XCTAssertTrue("\(e)".contains("label 5")) }
    XCTAssertThrowsError(try crossEntropy(logits, [0, 1]))
  }

  func testSoftmaxValuesAndGradients() throws {
    let x = try randomTensor([2, 3, 4], seed: 41)
    let p = try softmax(x, axis: 1)
    for i in 0..<2 { for k in 0..<4 {
      var s: Float = 0
      for j in 0..<3 { s += p.data[i * 12 + j * 4 + k] }
      XCTAssertEqual(s, 1, accuracy: 1e-6)
    } }
    let lp = try logSoftmax(x)
    XCTAssertEqual(lp.data[0], Foundation.log(try softmax(x).data[0]), accuracy: 1e-5)
    try gradCheck([x]) { t in try softmax(t[0], axis: 1) }
    try gradCheck([x]) { t in try logSoftmax(t[0]) }
    try gradCheck([x]) { t in try logSoftmax(t[0], axis: 0) }
  }

  func testTopkAccuracy() throws {
    let logits = try Tensor(shape: [3, 4], data: [0.1, 0.9, 0.3, 0.2, 0.5, 0.1, 0.2, 0.3, 0.0, 0.1, 0.2, 0.3])
    XCTAssertEqual(try topkAccuracy(logits, [1, 3, 0], k: 1), 1.0 / 3.0, accuracy: 1e-6)
    XCTAssertEqual(try topkAccuracy(logits, [1, 3, 0], k: 2), 2.0 / 3.0, accuracy: 1e-6)
    XCTAssertEqual(try topkAccuracy(logits, [1, 3, 0], k: 4), 1, accuracy: 1e-6)
    XCTAssertThrowsError(try topkAccuracy(logits, [1, 3, 0], k: 0))
  }

  // MARK: Channel mask and Gumbel-softmax

  func testChannelMask() throws {
    let x = try randomTensor([2, 3, 2, 2], seed: 50), m = try randomTensor([3], seed: 51)
    let y = try channelMask(x, m)
    XCTAssertEqual(y.data[5], x.data[5] * m.data[1])
    try gradCheck([x, m]) { t in try channelMask(t[0], t[1]) }
    XCTAssertThrowsError(try channelMask(x, try Tensor.zeros([2])))
  }

  func testGumbelSoftmax() throws {
    let a = try randomTensor([2, 5], seed: 60)
    var rng = RandomSource(seed: 5)
    let g = try gumbelSoftmax(a, tau: 0.7, rng: &rng)
    // Independent: the same noise stream, softmax((a + G) / tau) by direct loops.
    var r2 = RandomSource(seed: 5)
    for i in 0..<2 {
      let z = (0..<5).map { (Double(a.data[i * 5 + $0]) + r2.gumbel()) / 0.7 }
      let mx = z.max() ?? 0
      let e = z.map { Foundation.exp($0 - mx) }, s = e.reduce(0, +)
      for j in 0..<5 { XCTAssertEqual(Double(g.data[i * 5 + j]), e[j] / s, accuracy: 1e-5) }
    }
    try gradCheck([a]) { t in
      var r = RandomSource(seed: 9)
      return try gumbelSoftmax(t[0], tau: 0.5, rng: &r)
    }
    var r3 = RandomSource(seed: 1)
    let h = try gumbelSoftmax(a, tau: 1, rng: &r3, hard: true)
    XCTAssertEqual(h.data.filter { $0 == 1 }.count, 2)
    XCTAssertEqual(h.data.reduce(0, +), 2)
    XCTAssertThrowsError(try gumbelSoftmax(a, tau: 0, rng: &r3))
    // Straight-through: the hard sample's gradient is the soft sample's.
    let a1 = try randomTensor([2, 5], seed: 61).trainable(), a2 = try Tensor(shape: [2, 5], data: a1.data).trainable()
    var q1 = RandomSource(seed: 4), q2 = RandomSource(seed: 4)
    let seed = (0..<10).map { Float($0) / 10 }
    try gumbelSoftmax(a1, tau: 0.8, rng: &q1, hard: true).backward(seed: seed)
    try gumbelSoftmax(a2, tau: 0.8, rng: &q2, hard: false).backward(seed: seed)
    XCTAssertEqual(a1.gradData ?? [], a2.gradData ?? [1])
  }
}
