import XCTest
@testable import UBoostLang

/// The call fast paths (frames bound directly, frame reuse, inline `append`/`push`/`len`) must
/// behave exactly like the general call machinery they bypass.
final class FastPathTests: XCTestCase {
  final class Sink: @unchecked Sendable { var text = "" }

  func make() -> (Interpreter, Sink) {
    let sink = Sink()
    return (Interpreter(output: { sink.text += $0 }, loadStdlib: false), sink)
  }

  func number(_ source: String) throws -> Double? {
    try make().0.evaluate(source).asNumber
  }

  func error(_ source: String, interp: Interpreter? = nil) -> LangError? {
    do {
      _ = try (interp ?? make().0).evaluate(source)
      return nil
    } catch let e as LangError {
      return e
    } catch {
      XCTFail("unexpected error \(error)")
      return nil
    }
  }

  // MARK: Intrinsics

  func testAppendPushLenMatchTheBuiltins() throws {
    XCTAssertEqual(try number("var xs = []\nfor i in 0..<10 { append(xs, i * i) }\nlen(xs) * 1000 + xs[9]"), 10_081)
    XCTAssertEqual(try number("var xs = [1]\npush(xs, 2)\nlet ys = append(xs, 3)\nappend(ys, 4)\nlen(xs) + xs[3]"), 8)
    // Results are the list itself (shared), as for the builtin.
    XCTAssertEqual(try number("let xs = []\nlet ys = append(xs, 1)\nappend(ys, 2)\nlen(xs)"), 2)
    // len of every other kind still answers through the builtin.
    XCTAssertEqual(try number("len(\"héllo\") + len({a: 1, b: 2}) + len(0..<7) + len([])"), 14)
    // Several values still work (not inlined).
    XCTAssertEqual(try number("let xs = []\nappend(xs, 1, 2, 3)\npush(xs, 4, 5)\nlen(xs)"), 5)
  }

  func testIntrinsicErrorsAreTheBuiltinErrors() {
    XCTAssertEqual(error("append(3, 1)")?.message, "append(xs:): expected list, got number")
    XCTAssertEqual(error("push(\"s\", 1)")?.message, "push(xs:): expected list, got string")
    XCTAssertEqual(error("len(3)")?.message, "len(x:): expected list, string, record or range, got number")
    let e = error("let xs = []\n\n  len(nil)")
    XCTAssertEqual(e?.location?.line, 3)
  }

  func testRebindingTheNameTakesEffectImmediately() throws {
    let (interp, _) = make()
    try interp.evaluate("fn add(xs) { append(xs, 1); len(xs) }")
    XCTAssertEqual(try interp.evaluate("add([])").asNumber, 1)
    // A user redefinition of the global is called from the already compiled site.
    try interp.evaluate("fn append(xs, v) = 99\nfn len(x) = -1")
    XCTAssertEqual(try interp.evaluate("add([])").asNumber, -1)
    XCTAssertEqual(try interp.evaluate("append([], 5)").asNumber, 99)
    // A local or parameter named like the builtin is never inlined.
    XCTAssertEqual(try number("fn f(len) = len(2)\nf(fn(x) => x * 10)"), 20)
  }

  func testRegisteredReplacementWins() throws {
    let (interp, _) = make()
    try interp.evaluate("fn count(xs) = len(xs)")
    interp.register(BuiltinLibrary(name: "mine", entries: [
      BuiltinFunction("len", "x", "Replacement.") { _ in .number(-7) },
    ]))
    XCTAssertEqual(try interp.evaluate("count([1, 2])").asNumber, -7)
  }

  func testHostObjectsStillTakeOverBuiltins() throws {
    let (interp, _) = make()
    final class Grabby: HostObject {
      var typeName: String { "Grabby" }
      func overload(_ name: String) -> BuiltinFunction? {
        name == "append" ? BuiltinFunction("append", "xs, v", "Grabbed.") { _ in .string("taken") } : nil
      }
      func length() -> Int? { 42 }
    }
    interp.define("g", .object(Grabby()))
    XCTAssertEqual(try interp.evaluate("append([], g)").asString, "taken")
    XCTAssertEqual(try interp.evaluate("len(g)").asNumber, 42)
  }

