import Foundation
@testable import UBoostBuiltins
import UBoostLang
import UBoostNAS
import XCTest

/// `search()` and `channel_search()` are uboost functions (stdlib/search.uboost); the engine keeps
/// its own loop (`SearchLoop.run`, used by the pipeline and the Swift API). With the same settings
/// both leave a supernet bit for bit in the same place: every alpha, every weight and tau.
final class SearchStdlibTests: XCTestCase {
  static let setup = """
    let data = dataset("synthetic", size: 32, shape: [1, 8, 8], batch: 8, seed: 5)
    let valid = dataset("synthetic", split: "test", size: 16, shape: [1, 8, 8], batch: 8, seed: 5)
    let net = supernet(cell_space(ops: ["conv3x3", "sep3x3", "identity", "zero"], nodes: 2), stem: 8, stacks: [1, 1], input: data, seed: 2)

    """

  /// Runs `setup` plus `script` and returns the interpreter.
  func run(_ script: String) throws -> Interpreter {
    let interp = TestSupport.interpreter { _ in }
    try interp.run(source: SearchStdlibTests.setup + script, file: "<test>")
    return interp
  }

  func object<T>(_ interp: Interpreter, _ name: String, as: T.Type) throws -> T {
    guard case .object(let o)? = interp.lookup(name), let t = o as? T else { throw XCTSkip("no \(name) in the script") }
    return t
  }

  /// The state a search leaves: alphas, weights, tau.
  func state(_ net: Supernet) -> [[Float]] {
    net.optimizerAlphas.map(\.data) + net.weights.map(\.data) + [[net.tau]]
  }

  /// search(options) in uboost against the engine loop with the same settings on a twin.
  func check(_ options: String, _ settings: (inout ScriptSearchSettings) -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
    let a = try run("let r = search(net, data, epochs: 3, split: 0.5, warmup: 1, valid: valid\(options))")
    let b = try run("")
    let netA = try object(a, "net", as: SupernetObject.self)
    let netB = try object(b, "net", as: SupernetObject.self)
    let data = try object(b, "data", as: DatasetObject.self)
    let valid = try object(b, "valid", as: DatasetObject.self)
    var s = ScriptSearchSettings(epochs: 3, split: 0.5, verbose: false)
    s.warmupEpochs = 1
    settings(&s)
    let loop = try ScriptLoops.searchLoop(netB, data: data, valid: valid, loss: nil, settings: s, interpreter: b, function: "search")
    let stats = try loop.run(train: data.dataset, valid: valid.dataset)
    XCTAssertTrue(state(netA.net) == state(netB.net), "search(\(options)) left another supernet than the engine loop", file: file, line: line)
    // The records agree too (except the wall time).
    let r = try object(a, "r", as: SearchResultObject.self)
    XCTAssertEqual(r.history.count, stats.count, file: file, line: line)
    for (h, st) in zip(r.history, stats) {
      guard case .record(let box) = h else { XCTFail("history entry \(h.repr)"); continue }
      XCTAssertEqual(box["loss"]?.asNumber, st.trainLoss, file: file, line: line)
      XCTAssertEqual(box["valid_acc"]?.asNumber, st.validTop1, file: file, line: line)
      XCTAssertEqual(box["tau"]?.asNumber, st.tau, file: file, line: line)
      XCTAssertEqual(box["genotype"]?.asString, st.genotype, file: file, line: line)
    }
  }

  func testDefaults() throws { try check("", { _ in }) }
  func testBetaDecay() throws { try check(", beta_decay: 5", { $0.betaDecay = 5 }) }
  func testAuxSkip() throws { try check(", aux_skip: true", { $0.auxSkip = true }) }
  func testSigmoid() throws { try check(", relax: \"sigmoid\", zero_one: 4", { $0.relaxation = .sigmoid; $0.zeroOneCoef = 4 }) }
  func testCoefficients() throws { try check(", lat_coef: 0.3, util_coef: 0", { $0.latCoef = 0.3; $0.utilCoef = 0 }) }
  func testRates() throws {
    try check(", lr: 0.01, alpha_lr: 0.05, clip: 0, tau_decay: 0.7", {
      $0.weightLR = 0.01; $0.archLR = 0.05; $0.gradClip = 0; $0.tauDecay = 0.7
    })
  }

  /// The check can fail: another split is another supernet.
  func testAnotherSettingDiffers() throws {
    let a = try run("search(net, data, epochs: 2, split: 0.5)")
    let b = try run("search(net, data, epochs: 2)")
    XCTAssertTrue(state(try object(a, "net", as: SupernetObject.self).net) != state(try object(b, "net", as: SupernetObject.self).net))
  }

  /// A second search of the same supernet starts its optimizers afresh, as the engine loop does.
  func testSecondSearchStartsAfresh() throws {
    let a = try run("search(net, data, epochs: 1)\nsearch(net, data, epochs: 1, lr: 0.01)")
    let b = try run("search(net, data, epochs: 1)")
    let netB = try object(b, "net", as: SupernetObject.self)
    var s = ScriptSearchSettings(epochs: 1, verbose: false)
    s.weightLR = 0.01
    let data = try object(b, "data", as: DatasetObject.self)
    let loop = try ScriptLoops.searchLoop(netB, data: data, valid: nil, loss: nil, settings: s, interpreter: b, function: "search")
    try loop.run(train: data.dataset, valid: nil)
    XCTAssertTrue(state(try object(a, "net", as: SupernetObject.self).net) == state(netB.net), "the second search kept optimizer state")
  }

  /// The channel stage: channel_search in uboost against the engine loop on the same channel supernet.
  func testChannelSearch() throws {
    let script = "let ms = search(net, data)\nlet cs = channel_search(ms, data, channels: 8...16 step 8, stacks: [1, 1], epochs: 2, split: 0.5)\n"
    let a = try run(script)
    let b = try run(script.replacingOccurrences(of: "epochs: 2", with: "epochs: 0"))
    let cs = try object(b, "cs", as: SearchResultObject.self)
    let s = ScriptSearchSettings(epochs: 2, split: 0.5, verbose: false)
    let data = try object(b, "data", as: DatasetObject.self)
    let loop = try ScriptLoops.searchLoop(cs.supernet, data: data, valid: nil, loss: nil, settings: s, interpreter: b, function: "channel_search")
    try loop.run(train: data.dataset, valid: nil)
    XCTAssertTrue(state(try object(a, "cs", as: SearchResultObject.self).supernet.net) == state(cs.supernet.net), "channel_search left another supernet")
  }
}
