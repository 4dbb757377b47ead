import Foundation
import XCTest
import UBoostTensor
@testable import UBoostNAS

/// Ops defined from conv stages (`op(name, stages)` in uboost) build the same engine units as the
/// built-in ops: a script op with a built-in's stages is that op, bit for bit.
final class ScriptOpTests: XCTestCase {
  func smallSpace(_ ops: [CandidateOp]) -> SearchSpaceConfig {
    var s = SearchSpaceConfig()
    s.ops = ops
    s.input = InputShape(height: 8, width: 8, channels: 1)
    s.stemChannels = 8
    s.microStacks = [1, 1]
    s.channelStacks = [1, 1]
    s.classes = 4
    return s
  }

  /// Same seed, same stages: same weights, logits, latency, utilization and every gradient.
  func testScriptSeparableIsTheBuiltIn() throws {
    let mine = CandidateOp(name: "mysep", stages: [OpStage(kind: .depthwise, kernel: 3), OpStage(kind: .conv, kernel: 1)])
    let a = try Supernet(space: smallSpace([.conv3x3, .sep3x3, .identity]), stage: .micro, seed: 3, cost: HardwareCost.systolic())
    let b = try Supernet(space: smallSpace([.conv3x3, mine, .identity]), stage: .micro, seed: 3, cost: HardwareCost.systolic())
    var rng = RandomSource(seed: 9)
    let x = try Tensor.randn([2, 1, 8, 8], rng: &rng)
    let oa = try a.forward(x, training: true), ob = try b.forward(x, training: true)
    XCTAssertEqual(oa.logits.data, ob.logits.data)
    XCTAssertEqual(oa.latency.data, ob.latency.data)
    XCTAssertEqual(oa.util.data, ob.util.data)
    try (oa.logits.sum() + oa.latency).backward()
    try (ob.logits.sum() + ob.latency).backward()
    XCTAssertEqual(a.weights.count, b.weights.count)
    for (p, q) in zip(a.weights + a.optimizerAlphas, b.weights + b.optimizerAlphas) {
      XCTAssertEqual(p.gradData, q.gradData, p.name ?? "?")
    }
  }

  /// An inverted bottleneck: 1x1 expansion (3x), depthwise 3x3, 1x1 projection, residual; the
  /// costed layers follow its stages, and a genotype file naming it is resolved by the space.
  func testInvertedBottleneckLayersAndResolution() throws {
    let mb = CandidateOp(name: "mbconv3", stages: [OpStage(kind: .conv, kernel: 1, expand: 3), OpStage(kind: .depthwise, kernel: 3),
                                                   OpStage(kind: .conv, kernel: 1)], residual: true)
    try mb.validate()
    XCTAssertEqual(mb.outputStage, 2)
    let space = smallSpace([mb, .identity])
    var ops: [String: CandidateOp] = [:]
    for e in space.edges { ops[e.name] = mb }
    let g = Genotype(cells: [CellGenotype(ops: ops)])
    let layers = try ArchitectureCost.layers(space: space, genotype: g, stacks: space.channelStacks)
    let first = layers.filter { $0.cell == 0 && $0.edge.hasPrefix("xp_t1") }
    XCTAssertEqual(first.map(\.edge), ["xp_t1/pw1", "xp_t1/dw", "xp_t1/pw3"])
    XCTAssertEqual(first.map(\.cout), [3 * first[0].cin, 3 * first[0].cin, first[0].cin])
    // JSON keeps a script op's definition, so a genotype file stands on its own ...
    XCTAssertEqual(try JSONDecoder().decode(Genotype.self, from: try JSONEncoder().encode(g)), g)
    // ... and a file that only names it is resolved by the space.
    let named = try JSONDecoder().decode(CandidateOp.self, from: Data("\"mbconv3\"".utf8))
    XCTAssertFalse(named.isResolved)
    var back = g
    for k in back.cells[0].ops.keys { back.cells[0].ops[k] = named }
    XCTAssertEqual(try space.resolve(back), g)
    XCTAssertThrowsError(try smallSpace([.conv3x3]).resolve(back)) { e in
      XCTAssertTrue("\(e)".contains("'mbconv3' is not in the space"), "\(e)")
    }
    let spaceBack = try JSONDecoder().decode(SearchSpaceConfig.self, from: try JSONEncoder().encode(space))
    XCTAssertEqual(spaceBack.ops, space.ops)
    // A final network with the op trains through its residual path.
    let net = try Supernet(space: space, stage: .final, genotype: back, seed: 1)
    var rng = RandomSource(seed: 2)
    let out = try net.forward(try Tensor.randn([2, 1, 8, 8], rng: &rng), training: true)
    XCTAssertEqual(out.logits.shape, [2, 4])
  }

