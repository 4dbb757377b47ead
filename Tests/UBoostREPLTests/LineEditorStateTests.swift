import XCTest
@testable import UBoostREPL

final class LineEditorStateTests: XCTestCase {
  private func type(_ keys: [KeyEvent], into state: inout LineEditorState) -> [EditAction] {
    keys.map { state.handle($0) }
  }

  // MARK: Editing

  func testInsertMoveAndDelete() {
    var s = LineEditorState()
    _ = type([.insert("print(1+1)"), .left, .backspace, .insert("2")], into: &s)
    XCTAssertEqual(s.text, "print(1+2)")
    XCTAssertEqual(s.cursor, 9)
    _ = type([.home, .delete, .insert("P"), .end, .backspace], into: &s)
    XCTAssertEqual(s.text, "Print(1+2")
    XCTAssertEqual(s.cursor, 9)
  }

  func testBellAtEdges() {
    var s = LineEditorState()
    XCTAssertEqual(s.handle(.left), .bell)
    XCTAssertEqual(s.handle(.backspace), .bell)
    _ = s.handle(.insert("ab"))
    XCTAssertEqual(s.handle(.right), .bell)
    XCTAssertEqual(s.handle(.delete), .bell)
  }

  func testKillKeys() {
    var s = LineEditorState()
    _ = type([.insert("let total = a + b"), .left, .left, .left, .left], into: &s)
    _ = s.handle(.killToEnd)
    XCTAssertEqual(s.text, "let total = a")
    _ = s.handle(.killWordBack)
    XCTAssertEqual(s.text, "let total = ")
    _ = s.handle(.killWordBack)   // skips the space, then removes the "=" run
    XCTAssertEqual(s.text, "let total ")
    _ = type([.left, .left, .left], into: &s)
    _ = s.handle(.killToStart)
    XCTAssertEqual(s.text, "al ")
    XCTAssertEqual(s.cursor, 0)
  }

  func testWordMotionAndUnicode() {
    var s = LineEditorState()
    _ = s.handle(.insert("let λ = hw.cost"))
    _ = s.handle(.wordLeft)
    XCTAssertEqual(s.cursor, 11)
    _ = s.handle(.wordLeft)   // the "." run
    XCTAssertEqual(s.cursor, 10)
    _ = s.handle(.home)
    _ = s.handle(.wordRight)
    _ = s.handle(.wordRight)
    XCTAssertEqual(s.cursor, 5)   // after "λ": one scalar
    _ = s.handle(.backspace)
    XCTAssertEqual(s.text, "let  = hw.cost")
  }

  func testEnterInterruptAndEndOfInput() {
    var s = LineEditorState()
    XCTAssertEqual(s.handle(.endOfInput), .endOfInput)
    _ = s.handle(.insert("abc"))
    _ = s.handle(.home)
    XCTAssertEqual(s.handle(.endOfInput), .none)   // deletes under the cursor
    XCTAssertEqual(s.text, "bc")
    XCTAssertEqual(s.handle(.enter), .submit("bc"))
    XCTAssertEqual(s.handle(.interrupt), .cancel)
    XCTAssertEqual(s.text, "")
  }

  // MARK: History

  func testHistoryNavigationKeepsTheDraft() {
    var s = LineEditorState(history: ["one", "two", "three"])
    _ = s.handle(.insert("dra"))
    _ = s.handle(.historyPrevious)
    XCTAssertEqual(s.text, "three")
    XCTAssertEqual(s.cursor, 5)
    _ = s.handle(.historyPrevious)
    _ = s.handle(.historyPrevious)
    XCTAssertEqual(s.text, "one")
    XCTAssertEqual(s.handle(.historyPrevious), .bell)
    XCTAssertEqual(s.text, "one")
    _ = s.handle(.historyNext)
    XCTAssertEqual(s.text, "two")
    _ = s.handle(.historyNext)
    _ = s.handle(.historyNext)
    XCTAssertEqual(s.text, "dra")
    XCTAssertEqual(s.handle(.historyNext), .bell)
  }

  func testEmptyHistoryRingsTheBell() {
    var s = LineEditorState()
    XCTAssertEqual(s.handle(.historyPrevious), .bell)
    XCTAssertEqual(s.handle(.historyNext), .bell)
  }

  // MARK: Reverse search

