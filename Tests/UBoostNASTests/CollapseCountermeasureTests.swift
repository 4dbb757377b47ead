import XCTest
import UBoostTensor
@testable import UBoostNAS

/// The options against DARTS' collapse onto parameter-free ops: beta-decay, the zero-one loss,
/// sigmoid relaxation, the auxiliary skip, warm-up, PC-DARTS' partial channels; and the
/// FBNetV2 mask placement of the channel search.
final class CollapseCountermeasureTests: XCTestCase {
  func tinySpace() -> SearchSpaceConfig {
    var s = SearchSpaceConfig()
    s.input = InputShape(height: 6, width: 6, channels: 1)
    s.stemChannels = 4
    s.classes = 3
    s.ops = [.conv3x3, .sep3x3, .identity, .zero]
    s.microStacks = [1, 0]
    s.channelStacks = [1, 0]
    s.channels = try! ChannelChoices(start: 2, stop: 6, step: 2)
    return s
  }

  func synthetic(_ n: Int, seed: UInt64) throws -> Dataset {
    var rng = RandomSource(seed: seed)
    var images: [Float] = [], labels: [Int] = []
    for i in 0..<n {
      let y = i % 3
      labels.append(y)
      for p in 0..<36 { images.append((p % 3 == y ? 0.9 : -0.3) + Float(rng.normal()) * 0.4) }
    }
    return try Dataset(name: "synthetic", shape: InputShape(height: 6, width: 6, channels: 1), classes: 3, images: images, labels: labels)
  }

  /// Central differences of `f` at every element of `p` against its analytic gradient.
  func gradCheck(_ p: Tensor, tol: Float = 2e-3, _ f: () throws -> Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
    p.zeroGrad()
    try f().backward()
    let g = p.gradData ?? [Float](repeating: 0, count: p.count)
    for i in 0..<p.count {
      let orig = p.data[i], h: Float = 1e-2
      p.data[i] = orig + h; let up = try f().item()
      p.data[i] = orig - h; let dn = try f().item()
      p.data[i] = orig
      let num = (up - dn) / (2 * h)
      XCTAssertEqual(g[i], num, accuracy: tol * max(1, abs(num)), "[\(i)]", file: file, line: line)
    }
  }

  // MARK: - Regularisers

  func testBetaDecayIsMeanLogSumExpWithSoftmaxGradient() throws {
    let a = Tensor.constant(shape: [3], data: [0.5, -1, 2]).trainable()
    let b = Tensor.constant(shape: [3], data: [30, 31, 29]).trainable()   // large: the stable form
    let v = try SearchRegularizers.betaDecay([a, b]).item()
    func lse(_ x: [Double]) -> Double { let m = x.max()!; return m + Foundation.log(x.map { Foundation.exp($0 - m) }.reduce(0, +)) }
    XCTAssertEqual(Double(v), (lse([0.5, -1, 2]) + lse([30, 31, 29])) / 2, accuracy: 1e-4)
    try gradCheck(a) { try SearchRegularizers.betaDecay([a, b]) }
    try gradCheck(b) { try SearchRegularizers.betaDecay([a, b]) }
    // d/da = softmax(a) / 2.
    let s = [0.5, -1.0, 2.0].map(Foundation.exp), z = s.reduce(0, +)
    a.zeroGrad(); try SearchRegularizers.betaDecay([a, b]).backward()
    for i in 0..<3 { XCTAssertEqual(Double(a.gradData![i]), s[i] / z / 2, accuracy: 1e-5) }
  }

  func testZeroOneLossValueAndGradient() throws {
    let a = Tensor.constant(shape: [4], data: [0, 1, -2, 0.3]).trainable()
    let want = -[0.0, 1, -2, 0.3].map { x -> Double in let s = 1 / (1 + Foundation.exp(-x)); return (s - 0.5) * (s - 0.5) }.reduce(0, +) / 4
    XCTAssertEqual(Double(try SearchRegularizers.zeroOne([a]).item()), want, accuracy: 1e-6)
    try gradCheck(a) { try SearchRegularizers.zeroOne([a]) }
  }

  func testSchedules() {
    // beta-decay ramps over the alpha epochs; warm-up epochs give 0.
    XCTAssertEqual(SearchRegularizers.linearRamp(peak: 2, epoch: 0, warmup: 1, epochs: 5), 0)
    XCTAssertEqual(SearchRegularizers.linearRamp(peak: 2, epoch: 1, warmup: 1, epochs: 5), 0.5)
    XCTAssertEqual(SearchRegularizers.linearRamp(peak: 2, epoch: 4, warmup: 1, epochs: 5), 2)
    // The auxiliary skip starts at 1 and decays linearly over the alpha epochs.
    XCTAssertEqual(SearchRegularizers.auxSkipWeight(epoch: 0, warmup: 0, epochs: 4), 1)
    XCTAssertEqual(SearchRegularizers.auxSkipWeight(epoch: 2, warmup: 0, epochs: 4), 0.5)
    XCTAssertEqual(SearchRegularizers.auxSkipWeight(epoch: 1, warmup: 2, epochs: 4), 1)
  }