  func testInvalidOpsAreErrors() {
    func message(_ op: CandidateOp) -> String {
      do { try op.validate(); return "" } catch { return "\(error)" }
    }
    XCTAssertTrue(message(CandidateOp(name: "x", stages: [])).contains("at least one stage"))
    XCTAssertTrue(message(CandidateOp(name: "x", stages: [OpStage(kind: .conv, kernel: 4)])).contains("odd"))
    XCTAssertTrue(message(CandidateOp(name: "x", stages: [OpStage(kind: .conv, kernel: 1, expand: 2)])).contains("must not have expand"))
    XCTAssertTrue(message(CandidateOp(name: "x y", stages: [OpStage(kind: .conv, kernel: 3)])).contains("name"))
    XCTAssertEqual(message(CandidateOp(name: "dwonly", stages: [OpStage(kind: .depthwise, kernel: 5, dilation: 2)])), "")
  }

  // MARK: Pool stages

  static let maxPool = CandidateOp(name: "max_pool_3x3", stages: [OpStage(kind: .maxPool, kernel: 3)])
  static let avgPool = CandidateOp(name: "avg_pool_3x3", stages: [OpStage(kind: .avgPool, kernel: 3)])
  /// Average pooling, then a 3x3 conv: its conv is not the op's first stage, so it must not run
  /// with the other ops' 3x3 convs on the unpooled input.
  static let poolConv = CandidateOp(name: "pool_conv", stages: [OpStage(kind: .avgPool, kernel: 3), OpStage(kind: .conv, kernel: 3)])