  func testCallDepthLimitAppliesToInlinedBuiltins() {
    let (interp, _) = make()
    interp.maxCallDepth = 50
    // At the innermost allowed level the builtin call itself exceeds the limit, as before.
    let e = error("fn deep(n) = if n == 0 { len([]) } else { deep(n - 1) }\ndeep(49)", interp: interp)
    XCTAssertEqual(e?.kind, .recursion)
    XCTAssertNil(error("deep(48)", interp: interp))
  }

  // MARK: Calls

  func testFrameReuseKeepsCallsIndependent() throws {
    // Recursion, defaults, captured parameters and nested calls in arguments share frame pools.
    XCTAssertEqual(try number("fn fib(n) = if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\nfib(20)"), 6765)
    XCTAssertEqual(try number("fn f(a, b: a * 2, c: b + 1) = a + b + c\nf(f(1), f(1, 1), f(1, 1, 1)) + f(2)"), 13 + 11)
    XCTAssertEqual(try number("""
      fn mk(x) { fn(y) => x + y }
      let fs = [mk(1), mk(10), mk(100)]
      fs[0](1) + fs[1](2) + fs[2](mk(1000)(3))
      """), 2 + 12 + 1103)
    XCTAssertEqual(try number("fn three(a, b, c) = a * 100 + b * 10 + c\nthree(1, three(0, 0, 2), 3)"), 123)
    XCTAssertEqual(try number("fn four(a, b, c, d) = a + b + c + d\nfour(1, 2, 3, four(1, 1, 1, 1))"), 10)
  }

  func testFramesDropTheirValuesAfterTheCall() throws {
    // A list passed to a finished call must not be kept alive by the reused frame.
    let (interp, _) = make()
    final class Probe: HostObject {
      let onDeinit: () -> Void
      init(_ f: @escaping () -> Void) { onDeinit = f }
      deinit { onDeinit() }
      var typeName: String { "Probe" }
    }
    var freed = false
    interp.register(BuiltinLibrary(name: "probe", entries: [
      BuiltinFunction("probe", "", "A probe.") { _ in .object(Probe { freed = true }) },
    ]))
    try interp.evaluate("fn keep(x) { let y = x; 1 }\nkeep(probe())")
    XCTAssertTrue(freed)
  }

  func testRebindingAFunctionDuringItsOwnCall() throws {
    // The call site caches the callee; a host rebinding the global mid-recursion must take effect
    // at the next call, and the running (now unreferenced) function must stay alive.
    let (interp, _) = make()
    try interp.evaluate("fn g(n) = 100 + n")
    interp.register(BuiltinLibrary(name: "swap", entries: [
      BuiltinFunction("swap", "", "Rebinds f to g.") { a in
        if let g = a.interpreter.lookup("g") { a.interpreter.define("f", g) }
        return .nil_
      },
    ]))
    try interp.evaluate("""
      fn f(n) {
        if n == 0 { return 0 }
        if n == 5 { swap() }
        f(n - 1) + 1
      }
      """)
    XCTAssertEqual(try interp.evaluate("f(6)").asNumber, 106)
    XCTAssertEqual(try interp.evaluate("f(6)").asNumber, 106)  // f is g now
    try interp.evaluate("fn f(n) = n * 2")
    XCTAssertEqual(try interp.evaluate("f(6)").asNumber, 12)
    // The callee is read before the arguments: an argument rebinding it still calls the old one.
    try interp.evaluate("fn k(n) = n * 3\nfn callk(n) = k(n)")
    XCTAssertEqual(try interp.evaluate("callk(1)").asNumber, 3)  // the site caches k
    interp.register(BuiltinLibrary(name: "swapk", entries: [
      BuiltinFunction("swapk", "x", "Rebinds k to g, returns x.") { a in
        if let g = a.interpreter.lookup("g") { a.interpreter.define("k", g) }
        return try a.value("x")
      },
    ]))
    try interp.evaluate("fn callk2(n) = k(swapk(n))")
    XCTAssertEqual(try interp.evaluate("callk2(1)").asNumber, 3)
    XCTAssertEqual(try interp.evaluate("callk2(1)").asNumber, 101)
  }

