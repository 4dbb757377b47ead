import XCTest
@testable import UBoostLang

final class ParserTests: XCTestCase {
  func parse(_ text: String) -> Parser.Result { Parser.parse(SourceFile(name: "t", text: text)) }

  /// Renders an expression with explicit parentheses to check precedence.
  func show(_ e: Expr) -> String {
    switch e {
    case .number(let d, _): return Value.formatNumber(d)
    case .variable(let n, _): return n
    case .binary(let op, let a, let b, _): return "(\(show(a)) \(op.rawValue) \(show(b)))"
    case .logical(let op, let a, let b, _): return "(\(show(a)) \(op.rawValue) \(show(b)))"
    case .unary(let op, let a, _): return "(\(op.rawValue)\(show(a)))"
    case .range(let a, let b, let inc, let s, _): return "(\(show(a))\(inc ? "..." : "..<")\(show(b))\(s.map { " step \(show($0))" } ?? ""))"
    case .pipe(let a, let b, _): return "(\(show(a)) |> \(show(b)))"
    case .call(let f, let args, _): return "\(show(f))(" + args.map { ($0.label.map { "\($0): " } ?? "") + show($0.value) }.joined(separator: ", ") + ")"
    case .field(let x, let n, _): return "\(show(x)).\(n)"
    case .index(let x, let i, _): return "\(show(x))[\(show(i))]"
    case .slice(let x, let a, let b, _): return "\(show(x))[\(a.map(show) ?? ""):\(b.map(show) ?? "")]"
    case .multiIndex(let x, let items, _):
      return "\(show(x))[" + items.map { item -> String in
        switch item {
        case .at(let i): return show(i)
        case .slice(let a, let b): return "\(a.map(show) ?? ""):\(b.map(show) ?? "")"
        }
      }.joined(separator: "; ") + "]"
    default: return "?"
    }
  }

  func expr(_ text: String) -> String {
    let r = parse(text)
    XCTAssertTrue(r.errors.isEmpty, "\(r.errors)")
    guard case .expression(let e)? = r.statements.first else { return "not an expression" }
    return show(e)
  }

  /// `x[a, b:c, :]` is one multi-index node; one item keeps the classic index and slice nodes.
  func testMultiIndex() {
    XCTAssertEqual(expr("t[i, j]"), "t[i; j]")
    XCTAssertEqual(expr("t[:, 1]"), "t[:; 1]")
    XCTAssertEqual(expr("t[1:3, :]"), "t[1:3; :]")
    XCTAssertEqual(expr("t[a + 1, :b, c:]"), "t[(a + 1); :b; c:]")
    XCTAssertEqual(expr("t[i]"), "t[i]")
    XCTAssertEqual(expr("t[a:b]"), "t[a:b]")
    XCTAssertEqual(expr("t[i, j][k]"), "t[i; j][k]")
    for target in ["t[i, j] = 1", "t[:, 1] += 2", "t[1:3] = x"] {
      let r = parse(target)
      XCTAssertTrue(r.errors.isEmpty, "\(target): \(r.errors)")
      guard case .assign? = r.statements.first else { return XCTFail(target) }
    }
    XCTAssertFalse(parse("t[1, ]").errors.isEmpty)
    XCTAssertFalse(parse("t[, 1]").errors.isEmpty)
  }

  func testPrecedenceTable() {
    XCTAssertEqual(expr("1 + 2 * 3"), "(1 + (2 * 3))")
    XCTAssertEqual(expr("1 - 2 - 3"), "((1 - 2) - 3)")
    XCTAssertEqual(expr("2 ** 3 ** 2"), "(2 ** (3 ** 2))")
    XCTAssertEqual(expr("-a ** 2"), "(-(a ** 2))")
    XCTAssertEqual(expr("a < b && c || d"), "(((a < b) && c) || d)")
    XCTAssertEqual(expr("0..<n + 1"), "(0..<(n + 1))")
    XCTAssertEqual(expr("64...280 step 8"), "(64...280 step 8)")
    XCTAssertEqual(expr("a @ b + c"), "((a @ b) + c)")
    XCTAssertEqual(expr("xs |> map(f) |> sum"), "((xs |> map(f)) |> sum)")
    XCTAssertEqual(expr("a ?? b ?? c"), "(a ?? (b ?? c))")
    XCTAssertEqual(expr("a.b(c)[0].d"), "a.b(c)[0].d")
    XCTAssertEqual(expr("f(x, lo: 1)"), "f(x, lo: 1)")
  }

  func testPipelineContinuesOnNextLine() {
    XCTAssertEqual(expr("xs\n  |> map(f)\n  |> sum"), "((xs |> map(f)) |> sum)")
  }

  func testStatements() {
    let r = parse("let a = 1\nvar b = 2\nb += 3\nfn f(x, y: 2) = x\nfor (i, v) in xs { }\nwhile c { break }")
    XCTAssertTrue(r.errors.isEmpty, "\(r.errors)")
    XCTAssertEqual(r.statements.count, 6)
    guard case .binding(.name("a", _), _, mutable: false, _) = r.statements[0] else { return XCTFail("let") }
    guard case .assign(_, .add?, _, _) = r.statements[2] else { return XCTFail("+=") }
    guard case .function(let d) = r.statements[3] else { return XCTFail("fn") }
    XCTAssertEqual(d.params.map { $0.name }, ["x", "y"])
    XCTAssertNotNil(d.params[1].defaultValue)
    guard case .forIn(.tuple(let items, _), _, _, _) = r.statements[4] else { return XCTFail("for") }
    XCTAssertEqual(items.count, 2)
  }

  func testSeveralErrorsReported() {
    let r = parse("let a = = 1\nlet b = 2\nlet c = )\nlet d = 4 +\n")
    XCTAssertEqual(r.errors.count, 3, "\(r.errors)")
    XCTAssertEqual(r.errors.map { $0.location?.line ?? 0 }, [1, 3, 4])
    // The good statement between the errors was still parsed.
    XCTAssertTrue(r.statements.contains { if case .binding(.name("b", _), _, _, _) = $0 { return true }; return false })
  }

  func testIncompleteInput() {
    XCTAssertTrue(Interpreter.isIncomplete("fn f(x) {"))
    XCTAssertTrue(Interpreter.isIncomplete("let xs = [1, 2,"))
    XCTAssertTrue(Interpreter.isIncomplete("let s = \"abc"))
    XCTAssertTrue(Interpreter.isIncomplete("let a = 1 +"))
    XCTAssertTrue(Interpreter.isIncomplete("if x {\n print(1)\n"))
    XCTAssertFalse(Interpreter.isIncomplete("let a = 1"))
    XCTAssertFalse(Interpreter.isIncomplete("let a = )"))
    XCTAssertFalse(Interpreter.isIncomplete("fn f(x) { x }"))
  }

  func testNestingLimit() {
    let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
    let r = parse(deep)
    XCTAssertTrue(r.errors.contains { $0.message.contains("nested too deeply") })
  }
}