  /// Pool-only ops keep their width and carry neither weights nor cost; a supernet with them
  /// trains, costs only its convs, derives, and its derived network survives a network file.
  func testPoolOpsSearchDeriveAndRoundTrip() throws {
    let ops: [CandidateOp] = [ScriptOpTests.maxPool, ScriptOpTests.avgPool, .sep3x3, ScriptOpTests.poolConv, .conv3x3, .identity, .zero]
    for op in ops where !op.isBuiltin { try op.validate() }
    XCTAssertFalse(ScriptOpTests.maxPool.hasWeights)
    XCTAssertFalse(ScriptOpTests.maxPool.hasOutputConv)
    XCTAssertTrue(ScriptOpTests.poolConv.hasWeights)
    XCTAssertEqual(ScriptOpTests.poolConv.outputStage, 1)
    XCTAssertEqual(OpInstance.stageNames(ScriptOpTests.poolConv), ["avgpool", "conv"])
    let space = smallSpace(ops)

    // The micro supernet: forward and backward reach every weight and alpha.
    let net = try Supernet(space: space, stage: .micro, seed: 3, cost: HardwareCost.systolic())
    var rng = RandomSource(seed: 9)
    let x = try Tensor.randn([2, 1, 8, 8], rng: &rng)
    let out = try net.forward(x, training: true)
    XCTAssertEqual(out.logits.shape, [2, 4])
    let latency = try out.latency.item()
    XCTAssertTrue(latency.isFinite && latency > 0)
    try (try crossEntropy(out.logits, [0, 1]) + out.latency).backward()
    for a in net.optimizerAlphas { XCTAssertNotNil(a.gradData, a.name ?? "?") }
    // A pool-only op has no cost of its own in a mixed edge (as identity).
    let mix = try XCTUnwrap(out.costs.compactMap(\.mix).first)
    let lat = mix.latency.data
    XCTAssertEqual(lat[0], 0); XCTAssertEqual(lat[1], 0); XCTAssertEqual(lat[5], 0)
    XCTAssertGreaterThan(lat[2], 0); XCTAssertGreaterThan(lat[3], 0)
    // The memory estimate counts no values for pool stages: pool ops change nothing.
    XCTAssertEqual(Supernet.estimatedValueCount(space: smallSpace([.sep3x3, ScriptOpTests.maxPool, .identity]), stage: .micro)
                   - Supernet.estimatedValueCount(space: smallSpace([.sep3x3, .identity, .zero]), stage: .micro), 0)

    // A derived network with every kind of op.
    _ = try net.genotype
    var cell = CellGenotype(ops: [:])
    let pick: [CandidateOp] = [ScriptOpTests.maxPool, ScriptOpTests.poolConv, ScriptOpTests.avgPool, .sep3x3]
    for (i, e) in space.edges.enumerated() { cell.ops[e.name] = pick[i % pick.count] }
    for e in space.edges where cell.ops[e.name]?.hasOutputConv == true { cell.widths[e.name] = 6 }
    let g = Genotype(cells: [cell])
    let layers = try ArchitectureCost.layers(space: space, genotype: g, stacks: space.channelStacks)
    for e in space.edges {
      let mine = layers.filter { $0.cell == 0 && ($0.edge == e.name || $0.edge.hasPrefix(e.name + "/") && !$0.edge.hasSuffix("/lift")) }
      switch cell.ops[e.name]?.name {
      case "max_pool_3x3", "avg_pool_3x3": XCTAssertEqual(mine.count, 0, e.name)   // free: no layer
      case "pool_conv": XCTAssertEqual(mine.map(\.edge), [e.name + "/conv"])        // the conv only
      default: XCTAssertEqual(mine.count, 2, e.name)
      }
    }
    // A channel-stage network from it searches only the convs' widths.
    let channel = try trainRoundTripAndChannel(space: space, genotype: g, x: x)
    XCTAssertEqual(try channel.forward(x, training: true).logits.shape, [2, 4])
  }

  /// Trains the final network of `genotype` two steps, checks that its network file gives back the
  /// genotype and the same logits, and returns the channel-stage network of the genotype.
  func trainRoundTripAndChannel(space: SearchSpaceConfig, genotype g: Genotype, x: Tensor,
                                file: StaticString = #filePath, line: UInt = #line) throws -> Supernet {
    let final = try Supernet(space: space, stage: .final, genotype: g, seed: 4)
    let sgd = try SGD(lr: 0.05, momentum: 0.9)
    for _ in 0..<2 {
      let l = try crossEntropy(try final.forward(x, training: true).logits, [0, 1])
      try l.backward()
      try sgd.step(final.weights)
      zeroGrad(final.weights)
    }
    let path = NSTemporaryDirectory() + "uboost-op-net-\(UUID().uuidString).json"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NetworkFile(final).write(to: path)
    let back = try NetworkFile.read(from: path).build(source: path)
    XCTAssertEqual(try back.genotype, try final.genotype, file: file, line: line)
    XCTAssertEqual(try back.forward(x, training: false).logits.data, try final.forward(x, training: false).logits.data,
                   file: file, line: line)
    return try Supernet(space: space, stage: .channel, genotype: g, seed: 5, cost: HardwareCost.systolic())
  }

