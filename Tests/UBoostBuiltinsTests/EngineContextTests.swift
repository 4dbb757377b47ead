import Foundation
import UBoostLang
import UBoostNAS
import XCTest
@testable import UBoostBuiltins

/// Two interpreters in one process keep their engine state apart: each owns an `EngineContext`.
final class EngineContextTests: XCTestCase {
  final class Box: @unchecked Sendable { var items: [String] = [] }

  func testPlotSinkAndCounterBelongToOneInterpreter() throws {
    let a = TestSupport.interpreter { _ in }, b = TestSupport.interpreter { _ in }
    let seenA = Box(), seenB = Box()
    a.engine.plots.sink = { name, _ in seenA.items.append(name) }
    b.engine.plots.sink = { name, _ in seenB.items.append(name) }
    b.engine.plots.terminal = false
    try b.run(source: "plot([1, 2])\nplot([3, 4])", file: "<b>")
    try a.run(source: "plot([1, 2], width: 40, height: 8)", file: "<a>")
    XCTAssertEqual(seenB.items, ["plot-1", "plot-2"])
    XCTAssertEqual(seenA.items, ["plot-1"], "a's count starts at its own first chart")
    XCTAssertTrue(a.engine.plots.terminal, "b turning terminal charts off leaves a's on")
  }

  func testWarningsAreDedupedPerInterpreter() throws {
    let a = TestSupport.interpreter { _ in }, b = TestSupport.interpreter { _ in }
    let wa = Box(), wb = Box()
    a.engine.warnings.sink = { wa.items.append($0) }
    b.engine.warnings.sink = { wb.items.append($0) }
    try a.run(source: "smooth_ceil(357.5)\nsmooth_ceil(357.5)", file: "<a>")
    try b.run(source: "smooth_ceil(357.5)", file: "<b>")
    XCTAssertEqual(wa.items.count, 1, "once per interpreter: \(wa.items)")
    XCTAssertEqual(wb.items.count, 1, "a having shown it does not silence b: \(wb.items)")
  }

  func testDatasetCacheBelongsToOneInterpreter() throws {
    let a = TestSupport.interpreter { _ in }, b = TestSupport.interpreter { _ in }
    let d = try DataCache.synthetic(size: 4, shape: InputShape(height: 2, width: 2, channels: 1), classes: 2, seed: 1, split: "train")
    var loads = 0
    let load = { () -> DataSplits in loads += 1; return DataSplits(train: d, valid: d, test: d) }
    _ = try a.engine.datasets.cached("k", load)
    _ = try a.engine.datasets.cached("k", load)
    XCTAssertEqual(loads, 1, "a decodes once")
    XCTAssertEqual(b.engine.datasets.count, 0, "b holds none of a's data")
    _ = try b.engine.datasets.cached("k", load)
    XCTAssertEqual(loads, 2, "b loads its own")
  }

  /// While `a` runs inside `no_grad`, `b` (on its own evaluation thread) still records gradients.
  func testGradModeOfOneInterpreterDoesNotReachAnother() throws {
    let a = TestSupport.interpreter { _ in }
    var printed = ""
    let b = TestSupport.interpreter { printed += $0 }
    final class Result: @unchecked Sendable { var error: Error? }
    let result = Result()
    a.define("run_b", .builtin(BuiltinFunction("run_b", "", "Runs a backward pass in b.") { _ in
      do { try b.run(source: "let w = param(tensor([1, 2]))\nbackward(sum(w * w))\nprint(w.grad)", file: "<b>") } catch {
        result.error = error
      }
      return .nil_
    }))
    try a.run(source: "no_grad(fn() => run_b())", file: "<a>")
    XCTAssertNil(result.error, "b's backward failed while a was in no_grad: \(String(describing: result.error))")
    XCTAssertTrue(printed.contains("2") && printed.contains("4"), printed)
    // And a itself does not record inside no_grad.
    XCTAssertThrowsError(try a.run(source: "let w = param(tensor([1, 2]))\nno_grad(fn() => backward(sum(w * w)))", file: "<a>"))
  }

  /// Installing the engine defines no name the language already defines (the tensor versions
  /// are overloads), so the language's `mean`, `sum`, `max` answer lists, also after a second
  /// install, and tensors reach the tensor versions.
  func testTheEngineRedefinesNoLanguageName() throws {
    let plain = Interpreter(output: { _ in }, loadStdlib: true)
    let a = TestSupport.interpreter { _ in }
    for name in plain.globalNames() {
      guard case .builtin(let theirs)? = plain.lookup(name), case .builtin(let ours)? = a.lookup(name) else { continue }
      XCTAssertEqual(ours.signature, theirs.signature, "the engine redefined \(name)")
    }
    for lib in Builtins.libraries {
      for f in lib.entries { XCTAssertNil(plain.lookup(f.name), "\(lib.name) library redefines the language's \(f.name)") }
    }
    try Builtins.install(into: a, options: BuiltinOptions(loadStdlib: false, stdlibDirectory: nil))
    XCTAssertEqual(try a.run(source: "mean([1, 2, 3]) + sum([1, 2]) + max(4, 5)", file: "<a>").asNumber, 10)
    XCTAssertEqual(try a.run(source: "mean(tensor([1, 2, 3, 6])).item() + max(0, tensor([-1, 2])).tolist()[1]", file: "<a>").asNumber, 5)
  }
}
