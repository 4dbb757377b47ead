import XCTest
@testable import UBoostLang

/// Every program of the language contract (docs/design language.md) must parse as written; the
/// engine builtins they call come from UBoostBuiltins, so here they are only parsed.
final class ContractSyntaxTests: XCTestCase {
  static let programs = [
    """
    let w = tensor([[1, 2], [3, 4]])
    let x = randn([2, 3], seed: 7)
    let y = relu(w @ x) + 1
    print(y.shape)               # [2, 3]
    let g = grad(fn(v) => sum(v * v), w)     # d/dw of sum(w^2) = 2w
    let p = param(zeros([10]))   # trainable leaf; backward(loss) fills p.grad
    """,
    """
    let hw = systolic(rows: 128, cols: 128, batch: 64, clock: 1e9)
    let layer = conv(k: 3, cin: 64, cout: 129, out: [32, 32])
    hw.cost(layer)               # {latency_ms, util, cycles, macs}
    hw.cost(layer, exact: true)  # with the true ceiling
    simulate(hw, layer)          # cycle-level: {cycles, util, breakdown}
    smooth_ceil(1.05)            # reference form
    smooth_ceil(1.05, temp: 50)  # sigmoid-sum form
    grad(smooth_ceil, 1.05)
    plot([ceil, smooth_ceil], from: 0, to: 4)       # drawn in the terminal
    plot(fn(c) => hw.cost(conv(k: 3, cin: 128, cout: c, out: [8, 8])).util,
         from: 8, to: 512, file: "util.svg")        # and to an image file
    flops(layer), lookup("table.json")
    """,
    """
    let hw = systolic(rows: 128, cols: 128, batch: 64)
    let data = dataset("fashion-mnist", split: "train", limit: 2048, batch: 32)
    let space = cell_space(ops: ["conv3x3", "conv5x5", "sep3x3", "sep5x5",
                                 "dil3x3", "dil5x5", "identity", "zero"])
    let net = supernet(space, stem: 32, stacks: [1, 1, 1], classes: 10)

    fn objective(out, y) =
      cross_entropy(out.logits, y) + 0.5 * out.latency - 1.0 * out.util

    let ms = search(net, data, hw: hw, loss: objective, epochs: 1)
    print(ms.genotype)           # chosen op per edge
    plot(ms.alphas)              # heat map of edge alphas
    let cs = channel_search(ms, data, hw: hw, loss: objective,
                            channels: 64...280 step 8, stacks: [1,0,0,1,0,0,1,0,0])
    save(cs, "cs_arch_state.json")          # the reference's JSON schema
    let final = train(derive(cs), data, epochs: 2)
    evaluate(final, dataset("fashion-mnist", split: "test"))
    """,
    """
    for epoch in 0..<2 {
      for (i, batch) in enumerate(data) {
        let out = net.forward(batch.x)
        let l = objective(out, batch.y)
        if i < 0.8 * len(data) { sgd_step(net.weights, l) } else { adam_step(net.alphas, l) }
      }
      net.tau = max(net.tau * 0.95, 0.001)
      print("epoch \\(epoch): \\(net.genotype)")
    }
    """,
    """
    #%% Cell one
    let a = 1
    #%% Cell two
    print(a)
    """,
  ]

  func testContractProgramsParseAndCompile() throws {
    for (i, text) in ContractSyntaxTests.programs.enumerated() {
      let r = Parser.parse(SourceFile(name: "contract\(i)", text: text))
      XCTAssertTrue(r.errors.isEmpty, "program \(i): \(r.errors.map { $0.description })")
      // Compiling resolves every name; unknown engine names become globals checked at run time.
      let interp = Interpreter(output: { _ in }, loadStdlib: false)
      XCTAssertNoThrow(try interp.compileProgram(SourceFile(name: "contract\(i)", text: text)))
    }
  }
}