  /// Edges leaving one node run their ops' first 3x3 convs together; an op that starts with a
  /// pool stage has no first conv, so its conv (which reads the pooled input) is not among them.
  func testAnOpStartingWithAPoolSharesNoConv() throws {
    var rng = RandomSource(seed: 1)
    func edge(_ to: Int) throws -> EdgeModule {
      let ops = try [CandidateOp.conv3x3, ScriptOpTests.poolConv].map {
        try OpInstance(op: $0, name: "xp_t\(to)", cin: 4, cout: 4, channelChoices: nil, rng: &rng)
      }
      XCTAssertNil(ops[1].firstUnit)
      XCTAssertEqual(ops[1].units.count, 1)
      return EdgeModule(edge: CellEdge(from: 0, to: to), ops: ops)
    }
    let edges = [try edge(1), try edge(2)]
    var shared = SharedEdgeInputs()
    let g = try Tensor(shape: [2], data: [0.5, 0.5])
    try shared.prepare(source: 0, x: try Tensor.randn([1, 4, 5, 5], rng: &rng), edges: edges, g: [g, g])
    XCTAssertEqual(shared.pre[0].map { Array($0.keys) }, [0])
    XCTAssertEqual(shared.pre[1].map { Array($0.keys) }, [0])
  }

  /// A pool stage in a genotype file is a stage like any other; files without pool stages still decode.
  func testPoolStagesCodableAndValidation() throws {
    let g = Genotype(cells: [CellGenotype(ops: ["xp_t1": ScriptOpTests.poolConv, "xpp_t1": ScriptOpTests.maxPool])])
    XCTAssertEqual(try JSONDecoder().decode(Genotype.self, from: try JSONEncoder().encode(g)), g)
    let old = #"{"name": "c3", "stages": [{"kind": "conv", "kernel": 3, "dilation": 1}, {"kind": "depthwise", "kernel": 5, "dilation": 2}]}"#
    let op = try JSONDecoder().decode(CandidateOp.self, from: Data(old.utf8))
    XCTAssertEqual(op.stages, [OpStage(kind: .conv, kernel: 3), OpStage(kind: .depthwise, kernel: 5, dilation: 2)])
    func message(_ stages: [OpStage]) -> String {
      do { try CandidateOp(name: "p", stages: stages).validate(); return "" } catch { return "\(error)" }
    }
    XCTAssertTrue(message([OpStage(kind: .maxPool, kernel: 2)]).contains("odd"))
    XCTAssertTrue(message([OpStage(kind: .avgPool, kernel: 17)]).contains("1...15"))
    XCTAssertTrue(message([OpStage(kind: .avgPool, kernel: 3, dilation: 2)]).contains("no dilation"))
    XCTAssertTrue(message([OpStage(kind: .maxPool, kernel: 3, expand: 2)]).contains("no expand"))
    XCTAssertEqual(message([OpStage(kind: .maxPool, kernel: 3), OpStage(kind: .avgPool, kernel: 5), OpStage(kind: .depthwise, kernel: 3)]), "")
  }

  // MARK: Sum stages

  /// Inception-like: three branches (1x1; depthwise 3x3 then 1x1; 3x3 average pooling) added,
  /// then a 1x1 that sets the op's width.
  static let incep = CandidateOp(name: "incep", stages: [
    .sum([[OpStage(kind: .conv, kernel: 1)], [OpStage(kind: .depthwise, kernel: 3), OpStage(kind: .conv, kernel: 1)],
          [OpStage(kind: .avgPool, kernel: 3)]]),
    OpStage(kind: .conv, kernel: 1)])
  /// Ghost-like: a 1x1 (the op's width, the channel search), then x + dw3x3(x).
  static let ghostSum = CandidateOp(name: "ghostsum", stages: [OpStage(kind: .conv, kernel: 1),
                                                               .sum([[], [OpStage(kind: .depthwise, kernel: 3)]])])

  func ctx(training: Bool = false, cost: LayerCostEvaluator? = nil) -> ForwardContext {
    ForwardContext(training: training, tau: 1, rng: RandomSource(seed: 1), noise: false, cost: cost, mode: .standard)
  }

