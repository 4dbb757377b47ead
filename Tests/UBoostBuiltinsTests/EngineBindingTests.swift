import Foundation
import UBoostBuiltins
import UBoostHardware
import UBoostLang
import UBoostTensor
import XCTest

/// Numbers that cross the binding are checked against independent computations.
final class EngineBindingTests: XCTestCase {
  func number(_ src: String) throws -> Double {
    let v = try TestSupport.eval(src)
    return try XCTUnwrap(v.asNumber, "\(src) gave \(v.repr)")
  }

  func testSmoothCeilMatchesTheHardwareLayer() throws {
    XCTAssertEqual(try number("smooth_ceil(1.05)"), SmoothCeil.reference(1.05).value, accuracy: 1e-12)
    XCTAssertEqual(try number("smooth_ceil(1.05, temp: 50)"), SmoothCeil.sigmoidSum(1.05, temperature: 50).value, accuracy: 1e-12)
    // Through the tape the derivative is computed in Float.
    XCTAssertEqual(try number("grad(smooth_ceil, 1.05)"), SmoothCeil.reference(1.05).grad, accuracy: 1e-3)
    XCTAssertEqual(try number("grad(fn(x) => smooth_ceil(x, temp: 50), 1.05)"),
                   SmoothCeil.sigmoidSum(1.05, temperature: 50).grad, accuracy: 1e-3)
  }

  /// The reference ceiling's saturation past 300 is a warning on its own channel, not output.
  func testSaturationIsAWarningNotOutput() throws {
    final class Box: @unchecked Sendable { var warnings: [String] = [] }
    let box = Box()
    var printed = ""
    let interp = TestSupport.interpreter { printed += $0 }
    interp.engine.warnings.sink = { box.warnings.append($0) }
    _ = try interp.run(source: "smooth_ceil(357.5)\nsmooth_ceil(357.5)", file: "<t>")
    XCTAssertEqual(printed, "")
    XCTAssertEqual(box.warnings.count, 1, "each distinct warning once")
    XCTAssertTrue(box.warnings.first?.contains("saturates") ?? false, "\(box.warnings)")
  }

  func testCostGradientMatchesFiniteDifferences() throws {
    let setup = "let hw = systolic(rows: 32, cols: 32, batch: 4, ceiling: \"sigmoid\", temp: 8)\n" +
      "fn u(c) = hw.cost(conv(k: 3, cin: 40, cout: c, out: [8, 8])).util\n" +
      "fn lat(c) = hw.cost(conv(k: 3, cin: c, cout: 40, out: [8, 8])).latency_ms\n"
    for c in [33.0, 47.5, 64.2] {
      let h = 1e-3
      let fdU = (try number(setup + "u(\(c + h))") - number(setup + "u(\(c - h))")) / (2 * h)
      let gU = try number(setup + "grad(u, \(c))")
      XCTAssertEqual(gU, fdU, accuracy: 1e-3 * max(1, abs(fdU)), "util at \(c)")
      let fdL = (try number(setup + "lat(\(c + h))") - number(setup + "lat(\(c - h))")) / (2 * h)
      let gL = try number(setup + "grad(lat, \(c))")
      XCTAssertEqual(gL, fdL, accuracy: 1e-3 * max(1e-6, abs(fdL)) + 1e-9, "latency at \(c)")
    }
  }

  func testTensorGradientOfSquares() throws {
    let out = try TestSupport.run("let w = tensor([[1, 2], [3, 4]])\nprint(grad(fn(v) => sum(v * v), w).tolist())\n")
    XCTAssertEqual(out, "[[2, 4], [6, 8]]\n")
  }

  func testEngineErrorsBecomeLanguageErrors() {
    func kind(_ src: String) -> LangError.Kind? {
      do { _ = try TestSupport.eval(src); return nil } catch let e as LangError { return e.kind } catch { return .internal }
    }
    XCTAssertEqual(kind("tensor([[1, 2]]) @ tensor([[1, 2]])"), .value)
    XCTAssertEqual(kind("lookup(\"/nonexistent/table.json\")"), .io)
    XCTAssertEqual(kind("dataset(\"fashion-mnist\", dir: \"/nonexistent\")"), .io)
    XCTAssertEqual(kind("conv(k: 3, cin: \"a\", cout: 4)"), .type)
    XCTAssertEqual(kind("cell_space(ops: [\"conv9x9\"])"), .value)
  }

  /// The language and the engine poll one token: a request either sees is consumed once.
  func testLanguageAndEngineShareOneInterruptToken() throws {
    defer { Builtins.clearInterrupt() }
    Interrupt.request()
    XCTAssertTrue(EngineInterrupt.isRequested, "the engine does not see the language's request")
    XCTAssertThrowsError(try EngineInterrupt.check())
    XCTAssertFalse(Interrupt.isRequested, "the engine's check did not consume the request")
    XCTAssertNoThrow(try EngineInterrupt.check())
    EngineInterrupt.request()
    XCTAssertThrowsError(try Interrupt.checkpoint()) { e in XCTAssertEqual((e as? LangError)?.kind, .interrupted) }
    XCTAssertFalse(EngineInterrupt.isRequested)
  }

  func testInterruptStopsASearchAndClearsBothFlags() throws {
    let src = """
    let data = dataset("synthetic", size: 16, shape: [1, 8, 8], batch: 8)
    let net = tiny_supernet(data)
    search(net, data, epochs: 1)
    """
    Builtins.requestInterrupt()
    defer { Builtins.clearInterrupt() }
    XCTAssertThrowsError(try TestSupport.eval(src)) { e in
      XCTAssertEqual((e as? LangError)?.kind, .interrupted, "\(e)")
    }
    XCTAssertFalse(Interrupt.isRequested)
    // Nothing is left over to stop the next long builtin.
    XCTAssertEqual(try number(src.replacingOccurrences(of: "search(net, data, epochs: 1)", with: "len(search(net, data, epochs: 1).history)")), 1)
    // Bindings survive and the next evaluation runs.
    XCTAssertEqual(try number("1 + 1"), 2)
  }

  /// Ctrl-C while a search runs (requested from another thread) stops it within a step.
  func testInterruptDuringALongSearch() throws {
    let src = """
    let data = dataset("synthetic", size: 64, shape: [1, 8, 8], batch: 8)
    let net = tiny_supernet(data)
    search(net, data, epochs: 10000)
    """
    final class Box: @unchecked Sendable { var error: Error?; var seconds = 0.0 }
    let box = Box()
    let done = expectation(description: "search stopped")
    let thread = Thread {
      let start = Date()
      do { _ = try TestSupport.eval(src) } catch { box.error = error }
      box.seconds = Date().timeIntervalSince(start)
      done.fulfill()
    }
    thread.start()
    Thread.sleep(forTimeInterval: 1.0)
    Builtins.requestInterrupt()
    wait(for: [done], timeout: 60)
    Builtins.clearInterrupt()
    XCTAssertEqual((box.error as? LangError)?.kind, .interrupted, "\(String(describing: box.error))")
  }

  func testPlotSinkReceivesSVG() throws {
    final class Box: @unchecked Sendable { var items: [(String, String)] = [] }
    let box = Box()
    let interp = TestSupport.interpreter { _ in }
    interp.engine.plots.sink = { box.items.append(($0, $1)) }
    try interp.run(source: "plot([1, 2, 3], title: \"Util curve\", width: 40, height: 8)\n", file: "<t>")
    XCTAssertEqual(box.items.count, 1)
    XCTAssertEqual(box.items.first?.0, "util-curve")
    XCTAssertTrue(box.items.first?.1.hasPrefix("<?xml") ?? false)
  }
}
