import Foundation
import XCTest
@testable import UBoostLang

final class InterpreterAPITests: XCTestCase {
  func make() -> (Interpreter, () -> String) {
    final class Sink: @unchecked Sendable { var text = "" }
    let sink = Sink()
    let interp = Interpreter(output: { sink.text += $0 }, loadStdlib: false)
    return (interp, { sink.text })
  }

  func testEvaluateReturnsLastExpressionAndKeepsBindings() throws {
    let (interp, _) = make()
    XCTAssertEqual(try interp.evaluate("let a = 20\na + 1").asNumber, 21)
    XCTAssertEqual(try interp.evaluate("a * 2").asNumber, 40)
    XCTAssertTrue(try interp.evaluate("let b = 1").isNil)
    XCTAssertEqual(try interp.evaluate("fn f(x) { x * 3 }\nf(2)").asNumber, 6)
    XCTAssertTrue(interp.globalNames().contains("a"))
    XCTAssertTrue(interp.globalNames().contains("print"))
    XCTAssertEqual(interp.lookup("a")?.asNumber, 20)
  }

  func testDefineAndReset() throws {
    let (interp, out) = make()
    interp.define("answer", .number(42))
    try interp.evaluate("print(answer)")
    XCTAssertEqual(out(), "42\n")
    try interp.evaluate("var mine = 1")
    interp.reset()
    XCTAssertNil(interp.lookup("mine"))
    XCTAssertNil(interp.lookup("answer"))
    XCTAssertNotNil(interp.lookup("print"))
  }

  func testHostCallsScriptClosure() throws {
    let (interp, _) = make()
    let f = try interp.evaluate("fn(x, scale: 1) => x * x * scale")
    XCTAssertEqual(try interp.call(f, [.number(3)]).asNumber, 9)
    XCTAssertEqual(try interp.call(f, [.number(3)], named: ["scale": .number(2)]).asNumber, 18)
    XCTAssertThrowsError(try interp.call(f, [])) { e in
      XCTAssertTrue("\(e)".contains("missing argument 'x'"))
    }
  }

  func testBuiltinCallingBackIntoScript() throws {
    let (interp, _) = make()
    // A finite-difference "grad" as an engine layer would register it.
    interp.register(BuiltinLibrary(name: "test", entries: [
      BuiltinFunction("numgrad", "f: function, x: number", "Central difference derivative.") { a in
        let f = try a.callable("f"), x = try a.number("x"), h = 1e-5
        let fp = try a.call(f, .number(x + h)).asNumber ?? .nan
        let fm = try a.call(f, .number(x - h)).asNumber ?? .nan
        return .number((fp - fm) / (2 * h))
      },
    ]))
    let g = try interp.evaluate("numgrad(fn(v) => v * v, 3)").asNumber ?? 0
    XCTAssertEqual(g, 6, accuracy: 1e-6)
  }

  func testRegistryLaterRegistrationWinsAndKeepsPrevious() throws {
    let (interp, _) = make()
    let original = try XCTUnwrap(interp.registry.function("sum"))
    interp.register(BuiltinLibrary(name: "override", entries: [
      BuiltinFunction("sum", "xs", "Replaced.") { _ in .string("mine") },
    ]))
    XCTAssertEqual(try interp.evaluate("sum([1, 2])").asString, "mine")
    XCTAssertTrue(interp.registry.previous("sum") === original)
    XCTAssertTrue(interp.registry.help("sum")?.contains("Replaced.") ?? false)
  }

  func testEverySignatureParsesAndIsDocumented() {
    let (interp, _) = make()
    for f in interp.registry.allEntries {
      XCTAssertNil(f.signatureError, f.name)
      XCTAssertFalse(f.doc.isEmpty, f.name)
    }
    let md = interp.registry.markdown()
    XCTAssertTrue(md.contains("## core"))
    XCTAssertTrue(md.contains("`clamp(x: number, lo: number = 0, hi: number = 1)`"))
  }

  func testSignatureParsing() throws {
    let ps = try BuiltinFunction.parseSignature("x: number, ...rest, lo: number = -1, s: string = \"a,b\", l = []")
    XCTAssertEqual(ps.map { $0.name }, ["x", "rest", "lo", "s", "l"])
    XCTAssertEqual(ps[0].type, .number)
    XCTAssertTrue(ps[1].variadic)
    XCTAssertEqual(ps[2].defaultValue?.asNumber, -1)
    XCTAssertEqual(ps[3].defaultValue?.asString, "a,b")
    XCTAssertThrowsError(try BuiltinFunction.parseSignature("x: tensorish"))
    let bad = BuiltinFunction("bad", "1x", "Bad.") { _ in .nil_ }
    XCTAssertNotNil(bad.signatureError)
  }