  /// A sum op's forward is the sum of its branches, each built as a single op from the same random
  /// stream (the same weights), then the top-level 1x1; its units are named by branch.
  func testSumForwardIsTheSumOfItsBranches() throws {
    let op = ScriptOpTests.incep
    try op.validate()
    XCTAssertTrue(op.hasWeights)
    XCTAssertEqual(op.outputStage, 1)
    XCTAssertEqual(op.stageWidths(cin: 4, cout: 6).map(\.cout), [4, 6])
    var rng = RandomSource(seed: 7)
    let inst = try OpInstance(op: op, name: "xp_t1", cin: 4, cout: 6, channelChoices: nil, rng: &rng)
    XCTAssertEqual(inst.units.map(\.name), ["xp_t1/sum1.b1.pw", "xp_t1/sum1.b2.dw", "xp_t1/sum1.b2.pw", "xp_t1"])
    XCTAssertEqual(inst.units.map(\.cout), [4, 4, 4, 6])
    XCTAssertNil(inst.firstUnit)   // an op starting with a sum shares no unfolding
    XCTAssertEqual(inst.outputUnit?.name, "xp_t1")
    XCTAssertEqual(inst.outWidth, 6)
    XCTAssertEqual(inst.parameters.count, 16)

    var rng2 = RandomSource(seed: 7)
    let b1 = try OpInstance(op: CandidateOp(name: "b1", stages: [OpStage(kind: .conv, kernel: 1)]), name: "b1", cin: 4, cout: 4,
                            channelChoices: nil, rng: &rng2)
    let b2 = try OpInstance(op: .sep3x3, name: "b2", cin: 4, cout: 4, channelChoices: nil, rng: &rng2)
    let top = try OpInstance(op: CandidateOp(name: "top", stages: [OpStage(kind: .conv, kernel: 1)]), name: "top", cin: 4, cout: 6,
                             channelChoices: nil, rng: &rng2)
    var xr = RandomSource(seed: 3)
    let x = try Tensor.randn([2, 4, 5, 5], rng: &xr)
    let c = ctx(training: true, cost: HardwareCost.systolic())
    let w = Tensor(scalar: 4)
    let (y, soft, cost) = try inst.forward(x, cinSoft: w, ctx: c)
    let y1 = try XCTUnwrap(try b1.forward(x, cinSoft: w, ctx: c).0)
    let y2 = try XCTUnwrap(try b2.forward(x, cinSoft: w, ctx: c).0)
    let y3 = try avgPool2dSame(x, kernel: 3)
    let (want, _, _) = try top.forward(try y1 + y2 + y3, cinSoft: w, ctx: c)
    XCTAssertEqual(try XCTUnwrap(y).data, try XCTUnwrap(want).data)
    XCTAssertEqual(try XCTUnwrap(y).shape, [2, 6, 5, 5])
    // The same gradients as the hand-made sum: every branch weight gets its own.
    var rr = RandomSource(seed: 4)
    let r = try Tensor.randn([2, 6, 5, 5], rng: &rr)
    try (try XCTUnwrap(y) * r).sum().backward()
    try (try XCTUnwrap(want) * r).sum().backward()
    for (u, v) in zip(inst.units, b1.units + b2.units + top.units) {
      XCTAssertEqual(u.weight.gradData, v.weight.gradData, u.name)
      XCTAssertNotNil(u.weight.gradData, u.name)
    }
    XCTAssertEqual(try soft.item(), 6)
    // One cost entry for the op: the latencies of its four convs add up.
    let k = try XCTUnwrap(cost)
    var parts: Float = 0
    for (u, cin) in zip(inst.units, [4, 4, 4, 4]) {
      let r = try u.forward(try Tensor.zeros([2, cin, 5, 5]), cinSoft: Tensor(scalar: Float(cin)), ctx: c)
      parts += try XCTUnwrap(r.2).latency.item()
    }
    XCTAssertEqual(try k.latency.item(), parts, accuracy: 1e-4 * max(1, parts))

    // The ghost-like op: its 1x1 carries the op's width, the identity branch adds it back.
    var rng3 = RandomSource(seed: 8)
    let ghost = try OpInstance(op: ScriptOpTests.ghostSum, name: "e", cin: 4, cout: 6, channelChoices: nil, rng: &rng3)
    XCTAssertEqual(ghost.units.map(\.name), ["e", "e/sum2.b2.dw"])
    XCTAssertEqual(ghost.firstUnit?.name, "e")
    let (g, _, _) = try ghost.forward(x, cinSoft: w, ctx: ctx())
    let pw = try ghost.units[0].forward(x, cinSoft: w, ctx: ctx()).0
    let dw = try ghost.units[1].forward(pw, cinSoft: w, ctx: ctx()).0
    XCTAssertEqual(try XCTUnwrap(g).data, try (pw + dw).data)
  }

