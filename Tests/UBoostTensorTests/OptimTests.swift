import XCTest
@testable import UBoostTensor

final class OptimTests: XCTestCase {
  func testSGDMomentumNesterovWeightDecay() throws {
    for nesterov in [false, true] {
      let p = try Tensor(shape: [2], data: [1, -2]).trainable()
      let opt = try SGD(lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: nesterov)
      var ref: [Double] = [1, -2], buf: [Double] = [0, 0]
      let grads: [[Float]] = [[0.5, -1], [0.25, 0.75], [-0.5, 0.1]]
      for (s, g) in grads.enumerated() {
        p.gradData = g
        try opt.step([p])
        for i in 0..<2 {
          let d = Double(g[i]) + 0.01 * ref[i]
          buf[i] = s == 0 ? d : 0.9 * buf[i] + d
          ref[i] -= 0.1 * (nesterov ? d + 0.9 * buf[i] : buf[i])
        }
      }
      assertClose(p.data, ref, tol: 1e-6)
    }
    XCTAssertThrowsError(try SGD(lr: 0.1, nesterov: true))
    XCTAssertThrowsError(try SGD(lr: -1))
  }

  func testAdam() throws {
    let p = try Tensor(shape: [2], data: [0.5, -0.5]).trainable()
    let opt = try Adam(lr: 0.1, weightDecay: 0.1)
    var ref: [Double] = [0.5, -0.5], m: [Double] = [0, 0], v: [Double] = [0, 0]
    let grads: [[Float]] = [[1, -2], [0.5, 0.5], [-1, 0.25]]
    for (s, g) in grads.enumerated() {
      p.gradData = g
      try opt.step([p])
      let t = Double(s + 1)
      for i in 0..<2 {
        let d = Double(g[i]) + 0.1 * ref[i]
        m[i] = 0.9 * m[i] + 0.1 * d
        v[i] = 0.999 * v[i] + 0.001 * d * d
        let mh = m[i] / (1 - Foundation.pow(0.9, t)), vh = v[i] / (1 - Foundation.pow(0.999, t))
        ref[i] -= 0.1 * mh / (vh.squareRoot() + 1e-8)
      }
    }
    assertClose(p.data, ref, tol: 1e-5)
    // A parameter without a gradient is skipped.
    let q = try Tensor(shape: [1], data: [3]).trainable()
    try opt.step([q])
    XCTAssertEqual(q.data, [3])
  }

  func testClipGradNorm() throws {
    let a = try Tensor(shape: [2], data: [0, 0]).trainable(), b = try Tensor(shape: [1], data: [0]).trainable()
    a.gradData = [3, 0]; b.gradData = [4]
    let n = try clipGradNorm([a, b], maxNorm: 1)
    XCTAssertEqual(n, 5, accuracy: 1e-6)
    XCTAssertEqual(a.gradData?[0] ?? 0, 0.6, accuracy: 1e-5)
    XCTAssertEqual(b.gradData?[0] ?? 0, 0.8, accuracy: 1e-5)
    XCTAssertEqual(try clipGradNorm([a, b], maxNorm: 10), 1, accuracy: 1e-5)
    XCTAssertEqual(b.gradData?[0] ?? 0, 0.8, accuracy: 1e-5)
    XCTAssertThrowsError(try clipGradNorm([a], maxNorm: 0))
  }

  /// `gradClipScale` + `step(_:gradScale:)` is the same update as `clipGradNorm` + `step`, bit for
  /// bit, for SGD and Adam, and leaves the gradients as they were; the norm does not depend on the
  /// thread count.
  func testClipFoldedIntoTheStepMatchesClipThenStep() throws {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    var rng = RandomSource(seed: 5)
    let shapes = [[300, 250], [7], [3, 3]]  // 75000 entries: more than one 64k chunk
    func params() throws -> [Tensor] {
      var r = RandomSource(seed: 9)
      return try shapes.map { try Tensor.randn($0, rng: &r).trainable() }
    }
    for adam in [false, true] {
      let (a, b, c) = (try params(), try params(), try params())
      let (optA, optB): (Optimizer, Optimizer) = adam
        ? (try Adam(lr: 0.01, weightDecay: 1e-3), try Adam(lr: 0.01, weightDecay: 1e-3))
        : (try SGD(lr: 0.1, momentum: 0.9, weightDecay: 1e-3), try SGD(lr: 0.1, momentum: 0.9, weightDecay: 1e-3))
      let optC: Optimizer = adam ? try Adam(lr: 0.01, weightDecay: 1e-3) : try SGD(lr: 0.1, momentum: 0.9, weightDecay: 1e-3)
      for step in 0..<3 {
        let grads = shapes.map { s in (0..<s.reduce(1, *)).map { _ in Float(rng.normal()) * Float(step + 1) } }
        for (i, g) in grads.enumerated() { a[i].gradData = g; b[i].gradData = g; c[i].gradData = g }
        let maxNorm: Float = step == 2 ? 1e6 : 2   // the last step does not clip
        let norm = try clipGradNorm(a, maxNorm: maxNorm)
        try optA.step(a)
        Parallel.setThreads(1)
        let (norm1, scale) = try gradClipScale(b, maxNorm: maxNorm)
        Parallel.setThreads(2)
        XCTAssertEqual(try gradClipScale(b, maxNorm: maxNorm).norm, norm1)
        XCTAssertEqual(norm1, norm)
        XCTAssertEqual(scale == 1, step == 2)
        try optB.step(b, gradScale: scale)
        try optC.step(c, clippingTo: maxNorm)
        for i in shapes.indices {
          XCTAssertEqual(a[i].data, b[i].data, "step \(step) param \(i)")
          XCTAssertEqual(a[i].data, c[i].data, "step \(step) param \(i) (clippingTo)")
          XCTAssertEqual(b[i].gradData, grads[i])
        }
      }
      XCTAssertThrowsError(try optB.step(b, gradScale: .nan))
      XCTAssertThrowsError(try optB.step(b, gradScale: -1))
      XCTAssertThrowsError(try gradClipScale(b, maxNorm: .infinity))
      XCTAssertThrowsError(try optC.step(c, clippingTo: .infinity))
    }
    // clippingTo 0 (off): the plain step, even where the norm is far above any bound.
    let (x, y) = (try params(), try params())
    for (i, s) in shapes.enumerated() { let g = [Float](repeating: 100, count: s.reduce(1, *)); x[i].gradData = g; y[i].gradData = g }
    try SGD(lr: 0.1, momentum: 0.9).step(x, clippingTo: 0)
    try SGD(lr: 0.1, momentum: 0.9).step(y)
    for i in shapes.indices { XCTAssertEqual(x[i].data, y[i].data) }
  }

