import XCTest
import UBoostTensor
@testable import UBoostNAS

/// Finite-difference checks of the supernet's gradients (weights through mixed edges, masks,
/// alphas through gumbel weights and the cost op), on tiny networks in double-checked float32.
final class GradientCheckTests: XCTestCase {
  func tinySpace() -> SearchSpaceConfig {
    var s = SearchSpaceConfig()
    s.input = InputShape(height: 6, width: 6, channels: 1)
    s.stemChannels = 3
    s.classes = 3
    s.microStacks = [1, 0]
    s.channelStacks = [1, 0]
    s.channels = try! ChannelChoices(start: 2, stop: 6, step: 2)
    return s
  }

  func check(_ net: Supernet, params: [Tensor], training: Bool = false, loss: (SupernetOutput) throws -> Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
    net.gumbelNoise = false
    var rng = RandomSource(seed: 5)
    let x = try Tensor.randn([4, 1, 6, 6], rng: &rng)
    func f() throws -> Float { try loss(try net.forward(x, training: training)).item() }
    // Put BN running stats somewhere non-trivial, then differentiate in eval mode (deterministic).
    _ = try net.forward(x, training: true)
    net.zeroGrad()
    try loss(try net.forward(x, training: training)).backward()
    var checked = 0
    for p in params {
      let g = p.gradData ?? [Float](repeating: 0, count: p.count)
      for i in stride(from: 0, to: p.count, by: max(1, p.count / 3)) {
        let orig = p.data[i]
        let h: Float = 1e-2
        p.data[i] = orig + h; let up = try f()
        p.data[i] = orig - h; let dn = try f()
        p.data[i] = orig
        let num = (up - dn) / (2 * h)
        XCTAssertEqual(g[i], num, accuracy: 2e-2 * max(1, abs(num)), "\(p.name ?? "?")[\(i)]", file: file, line: line)
        checked += 1
      }
    }
    XCTAssertGreaterThan(checked, 5, file: file, line: line)
  }

  func testMicroSupernetWeightAndAlphaGradients() throws {
    let net = try Supernet(space: tinySpace(), stage: .micro, seed: 2, cost: TestCost(), aggregation: .standard)
    let labels = [0, 1, 2, 1]
    let ws = net.weights
    let some = [ws[0], ws[4]] + Array(ws.suffix(2)) + Array(ws[10..<14])
    try check(net, params: some + net.alphas.prefix(3), loss: { o in
      try (try crossEntropy(o.logits, labels)) + (try o.latency * 0.5) - o.util
    })
  }

  func testMicroSupernetGradientsInTrainingMode() throws {
    let net = try Supernet(space: tinySpace(), stage: .micro, seed: 4, cost: TestCost(), aggregation: .standard)
    let labels = [0, 1, 2, 1]
    let ws = net.weights
    try check(net, params: [ws[0], ws[6], ws[20]] + Array(ws.suffix(2)) + net.alphas.prefix(2), training: true, loss: { o in
      try crossEntropy(o.logits, labels)
    })
  }

  func testChannelSupernetMaskGradients() throws {
    var ops: [String: CandidateOp] = [:]
    for (e, op) in zip(CellEdge.all(nodes: 3), [CandidateOp.conv3x3, .sep3x3, .identity, .dil3x3, .zero, .conv5x5, .sep5x5, .identity, .conv3x3]) {
      ops[e.name] = op
    }
    let net = try Supernet(space: tinySpace(), stage: .channel, genotype: Genotype(cells: [CellGenotype(ops: ops)]), seed: 3,
                           cost: TestCost(), aggregation: .reference)
    let labels = [2, 1, 0, 0]
    try check(net, params: Array(net.alphas.prefix(4)) + [net.weights[2]], loss: { o in
      try (try crossEntropy(o.logits, labels)) + (try o.latency * 0.5) - o.util
    })
  }
}

/// An independent smooth cost for tests: latency = k*k*cin*cout*h*w * 1e-4 (ms), util = a
/// smooth function of the widths, with exact derivatives.
struct TestCost: LayerCostEvaluator {
  func evaluate(_ q: CostQuery) throws -> CostAnswer {
    let k2 = Double(q.kernel * q.kernel), hw = Double(q.outH * q.outW)
    let c = q.kind == .depthwise ? 1.0 : q.cout
    let lat = k2 * q.cin * c * hw * 1e-4
    let u = q.cin / (q.cin + 4) * c / (c + 4)
    let dUdCin = 4 / ((q.cin + 4) * (q.cin + 4)) * c / (c + 4)
    let dUdC = q.cin / (q.cin + 4) * 4 / ((c + 4) * (c + 4))
    return CostAnswer(latencyMs: lat, util: u, dLatencyDCin: k2 * c * hw * 1e-4,
                      dLatencyDCout: q.kind == .depthwise ? 0 : k2 * q.cin * hw * 1e-4,
                      dUtilDCin: dUdCin, dUtilDCout: q.kind == .depthwise ? 0 : dUdC)
  }
}