  func testInterruptStopsLoopAndKeepsBindings() throws {
    let (interp, _) = make()
    try interp.evaluate("var counter = 0")
    let start = Date()
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { Interrupt.request() }
    XCTAssertThrowsError(try interp.evaluate("while true { counter += 1 }")) { e in
      XCTAssertEqual((e as? LangError)?.kind, .interrupted)
    }
    let elapsed = Date().timeIntervalSince(start)
    XCTAssertLessThan(elapsed, 2.0)
    XCTAssertGreaterThan(interp.lookup("counter")?.asNumber ?? 0, 0)
    // try/catch cannot swallow an interrupt.
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { Interrupt.request() }
    XCTAssertThrowsError(try interp.evaluate("try { while true { } } catch e { 1 }"))
    XCTAssertFalse(Interrupt.isRequested)
    XCTAssertEqual(try interp.evaluate("1 + 1").asNumber, 2)
  }

  func testRecursionLimitIsAnErrorNotACrash() throws {
    let (interp, _) = make()
    interp.maxCallDepth = 50_000_000  // only the stack guard remains
    XCTAssertThrowsError(try interp.evaluate("fn f(n) = f(n + 1) + 1\nf(0)")) { e in
      XCTAssertEqual((e as? LangError)?.kind, .recursion)
    }
    interp.maxCallDepth = 100
    XCTAssertThrowsError(try interp.evaluate("fn g(n) = g(n + 1)\ng(0)")) { e in
      XCTAssertTrue("\(e)".contains("limit 100"))
    }
    XCTAssertEqual(try interp.evaluate("fn h(n) = if n == 0 { 0 } else { 1 + h(n - 1) }\nh(90)").asNumber, 90)
  }

  /// Measures Swift stack bytes per uboost call (printed; the guard keeps any value safe).
  func testStackUsePerCall() throws {
    let (interp, _) = make()
    var samples: [Int] = []
    interp.register(BuiltinLibrary(name: "probe", entries: [
      BuiltinFunction("stack_used", "", "Bytes of stack used.") { a in
        samples.append(a.interpreter.stackUsed())
        return .nil_
      },
    ]))
    try interp.evaluate("fn d(n) { if n == 0 { stack_used() } else { d(n - 1) } }\nd(0)\nd(200)")
    XCTAssertEqual(samples.count, 2)
    let perCall = Double(samples[1] - samples[0]) / 200
    print("Swift stack per uboost call: \(Int(perCall)) bytes")
    XCTAssertGreaterThan(perCall, 0)
    // maxCallDepth nested calls must fit in the evaluation thread's stack.
    XCTAssertLessThan(perCall * Double(interp.maxCallDepth), Double(Interpreter.stackSize - Interpreter.stackMargin))
  }

  func testIEEEAndIndexSemantics() throws {
    let (interp, _) = make()
    XCTAssertEqual(try interp.evaluate("1 / 0").asNumber, .infinity)
    XCTAssertTrue(try interp.evaluate("0 / 0").asNumber?.isNaN ?? false)
    XCTAssertThrowsError(try interp.evaluate("[1][0.5]"))
    XCTAssertThrowsError(try interp.evaluate("[1][1]"))
    XCTAssertEqual(try interp.evaluate("[1, 2][-1]").asNumber, 2)
  }

  func testRunAndCallFromManyThreadsSequentially() throws {
    let (interp, _) = make()
    try interp.evaluate("var n = 0")
    for _ in 0..<20 { try interp.evaluate("n += 1") }
    XCTAssertEqual(interp.lookup("n")?.asNumber, 20)
  }
}

/// Builtin defaults come from the table, fresh for every call.
final class BuiltinDefaultTests: XCTestCase {
  func testContainerDefaultsAreFreshPerCall() throws {
    let interp = Interpreter(output: { _ in }, loadStdlib: false)
    interp.register(BuiltinLibrary(name: "t", entries: [
      BuiltinFunction("grow", "acc = [], r = {}", "Appends to its default list and record.") { a in
        let l = try a.listBox("acc")
        l.items.append(.number(1))
        let r = try a.record("r")
        r["n"] = .number(Double(r.count + 1))
        return .list([.list(l), .record(r)])
      },
    ]))
    XCTAssertEqual(try interp.evaluate("grow()\ngrow()\nstr(grow())").asString, "[[1], {n: 1}]")
  }
}
