import XCTest
@testable import UBoostLang

/// A toy engine value: a vector of numbers with operators, fields, methods, indexing and a
/// `sum` override — the shape UBoostBuiltins gives tensors.
final class Vec: HostObject {
  var items: [Double]
  var tau = 1.0
  init(_ items: [Double]) { self.items = items }

  var typeName: String { "Vec[\(items.count)]" }
  var fieldNames: [String] { ["shape", "tau", "scaled"] }

  func getField(_ name: String) throws -> Value? {
    switch name {
    case "shape": return .list([.number(Double(items.count))])
    case "tau": return .number(tau)
    default: return nil
    }
  }

  func setField(_ name: String, _ value: Value) throws {
    guard name == "tau", case .number(let d) = value else {
      throw LangError(.type, "cannot set field '\(name)' of \(typeName)")
    }
    tau = d
  }

  func method(_ name: String) -> BuiltinFunction? {
    guard name == "scaled" else { return nil }
    return BuiltinFunction("scaled", "k: number", "Scaled copy.") { [items] a in
      let k = try a.number("k")
      return .object(Vec(items.map { $0 * k }))
    }
  }

  func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? {
    switch (op, other) {
    case (.add, .number(let k)): return .object(Vec(items.map { $0 + k }))
    case (.mul, .number(let k)): return .object(Vec(items.map { $0 * k }))
    case (.add, .object(let o as Vec)): return .object(Vec(zip(items, o.items).map { $0 + $1 }))
    case (.matmul, .object(let o as Vec)): return .number(zip(items, o.items).map { $0 * $1 }.reduce(0, +))
    case (.sub, .number(let k)): return .object(Vec(items.map { selfOnLeft ? $0 - k : k - $0 }))
    default: return nil
    }
  }

  func unary(_ op: UnaryOp) throws -> Value? {
    op == .neg ? .object(Vec(items.map { -$0 })) : nil
  }

  func index(_ key: Value) throws -> Value? {
    switch key {
    case .number:
      return .number(items[try key.asIndex(count: items.count, what: "Vec")])
    case .range(let r):
      return .object(Vec(Array(items[Value.sliceBounds(r, count: items.count)])))
    default: return nil
    }
  }

  func setIndex(_ key: Value, _ value: Value) throws {
    let i = try key.asIndex(count: items.count, what: "Vec")
    guard case .number(let d) = value else { throw LangError(.type, "Vec elements are numbers") }
    items[i] = d
  }

  func iterate() throws -> [Value]? { items.map { .number($0) } }
  func length() -> Int? { items.count }

  func overload(_ name: String) -> BuiltinFunction? {
    switch name {
    case "sum": return BuiltinFunction("sum", "v", "Sum of a Vec.") { [items] _ in .number(items.reduce(0, +)) }
    case "sqrt": return BuiltinFunction("sqrt", "v", "Square roots of a Vec.") { [items] _ in .object(Vec(items.map { $0.squareRoot() })) }
    case "norm2": return BuiltinFunction("norm2", "v, scale = 1", "Squared length of a Vec, scaled.") { [items] a in
      .number(items.reduce(0) { $0 + $1 * $1 } * (try a.number("scale")))
    }
    default: return nil
    }
  }

  func describe(width: Int) -> String { "Vec(" + items.map { Value.formatNumber($0) }.joined(separator: ", ") + ")" }
}

final class HostObjectTests: XCTestCase {
  func run(_ source: String) throws -> String {
    final class Sink: @unchecked Sendable { var text = "" }
    let sink = Sink()
    let interp = Interpreter(output: { sink.text += $0 }, loadStdlib: false)
    interp.register(BuiltinLibrary(name: "vec", entries: [
      BuiltinFunction("vec", "...xs", "A Vec.") { a in .object(Vec(try a.rest.map { v in
        guard case .number(let d) = v else { throw LangError(.type, "vec(): numbers only") }
        return d
      })) },
    ]))
    try interp.run(source: source, file: "host.uboost")
    return sink.text
  }

  func testOperatorsFieldsMethodsAndPrinting() throws {
    let out = try run("""
    let v = vec(1, 2, 3)
    print(v + 1, v * 2, 10 - v, -v)
    print(v @ vec(1, 1, 1), v.shape, type(v))
    print(v.scaled(3), v.scaled(k: 2))
    v.tau = 0.5
    v.tau = v.tau * 0.95
    print(v.tau)
    print(v[0], v[-1], v[1:3], len(v))
    v[0] = 9
    print(v)
    """)
    XCTAssertEqual(out, """
    Vec(2, 3, 4) Vec(2, 4, 6) Vec(9, 8, 7) Vec(-1, -2, -3)
    6 [3] Vec[3]
    Vec(3, 6, 9) Vec(2, 4, 6)
    0.475
    1 3 Vec(2, 3) 3
    Vec(9, 2, 3)

    """)
  }

  func testIterationAndBuiltinOverride() throws {
    let out = try run("""
    let v = vec(1, 4, 9)
    for (i, x) in enumerate(v) { print(i, x) }
    print(sum(v), sqrt(v), map(v, fn(x) => x + 1))
    print(sum([v, v]))
    """)
    XCTAssertEqual(out, "0 1\n1 4\n2 9\n14 Vec(1, 2, 3) [2, 5, 10]\nVec(2, 8, 18)\n")
  }

  /// The one overloading rule: the first host object among the positional arguments decides,
  /// for builtins and uboost functions alike; its overload is bound to its own signature.
  func testTheReceiverDecidesForBuiltinsAndFunctions() throws {
    let out = try run("""
    fn norm2(xs) = 0 - 1
    let v = vec(1, 2)
    print(norm2([3]), norm2(v), norm2(v, scale: 10), v.norm2())
    fn twice(f, x) = f(x) * 2
    print(twice(norm2, v))
    let alias = norm2
    print(alias(v))
    """)
    // `v.norm2()`: Vec has no such method, so it is `norm2(v)`, and the rule picks the
    // overload; a function value called through another name still dispatches by its own name.
    // (`append([], g)` in FastPathTests: the first object decides wherever it stands.)
    XCTAssertEqual(out, "-1 5 50 5\n10\n5\n")
  }

  func testUnsupportedOperationsAreErrors() {
    XCTAssertThrowsError(try run("vec(1) / 2")) { e in
      XCTAssertTrue("\(e)".contains("cannot apply '/' to Vec[1] and number"), "\(e)")
    }
    XCTAssertThrowsError(try run("let v = vec(1)\nv.nope = 1")) { e in
      XCTAssertTrue("\(e)".contains("cannot set field 'nope'"), "\(e)")
    }
    XCTAssertThrowsError(try run("vec(1).missing")) { e in
      XCTAssertTrue("\(e)".contains("Vec[1] has no field 'missing'"), "\(e)")
    }
    XCTAssertThrowsError(try run("if vec(1) { }")) { e in
      XCTAssertTrue("\(e)".contains("condition must be a bool"), "\(e)")
    }
    XCTAssertThrowsError(try run("[1] @ [2]")) { e in
      XCTAssertTrue("\(e)".contains("'@' (matrix multiply) needs tensors"), "\(e)")
    }
  }
}