  // MARK: - PC-DARTS

  func testChannelShuffleInterleavesGroups() throws {
    // 4 channels in 2 groups: [c0 c1 | c2 c3] -> [c0 c2 c1 c3].
    let x = Tensor.constant(shape: [1, 4, 1, 2], data: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]).trainable()
    let y = try FusedOps.channelShuffle(x, groups: 2)
    XCTAssertEqual(y.data, [0, 0.5, 2, 2.5, 1, 1.5, 3, 3.5])
    let w = Tensor.constant(shape: [1, 4, 1, 2], data: [1, 2, 3, 4, 5, 6, 7, 8])
    try gradCheck(x) { try (try FusedOps.channelShuffle(x, groups: 2) * w).sum() }
  }

  func testPartialChannelsNarrowOpsButPriceFullWidth() throws {
    var full = tinySpace(), pc = tinySpace()
    pc.partialChannels = 2
    let a = try Supernet(space: full, stage: .micro, seed: 3, cost: TestCost())
    let b = try Supernet(space: pc, stage: .micro, seed: 3, cost: TestCost())
    a.gumbelNoise = false; b.gumbelNoise = false
    XCTAssertLessThan(b.weightCount, a.weightCount)
    XCTAssertEqual(a.alphas.map(\.data), b.alphas.map(\.data))
    var rng = RandomSource(seed: 1)
    let x = try Tensor.randn([2, 1, 6, 6], rng: &rng)
    let oa = try a.forward(x, training: true), ob = try b.forward(x, training: true)
    XCTAssertEqual(ob.logits.shape, [2, 3])
    // The candidate ops run on half the channels, the cost model sees the derived (full) width.
    XCTAssertEqual(try oa.latency.item(), try ob.latency.item(), accuracy: 1e-5)
    XCTAssertEqual(try oa.util.item(), try ob.util.item(), accuracy: 1e-5)
    // Gradients reach the alphas through the partial mix.
    try (try crossEntropy(ob.logits, [0, 1])).backward()
    XCTAssertTrue(b.alphas.contains { ($0.gradData ?? []).contains { $0 != 0 } })
    full.partialChannels = 3   // does not divide 4
    XCTAssertThrowsError(try Supernet(space: full, stage: .micro)) { e in XCTAssertTrue("\(e)".contains("partial channels"), "\(e)") }
  }

  func testPartialChannelGradientsMatchFiniteDifferences() throws {
    var s = tinySpace()
    s.partialChannels = 2
    let net = try Supernet(space: s, stage: .micro, seed: 6, cost: TestCost())
    net.gumbelNoise = false
    var rng = RandomSource(seed: 2)
    let x = try Tensor.randn([3, 1, 6, 6], rng: &rng)
    _ = try net.forward(x, training: true)
    for p in net.alphas.prefix(2) {
      try gradCheck(p, tol: 2e-2) { let o = try net.forward(x, training: false); return try (try crossEntropy(o.logits, [0, 1, 2])) + o.latency }
    }
  }

  // MARK: - Relaxation, auxiliary skip

  func testSigmoidRelaxationAndAuxSkipGradients() throws {
    let net = try Supernet(space: tinySpace(), stage: .micro, seed: 8, cost: TestCost())
    net.gumbelNoise = false
    net.relaxation = .sigmoid
    net.auxSkip = 0.7
    var rng = RandomSource(seed: 3)
    let x = try Tensor.randn([3, 1, 6, 6], rng: &rng)
    _ = try net.forward(x, training: true)
    for p in net.alphas.prefix(2) {
      try gradCheck(p, tol: 2e-2) { let o = try net.forward(x, training: false); return try (try crossEntropy(o.logits, [2, 0, 1])) + o.latency }
    }
    // The skip changes the output; with weight 0 it is gone.
    let with = try net.forward(x, training: false).logits.data
    net.auxSkip = 0
    XCTAssertNotEqual(with, try net.forward(x, training: false).logits.data)
  }

  // MARK: - The loop

  func testWarmupKeepsAlphasAndLoopClearsAuxSkip() throws {
    let net = try Supernet(space: tinySpace(), stage: .micro, seed: 1)
    let before = net.alphas.map(\.data)
    var cfg = SearchConfig()
    cfg.epochs = 2; cfg.batch = 6; cfg.warmupEpochs = 2; cfg.auxSkip = true; cfg.betaDecay = 1
    try SearchLoop(net: net, config: cfg, stage: "micro").run(train: try synthetic(24, seed: 1), valid: nil)
    XCTAssertEqual(net.alphas.map(\.data), before, "warm-up epochs must not move the alphas")
    XCTAssertEqual(net.auxSkip, 0)
    cfg.warmupEpochs = 3
    XCTAssertThrowsError(try SearchLoop(net: net, config: cfg, stage: "micro")) { e in XCTAssertTrue("\(e)".contains("warm-up"), "\(e)") }
  }

  func testBetaDecayShrinksTheDominantAlphas() throws {
    // Same seed and budget, with and without beta-decay: the regulariser lowers the largest alpha.
    func run(_ beta: Float) throws -> Float {
      let net = try Supernet(space: tinySpace(), stage: .micro, seed: 2)
      var cfg = SearchConfig()
      cfg.epochs = 3; cfg.batch = 6; cfg.weightVsArch = 0.5; cfg.betaDecay = beta; cfg.archLR = 0.05
      try SearchLoop(net: net, config: cfg, stage: "micro").run(train: try synthetic(36, seed: 2), valid: nil)
      return net.alphas.flatMap(\.data).max() ?? 0
    }
    XCTAssertLessThan(try run(5), try run(0))
  }

  func testSameSeedSameGenotypeWithEveryOption() throws {
    func run() throws -> String {
      var s = tinySpace()
      s.partialChannels = 2
      let net = try Supernet(space: s, stage: .micro, seed: 4, cost: TestCost())
      var cfg = SearchConfig()
      cfg.epochs = 3; cfg.batch = 6; cfg.warmupEpochs = 1; cfg.betaDecay = 1; cfg.auxSkip = true; cfg.relaxation = .sigmoid
      try SearchLoop(net: net, config: cfg, stage: "micro").run(train: try synthetic(24, seed: 3), valid: nil)
      return "\(try net.genotype) \(net.alphas.map(\.data))"
    }
    XCTAssertEqual(try run(), try run())
  }

  // MARK: - Channel mask placement

  func testMaskAfterActivationZeroesMaskedChannelsAndMovesAlphasWithCE() throws {
    var ops: [String: CandidateOp] = [:]
    for e in CellEdge.all(nodes: 3) { ops[e.name] = .conv3x3 }
    let g = Genotype(cells: [CellGenotype(ops: ops)])
    var rng = RandomSource(seed: 4)
    let x = try Tensor.randn([4, 1, 6, 6], rng: &rng)
    var grads: [MaskPlacement: Float] = [:]
    for placement in MaskPlacement.allCases {
      var s = tinySpace()
      s.maskPlacement = placement
      let net = try Supernet(space: s, stage: .channel, genotype: g, seed: 3)
      net.gumbelNoise = false
      _ = try net.forward(x, training: true)
      for a in net.alphas.prefix(3) {
        try gradCheck(a, tol: 2e-2) { try crossEntropy(try net.forward(x, training: false).logits, [0, 1, 2, 0]) }
      }
      net.zeroGrad()
      try crossEntropy(try net.forward(x, training: true).logits, [0, 1, 2, 0]).backward()
      grads[placement] = net.alphas.reduce(0) { $0 + ($1.gradData ?? []).map(abs).reduce(0, +) }
    }
    XCTAssertGreaterThan(grads[.afterActivation]!, 0)
    XCTAssertEqual(SearchSpaceConfig().maskPlacement, .afterActivation, "FBNetV2's placement is the default")
  }

  // MARK: - P-DARTS' cap on identity edges

  func testIdentityCapKeepsTheStrongestAndReplacesTheRest() {
    let ops: [CandidateOp] = [.conv3x3, .sep3x3, .identity, .zero]
    // Four edges choose identity (index 2); edge 3 picks a conv already.
    let alphas: [[Float]] = [[0.1, 0.2, 0.9, 0], [0.5, 0.1, 0.7, 0.6], [0.3, 0.0, 0.95, 0], [2, 0, 1, 0], [0.0, 0.4, 0.8, 0.9]]
    let choice = [2, 2, 2, 0, 3]
    let capped = Supernet.capIdentity(choice, alphas: alphas, ops: ops, cap: 2)
    // Edges 2 (0.95) and 0 (0.9) keep identity; edge 1 takes its best op with weights (conv3x3),
    // not zero although zero's alpha is higher.
    XCTAssertEqual(capped, [2, 0, 2, 0, 3])
    XCTAssertEqual(Supernet.capIdentity(choice, alphas: alphas, ops: ops, cap: 3), choice)
    XCTAssertEqual(Supernet.capIdentity(choice, alphas: alphas, ops: ops, cap: 0), [1, 0, 0, 0, 3])
  }

  func testCappedGenotypeOfASupernet() throws {
    var s = tinySpace()
    s.sharedAlphas = true
    let net = try Supernet(space: s, stage: .micro, seed: 1)
    // Make identity win everywhere.
    for a in net.alphas { a.data[2] = 5 }
    XCTAssertEqual(try net.genotype.cells[0].ops.values.filter { $0 == .identity }.count, 9)
    net.maxIdentityEdges = 2
    let g = try net.genotype.cells[0].ops
    XCTAssertEqual(g.values.filter { $0 == .identity }.count, 2)
    XCTAssertEqual(try net.argmaxGenotype.cells[0].ops.values.filter { $0 == .identity }.count, 9)
  }
}