  func testOnlyRunningFunctionsAreKeptAfterReassignment() throws {
    let (interp, _) = make()
    interp.register(BuiltinLibrary(name: "graves", entries: [
      BuiltinFunction("graves", "", "Functions kept alive after reassignment.") { a in
        .number(Double(a.interpreter.globalTable.graveyard.closures.count))
      },
    ]))
    // Replaced functions that are not running are released at once...
    XCTAssertEqual(try interp.evaluate("var h = fn(x) => x\nfor i in 0..<1000 { h = fn(x) => x + i }\ngraves()").asNumber, 0)
    XCTAssertEqual(try interp.evaluate("h(1)").asNumber, 1000)
    // ...one running through a borrowing (cached) call site is kept until the evaluation ends.
    try interp.evaluate("h = fn(x) { if x > 0 { h = fn(y) => -1 }\ngraves() }\nfn callh(x) = h(x)")
    XCTAssertEqual(try interp.evaluate("callh(0)").asNumber, 0)  // the site caches h
    XCTAssertEqual(try interp.evaluate("callh(1)").asNumber, 1)  // h replaced while running
    XCTAssertEqual(try interp.evaluate("graves()").asNumber, 0)
    XCTAssertEqual(try interp.evaluate("callh(1)").asNumber, -1)
  }

  func testCachedCallSiteSeesNewDefinitions() throws {
    let (interp, _) = make()
    try interp.evaluate("fn h(x) = x + 1\nfn use(x) = h(x)")
    XCTAssertEqual(try interp.evaluate("use(1)").asNumber, 2)
    try interp.evaluate("fn h(x, y: 10) = x + y")   // different arity: the general path binds the default
    XCTAssertEqual(try interp.evaluate("use(1)").asNumber, 11)
    try interp.evaluate("let h = len")
    XCTAssertEqual(try interp.evaluate("use([1, 2, 3])").asNumber, 3)
    try interp.evaluate("let h = 5")
    XCTAssertEqual(error("use(1)", interp: interp)?.message, "number is not callable")
  }

  func testFusedSlotOperatorsKeepFullSemantics() throws {
    // Operands in slots that are not numbers take the general operator path.
    let (interp, _) = make()
    try interp.evaluate("""
      fn add(a, b) = a + b
      fn lt1(s) = s < "b"
      fn rsub(x) = 10 - x
      fn same(a, b) = a == b
      fn half(x) = x / 2
      """)
    XCTAssertEqual(try interp.evaluate("add(\"x\", \"y\")").asString, "xy")
    XCTAssertEqual(try interp.evaluate("len(add([1], [2, 3]))").asNumber, 3)
    XCTAssertEqual(try interp.evaluate("lt1(\"a\") && !lt1(\"c\")").description, "true")
    XCTAssertEqual(try interp.evaluate("rsub(4) + half(5)").asNumber, 8.5)
    XCTAssertEqual(try interp.evaluate("same([1, 2], [1, 2]) && !same(1, \"1\")").description, "true")
    let e = error("add(1, \"a\")", interp: interp)
    XCTAssertEqual(e?.message, "cannot apply '+' to number and string; use interpolation \"\\(x)\" or str(x) to build strings")
    XCTAssertEqual(e?.location?.column, 18)
    XCTAssertEqual(error("rsub(nil)", interp: interp)?.message, "cannot apply '-' to number and nil")
  }

  func testArityErrorsUnchanged() {
    XCTAssertEqual(error("fn f(a) = a\nf(1, 2)")?.message, "f() takes 1 argument, got 2")
    XCTAssertEqual(error("fn f(a, b) = a\nf(1)")?.message, "f(): missing argument 'b'")
  }
}