  /// Gradients of a tiny final network's loss reach every branch weight; the branch weights'
  /// gradients of one sum op match finite differences.
  func testSumGradientsMatchFiniteDifferences() throws {
    let space = smallSpace([ScriptOpTests.incep, ScriptOpTests.ghostSum, .identity])
    var cell = CellGenotype(ops: [:])
    for (i, e) in space.edges.enumerated() { cell.ops[e.name] = i % 2 == 0 ? ScriptOpTests.incep : ScriptOpTests.ghostSum }
    let net = try Supernet(space: space, stage: .final, genotype: Genotype(cells: [cell]), seed: 4)
    var rng = RandomSource(seed: 5)
    let x = try Tensor.randn([3, 1, 8, 8], rng: &rng)
    func loss() throws -> Tensor { try crossEntropy(try net.forward(x, training: false).logits, [0, 1, 2]) }
    try loss().backward()
    let branch = net.weights.filter { ($0.name ?? "").contains("/sum") && ($0.name ?? "").hasSuffix(".weight") }
    XCTAssertFalse(branch.isEmpty)
    for p in branch { XCTAssertNotNil(p.gradData, p.name ?? "?") }
    // Finite differences on one op (a tiny smooth loss: the output against fixed random weights).
    var r2 = RandomSource(seed: 6)
    let inst = try OpInstance(op: ScriptOpTests.ghostSum, name: "e", cin: 3, cout: 3, channelChoices: nil, rng: &r2)
    let xi = try Tensor.randn([1, 3, 5, 5], rng: &r2)
    let r = try Tensor.randn([1, 3, 5, 5], rng: &r2)
    func opLoss() throws -> Tensor { try (try XCTUnwrap(try inst.forward(xi, cinSoft: Tensor(scalar: 3), ctx: ctx()).0) * r).sum() }
    for p in inst.units.map(\.weight) {
      zeroGrad(inst.parameters)
      try opLoss().backward()
      let grad = try XCTUnwrap(p.gradData, p.name ?? "?")
      for i in 0..<p.count {
        // h = 1e-3: at 1e-2 a ReLU kink of the dw's output moves one corner tap's difference.
        let orig = p.data[i], h: Float = 1e-3
        p.data[i] = orig + h; let up = try opLoss().item()
        p.data[i] = orig - h; let dn = try opLoss().item()
        p.data[i] = orig
        let num = (up - dn) / (2 * h)
        XCTAssertEqual(grad[i], num, accuracy: 2e-2 * max(1, abs(num)), "\(p.name ?? "?")[\(i)]")
      }
    }
  }

