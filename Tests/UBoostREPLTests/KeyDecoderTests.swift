import XCTest
@testable import UBoostREPL

final class KeyDecoderTests: XCTestCase {
  func testControlKeysArrowsAndText() {
    var d = KeyDecoder()
    let keys = d.decode(Array("ab\u{1B}[D\u{01}\u{05}\u{0B}\u{15}\u{17}\u{12}\t\r\u{03}\u{04}\u{7F}".utf8))
    XCTAssertEqual(keys, [.insert("ab"), .left, .home, .end, .killToEnd, .killToStart,
                          .killWordBack, .reverseSearch, .complete, .enter, .interrupt,
                          .endOfInput, .backspace])
  }

  func testSequencesSplitAcrossReads() {
    var d = KeyDecoder()
    XCTAssertEqual(d.decode([0x1B]), [])
    XCTAssertTrue(d.hasPending)
    XCTAssertEqual(d.decode(Array("[".utf8)), [])
    XCTAssertEqual(d.decode(Array("A".utf8)), [.historyPrevious])
    XCTAssertEqual(d.decode(Array("\u{1B}[3~\u{1B}OB\u{1B}[1;5C".utf8)), [.delete, .historyNext, .wordRight])
    let lambda = Array("λ".utf8)
    XCTAssertEqual(d.decode([lambda[0]]), [])
    XCTAssertEqual(d.decode([lambda[1]]), [.insert("λ")])
  }

  func testLoneEscapeFlushesToAbort() {
    var d = KeyDecoder()
    XCTAssertEqual(d.decode([0x1B]), [])
    XCTAssertEqual(d.flush(), [.abort])
    XCTAssertFalse(d.hasPending)
  }
}