  func testSchedules() throws {
    let s = try StepLR(stepSize: 30, gamma: 0.5, baseLR: 1e-3)
    XCTAssertEqual(s.lr(at: 29), 1e-3, accuracy: 1e-9)
    XCTAssertEqual(s.lr(at: 30), 5e-4, accuracy: 1e-9)
    XCTAssertEqual(s.lr(at: 65), 2.5e-4, accuracy: 1e-9)
    let o = try OneCycle(maxLR: 0.1, totalSteps: 100, pctStart: 0.3)
    XCTAssertEqual(o.lr(at: 0), 0.004, accuracy: 1e-7)
    XCTAssertEqual(o.lr(at: 29), 0.1, accuracy: 1e-6)
    XCTAssertEqual(o.lr(at: 99), 0.004 / 1e4, accuracy: 1e-9)
    // Midway through the warm-up phase the cosine is at half: (initial + max) / 2.
    XCTAssertEqual(o.lr(at: 14), Float(0.004 + (0.1 - 0.004) / 2 * (1 - Foundation.cos(Double.pi * 14 / 29))), accuracy: 1e-6)
    XCTAssertGreaterThan(o.lr(at: 50), o.lr(at: 80))
    XCTAssertThrowsError(try OneCycle(maxLR: 0.1, totalSteps: 1))
    XCTAssertThrowsError(try StepLR(stepSize: 0, gamma: 0.5))
  }

  func testTrainingReducesLoss() throws {
    // A tiny conv net on fixed random data: a few SGD steps must lower the loss.
    var rng = RandomSource(seed: 11)
    let x = try Tensor.randn([4, 2, 6, 6], rng: &rng)
    let labels = [0, 1, 2, 1]
    let w1 = try kaimingNormal([4, 2, 3, 3], fanIn: 18, rng: &rng).trainable()
    let bn = BatchNorm2d(channels: 4)
    let w2 = try kaimingUniform([3, 36], fanIn: 36, a: Float(5).squareRoot(), rng: &rng).trainable()
    let params = [w1, w2] + bn.parameters
    let opt = try SGD(lr: 0.1, momentum: 0.9)
    func loss() throws -> Tensor {
      let h = try maxPool2d(bn(conv2d(x, w1), training: true).relu())
      return try crossEntropy(linear(h.flatten(), w2, nil), labels)
    }
    let first = try loss().item()
    for _ in 0..<10 {
      zeroGrad(params)
      let l = try loss()
      try l.backward()
      try clipGradNorm(params, maxNorm: 5)
      try opt.step(params)
    }
    XCTAssertLessThan(try loss().item(), first * 0.5)
  }

  /// `configure` (a schedule) keeps the momentum buffer; a freed parameter's buffer is not
  /// inherited by a new tensor.
  func testConfigureKeepsStateAndFreedParametersDropIt() throws {
    let opt = try SGD(lr: 0.1, momentum: 0.9)
    let w = try Tensor(shape: [1], data: [1]).trainable()
    w.gradData = [2]
    try opt.step([w])                       // buf = 2, w = 0.8
    try opt.configure(lr: 0.05, momentum: 0.9, weightDecay: 0)
    w.gradData = [1.6]
    try opt.step([w])                       // buf = 0.9 * 2 + 1.6 = 3.4, w = 0.8 - 0.17
    XCTAssertEqual(w.data[0], 0.63, accuracy: 1e-6)
    for _ in 0..<200 {
      let t = try Tensor(shape: [3], data: [1, 1, 1]).trainable()
      t.gradData = [1, 1, 1]
      try opt.step([t])                      // a fresh tensor: first step, buf = g
      XCTAssertEqual(t.data, [0.95, 0.95, 0.95])
    }
    XCTAssertThrowsError(try opt.configure(lr: -1, momentum: 0.9, weightDecay: 0))
  }
}