  /// A micro supernet with sum ops trains and costs the branch convs; the memory estimate counts
  /// them (as many values as the same convs in a row); a derived network lists every branch conv
  /// as a layer and survives a network file with identical logits; a channel stage searches only
  /// the top-level convs' widths.
  func testSumOpsSearchDeriveAndRoundTrip() throws {
    let ops: [CandidateOp] = [ScriptOpTests.incep, ScriptOpTests.ghostSum, .sep3x3, .identity, .zero]
    let space = smallSpace(ops)
    let net = try Supernet(space: space, stage: .micro, seed: 3, cost: HardwareCost.systolic())
    var rng = RandomSource(seed: 9)
    let x = try Tensor.randn([2, 1, 8, 8], rng: &rng)
    let out = try net.forward(x, training: true)
    XCTAssertEqual(out.logits.shape, [2, 4])
    try (try crossEntropy(out.logits, [0, 1]) + out.latency).backward()
    for a in net.optimizerAlphas { XCTAssertNotNil(a.gradData, a.name ?? "?") }
    for w in net.weights where (w.name ?? "").contains("/sum") { XCTAssertNotNil(w.gradData, w.name ?? "?") }
    let mix = try XCTUnwrap(out.costs.compactMap(\.mix).first)
    XCTAssertGreaterThan(mix.latency.data[0], mix.latency.data[2])   // incep: four convs; sep3x3: two

    // Same convs, no sum: same values in the estimate and in the built network.
    let flat = CandidateOp(name: "flat", stages: [OpStage(kind: .conv, kernel: 1), OpStage(kind: .depthwise, kernel: 3),
                                                  OpStage(kind: .conv, kernel: 1), OpStage(kind: .conv, kernel: 1)])
    XCTAssertEqual(Supernet.estimatedValueCount(space: smallSpace([ScriptOpTests.incep, .identity]), stage: .micro),
                   Supernet.estimatedValueCount(space: smallSpace([flat, .identity]), stage: .micro))
    XCTAssertEqual(try Supernet(space: smallSpace([ScriptOpTests.incep, .identity]), stage: .micro, seed: 1).weightCount,
                   try Supernet(space: smallSpace([flat, .identity]), stage: .micro, seed: 1).weightCount)

    var cell = CellGenotype(ops: [:])
    for (i, e) in space.edges.enumerated() { cell.ops[e.name] = [ScriptOpTests.incep, ScriptOpTests.ghostSum, .sep3x3][i % 3] }
    for e in space.edges where cell.ops[e.name]?.hasOutputConv == true { cell.widths[e.name] = 6 }
    let g = Genotype(cells: [cell])
    let layers = try ArchitectureCost.layers(space: space, genotype: g, stacks: space.channelStacks)
    for e in space.edges {
      let mine = layers.filter { $0.cell == 0 && ($0.edge == e.name || $0.edge.hasPrefix(e.name + "/") && !$0.edge.hasSuffix("/lift")) }
      switch cell.ops[e.name]?.name {
      case "incep":
        XCTAssertEqual(mine.map(\.edge), ["sum1.b1.pw", "sum1.b2.dw", "sum1.b2.pw", "pw"].map { e.name + "/" + $0 })
        XCTAssertEqual(mine.map(\.cout), [mine[0].cin, mine[0].cin, mine[0].cin, 6])
      case "ghostsum":
        XCTAssertEqual(mine.map(\.edge), [e.name + "/pw", e.name + "/sum2.b2.dw"])
        XCTAssertEqual(mine.map(\.cout), [6, 6])
        XCTAssertEqual(mine[1].kind, .depthwise)
      default: XCTAssertEqual(mine.count, 2, e.name)
      }
    }
    let channel = try trainRoundTripAndChannel(space: space, genotype: g, x: x)
    XCTAssertEqual(try channel.forward(x, training: true).logits.shape, [2, 4])
    XCTAssertFalse(channel.channelSearches.contains { $0.name.contains("/sum") })
  }