  func testReverseSearchFindsNewestThenOlder() {
    var s = LineEditorState(history: ["let a = 1", "print(a)", "let b = 2", "b + 1"])
    _ = s.handle(.insert("draft"))
    _ = s.handle(.reverseSearch)
    XCTAssertTrue(s.isSearching)
    XCTAssertEqual(s.searchPrompt, "(reverse-i-search)`': ")
    _ = s.handle(.insert("le"))
    XCTAssertEqual(s.text, "let b = 2")
    XCTAssertEqual(s.searchPrompt, "(reverse-i-search)`le': ")
    _ = s.handle(.reverseSearch)
    XCTAssertEqual(s.text, "let a = 1")
    XCTAssertEqual(s.handle(.reverseSearch), .bell)   // nothing older
    XCTAssertEqual(s.searchPrompt, "(failed reverse-i-search)`le': ")
    XCTAssertEqual(s.text, "let a = 1")
    XCTAssertEqual(s.handle(.enter), .submit("let a = 1"))
    XCTAssertFalse(s.isSearching)
  }

  func testReverseSearchCursorAtMatchAndOtherKeyAccepts() {
    var s = LineEditorState(history: ["x = print(a)"])
    _ = s.handle(.reverseSearch)
    _ = s.handle(.insert("print"))
    XCTAssertEqual(s.cursor, 4)
    _ = s.handle(.end)   // leaves the search and acts on the line
    XCTAssertFalse(s.isSearching)
    XCTAssertEqual(s.cursor, 12)
    _ = s.handle(.insert("!"))
    XCTAssertEqual(s.text, "x = print(a)!")
  }

  func testReverseSearchCancelRestoresLineAndBackspaceWidens() {
    var s = LineEditorState(history: ["alpha", "beta"])
    _ = s.handle(.insert("draft"))
    _ = s.handle(.reverseSearch)
    _ = s.handle(.insert("alx"))
    XCTAssertEqual(s.searchPrompt, "(failed reverse-i-search)`alx': ")
    _ = s.handle(.backspace)
    XCTAssertEqual(s.text, "alpha")
    XCTAssertEqual(s.searchPrompt, "(reverse-i-search)`al': ")
    XCTAssertEqual(s.handle(.interrupt), .none)
    XCTAssertFalse(s.isSearching)
    XCTAssertEqual(s.text, "draft")
    XCTAssertEqual(s.cursor, 5)
  }

  func testAcceptedSearchContinuesHistoryFromTheMatch() {
    var s = LineEditorState(history: ["a1", "b1", "a2", "b2"])
    _ = s.handle(.reverseSearch)
    _ = s.handle(.insert("a2"))
    _ = s.handle(.historyPrevious)
    XCTAssertEqual(s.text, "b1")
  }

  // MARK: Completion

  func testCompletionUniqueCommonPrefixAndListing() {
    let names = ["print", "param", "params", "plot"]
    var s = LineEditorState(completer: { line, cursor in
      let scalars = Array(line.unicodeScalars)
      var start = cursor
      while start > 0, scalars[start - 1].properties.isAlphabetic { start -= 1 }
      let prefix = String(String.UnicodeScalarView(scalars[start..<cursor]))
      return Completion(start: start, candidates: names.filter { $0.hasPrefix(prefix) })
    })
    _ = s.handle(.insert("x = pr"))
    XCTAssertEqual(s.handle(.complete), .none)
    XCTAssertEqual(s.text, "x = print")
    _ = s.handle(.insert(" + pa"))
    XCTAssertEqual(s.handle(.complete), .none)   // common prefix "param"
    XCTAssertEqual(s.text, "x = print + param")
    XCTAssertEqual(s.handle(.complete), .listCandidates(["param", "params"]))
    XCTAssertEqual(s.text, "x = print + param")
    _ = s.handle(.insert(" + q"))
    XCTAssertEqual(s.handle(.complete), .bell)
  }

  func testCompletionInTheMiddleKeepsTheRest() {
    var s = LineEditorState(completer: { _, cursor in
      Completion(start: cursor - 2, candidates: ["hello"])
    })
    _ = s.handle(.insert("he(1)"))
    _ = s.handle(.left); _ = s.handle(.left); _ = s.handle(.left)
    _ = s.handle(.complete)
    XCTAssertEqual(s.text, "hello(1)")
    XCTAssertEqual(s.cursor, 5)
  }

  func testNoCompleterRingsTheBell() {
    var s = LineEditorState()
    XCTAssertEqual(s.handle(.complete), .bell)
  }
}
