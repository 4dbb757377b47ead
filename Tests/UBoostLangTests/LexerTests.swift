import XCTest
@testable import UBoostLang

final class LexerTests: XCTestCase {
  func kinds(_ text: String) -> [TokenKind] {
    var l = Lexer(file: SourceFile(name: "t", text: text))
    return l.scanAll().map { $0.kind }
  }

  func testOperatorsAndKeywords() {
    XCTAssertEqual(kinds("let a = 1..<3 |> f"),
                   [.kwLet, .identifier, .equal, .number, .dotDotLess, .number, .pipeGreater, .identifier, .eof])
    XCTAssertEqual(kinds("a ** b @ c ?? d ... e => f"),
                   [.identifier, .starStar, .identifier, .at, .identifier, .questionQuestion, .identifier,
                    .dotDotDot, .identifier, .arrow, .identifier, .eof])
    XCTAssertEqual(kinds("x += 1; y -= 2"),
                   [.identifier, .plusEqual, .number, .semicolon, .identifier, .minusEqual, .number, .eof])
  }

  func testNewlinesSkippedInsideParensAndBrackets() {
    XCTAssertEqual(kinds("f(\n1,\n2)\n[\n3]"),
                   [.identifier, .leftParen, .number, .comma, .number, .rightParen, .newline,
                    .leftBracket, .number, .rightBracket, .eof])
    // Inside braces newlines separate statements.
    XCTAssertEqual(kinds("{\na\n}"), [.leftBrace, .newline, .identifier, .newline, .rightBrace, .eof])
  }

  func testNumbers() {
    var l = Lexer(file: SourceFile(name: "t", text: "1e3 0.5 1_000 0x10 3"))
    let nums = l.scanAll().filter { $0.kind == .number }.map { $0.number }
    XCTAssertEqual(nums, [1000, 0.5, 1000, 16, 3])
    // `1..<3` is a range, not the number 1.
    XCTAssertEqual(kinds("1..<3"), [.number, .dotDotLess, .number, .eof])
  }

  func testStringPartsAndPositions() {
    var l = Lexer(file: SourceFile(name: "t", text: "x = \"a\\(b + 1)c\""))
    let toks = l.scanAll()
    let s = toks[2]
    XCTAssertEqual(s.kind, .string)
    XCTAssertEqual(s.parts.count, 3)
    XCTAssertEqual(s.parts.first, .text("a"))
    XCTAssertEqual(s.parts.last, .text("c"))
    guard case .code(let code, let pos) = s.parts[1] else { return XCTFail("expected code") }
    XCTAssertEqual(code.map(\.kind), [.identifier, .plus, .number, .eof])
    XCTAssertEqual(pos, Pos(line: 1, column: 9))
    XCTAssertEqual(s.pos, Pos(line: 1, column: 5))
  }

  func testPositionsAcrossLines() {
    var l = Lexer(file: SourceFile(name: "t", text: "a\n  bb"))
    let toks = l.scanAll()
    XCTAssertEqual(toks[2].pos, Pos(line: 2, column: 3))
  }

  func testErrorsAreCollectedAndScanningContinues() {
    var l = Lexer(file: SourceFile(name: "t", text: "a $ b ` c"))
    let toks = l.scanAll()
    XCTAssertEqual(l.errors.count, 2)
    XCTAssertEqual(toks.filter { $0.kind == .identifier }.count, 3)
    XCTAssertEqual(l.errors[0].location?.column, 3)
  }
}