  /// A sum stage in a genotype file keeps its branches; files without `branches` still decode and
  /// only sums write it; validation names the stage and the branch.
  func testSumStagesCodableAndValidation() throws {
    let g = Genotype(cells: [CellGenotype(ops: ["xp_t1": ScriptOpTests.incep, "xpp_t1": ScriptOpTests.ghostSum])])
    XCTAssertEqual(try JSONDecoder().decode(Genotype.self, from: try JSONEncoder().encode(g)), g)
    let old = #"{"name": "c3", "stages": [{"kind": "conv", "kernel": 3, "dilation": 1}, {"kind": "maxPool", "kernel": 3, "dilation": 1}]}"#
    let op = try JSONDecoder().decode(CandidateOp.self, from: Data(old.utf8))
    XCTAssertEqual(op.stages, [OpStage(kind: .conv, kernel: 3), OpStage(kind: .maxPool, kernel: 3)])
    let plain = String(decoding: try JSONEncoder().encode(OpStage(kind: .conv, kernel: 3)), as: UTF8.self)
    XCTAssertFalse(plain.contains("branches"), plain)
    let sum = String(decoding: try JSONEncoder().encode(ScriptOpTests.ghostSum.stages[1]), as: UTF8.self)
    XCTAssertTrue(sum.contains("branches"), sum)
    XCTAssertNotEqual(OpStage.sum([[], []]), OpStage.sum([[], [OpStage(kind: .depthwise, kernel: 3)]]))
    XCTAssertEqual(Set([ScriptOpTests.incep.stages[0], ScriptOpTests.incep.stages[0]]).count, 1)
    // A file with an invalid sum is an error, not a trap.
    let bad = #"{"name": "s", "stages": [{"kind": "sum", "kernel": 1, "dilation": 1, "branches": [[]]}]}"#
    XCTAssertThrowsError(try JSONDecoder().decode(CandidateOp.self, from: Data(bad.utf8)))

    func message(_ stages: [OpStage]) -> String {
      do { try CandidateOp(name: "s", stages: stages).validate(); return "" } catch { return "\(error)" }
    }
    let dw3 = OpStage(kind: .depthwise, kernel: 3), pw = OpStage(kind: .conv, kernel: 1)
    XCTAssertTrue(message([.sum([[pw]])]).contains("stage 1: a sum needs 2 to 8 branches, got 1"))
    XCTAssertTrue(message([.sum(Array(repeating: [], count: 9))]).contains("got 9"))
    XCTAssertTrue(message([pw, .sum([[], [dw3, OpStage(kind: .depthwise, kernel: 4)]])]).contains("stage 2, branch 2, stage 2: kernel must be odd"))
    XCTAssertTrue(message([.sum([[.sum([[], []])], []])]).contains("stage 1, branch 1, stage 1: a sum inside a sum"))
    XCTAssertTrue(message([.sum([[OpStage(kind: .conv, kernel: 1, expand: 2)], []])]).contains("branch 1: the last full conv must not have expand"))
    XCTAssertTrue(message([OpStage(kind: .conv, kernel: 1, branches: [[], []])]).contains("only a sum stage has branches"))
    XCTAssertTrue(message([OpStage(kind: .sum, kernel: 3, branches: [[], []])]).contains("no kernel"))
    XCTAssertTrue(message([.sum(Array(repeating: Array(repeating: dw3, count: 8), count: 4))]).contains("stages in all"))
    XCTAssertTrue(message([.sum([Array(repeating: dw3, count: 9), []])]).contains("branch 1: at most 8 stages"))
    XCTAssertEqual(message([.sum([[OpStage(kind: .conv, kernel: 1, expand: 2), dw3, pw], [OpStage(kind: .maxPool, kernel: 3)], []])]), "")
    // A sum of pools and identities has no weights and keeps the width.
    let free = CandidateOp(name: "free", stages: [.sum([[], [OpStage(kind: .maxPool, kernel: 3)]])])
    XCTAssertFalse(free.hasWeights)
    XCTAssertFalse(free.hasOutputConv)
  }
}
