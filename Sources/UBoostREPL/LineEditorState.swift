// MARK: - Completion request/answer

/// The answer of a completion provider for a line and cursor: the candidates replace the text
/// from `start` (a Unicode-scalar offset) up to the cursor.
///
/// ```swift
/// Completion(start: 0, candidates: ["print", "param"])   // for the line "p" with the cursor at 1
/// ```
public struct Completion: Equatable, Sendable {
  public var start: Int
  public var candidates: [String]

  public init(start: Int, candidates: [String]) {
    self.start = start
    self.candidates = candidates
  }
}

/// Computes completions for `line` with the cursor at Unicode-scalar offset `cursor`.
public typealias CompletionProvider = (_ line: String, _ cursor: Int) -> Completion

/// What the front end must do after a key.
public enum EditAction: Equatable, Sendable {
  /// Keep editing; redraw the line.
  case none
  /// The user pressed Return: run this line.
  case submit(String)
  /// Ctrl-C: the line was abandoned.
  case cancel
  /// Ctrl-D on an empty line: leave.
  case endOfInput
  /// TAB found several candidates and no longer common prefix: show them.
  case listCandidates([String])
  /// Nothing to do for this key (no completion, no older history entry): ring the bell.
  case bell
}

// MARK: - Line editor state machine

/// The pure editing logic of the REPL's line editor: a buffer, a cursor, history navigation,
/// Ctrl-R incremental reverse search and TAB completion. It knows nothing of terminals; the
/// libedit front end and the tests feed it ``KeyEvent``s.
///
/// ```swift
/// var state = LineEditorState(history: ["let a = 1", "print(a)"])
/// _ = state.handle(.historyPrevious)      // state.text == "print(a)"
/// _ = state.handle(.reverseSearch)
/// _ = state.handle(.insert("let"))        // state.text == "let a = 1"
/// state.handle(.enter)                    // .submit("let a = 1")
/// ```
public struct LineEditorState {
  // MARK: State

  /// The line as Unicode scalars (libedit's wide characters are scalars too).
  public private(set) var scalars: [Unicode.Scalar] = []
  /// Cursor position in `scalars`, 0...scalars.count.
  public private(set) var cursor: Int = 0
  /// History entries, oldest first.
  public var history: [String]
  /// Source of TAB completions; without one TAB rings the bell.
  public var completer: CompletionProvider?

  private var historyIndex: Int?
  private var stash: [Unicode.Scalar] = []
  private var search: SearchState?

  private struct SearchState {
    var query: [Unicode.Scalar] = []
    var matchIndex: Int?
    var failed = false
    var originalLine: [Unicode.Scalar]
    var originalCursor: Int
  }

  public init(history: [String] = [], completer: CompletionProvider? = nil) {
    self.history = history
    self.completer = completer
  }

  /// The line being edited.
  public var text: String {
    var s = String.UnicodeScalarView()
    s.append(contentsOf: scalars)
    return String(s)
  }

  /// True while Ctrl-R search is active.
  public var isSearching: Bool { search != nil }

  /// The prompt to show during a reverse search (`(reverse-i-search)`q': `), else nil.
  public var searchPrompt: String? {
    guard let search else { return nil }
    var q = String.UnicodeScalarView()
    q.append(contentsOf: search.query)
    return "(\(search.failed ? "failed " : "")reverse-i-search)`\(String(q))': "
  }

  /// Replaces the line and cursor (used by a front end whose own editor changed them),
  /// keeping the history position.
  public mutating func setLine(_ line: String, cursor: Int) {
    scalars = Array(line.unicodeScalars)
    self.cursor = max(0, min(cursor, scalars.count))
  }

  /// Starts a fresh, empty line.
  public mutating func reset() {
    scalars = []
    cursor = 0
    historyIndex = nil
    stash = []
    search = nil
  }

  // MARK: Keys

  /// Applies one key and says what the front end should do next.
  public mutating func handle(_ key: KeyEvent) -> EditAction {
    if search != nil { return handleSearch(key) }
    switch key {
    case let .insert(text):
      let new = Array(text.unicodeScalars)
      scalars.insert(contentsOf: new, at: cursor)
      cursor += new.count
    case .left: if cursor > 0 { cursor -= 1 } else { return .bell }
    case .right: if cursor < scalars.count { cursor += 1 } else { return .bell }
    case .wordLeft: cursor = wordStart(before: cursor)
    case .wordRight: cursor = wordEnd(after: cursor)
    case .home: cursor = 0
    case .end: cursor = scalars.count
    case .backspace:
      guard cursor > 0 else { return .bell }
      scalars.remove(at: cursor - 1)
      cursor -= 1
    case .delete:
      guard cursor < scalars.count else { return .bell }
      scalars.remove(at: cursor)
    case .killToEnd: scalars.removeSubrange(cursor...)
    case .killToStart:
      scalars.removeSubrange(..<cursor)
      cursor = 0
    case .killWordBack:
      let start = wordStart(before: cursor)
      scalars.removeSubrange(start..<cursor)
      cursor = start
    case .historyPrevious: return historyPrevious()
    case .historyNext: return historyNext()
    case .reverseSearch:
      search = SearchState(originalLine: scalars, originalCursor: cursor)
    case .complete: return complete()
    case .enter: return .submit(text)
    case .interrupt:
      scalars = []
      cursor = 0
      return .cancel
    case .endOfInput:
      if scalars.isEmpty { return .endOfInput }
      guard cursor < scalars.count else { return .bell }
      scalars.remove(at: cursor)
    case .abort: return .bell
    }
    return .none
  }

  // MARK: History

  private mutating func historyPrevious() -> EditAction {
    let index: Int
    if let current = historyIndex {
      guard current > 0 else { return .bell }
      index = current - 1
    } else {
      guard !history.isEmpty else { return .bell }
      stash = scalars
      index = history.count - 1
    }
    historyIndex = index
    scalars = Array(history[index].unicodeScalars)
    cursor = scalars.count
    return .none
  }

  private mutating func historyNext() -> EditAction {
    guard let current = historyIndex else { return .bell }
    if current + 1 < history.count {
      historyIndex = current + 1
      scalars = Array(history[current + 1].unicodeScalars)
    } else {
      historyIndex = nil
      scalars = stash
    }
    cursor = scalars.count
    return .none
  }

  // MARK: Reverse search

  private mutating func handleSearch(_ key: KeyEvent) -> EditAction {
    guard var s = search else { return .none }
    switch key {
    case let .insert(text):
      s.query.append(contentsOf: text.unicodeScalars)
      search = s
      findMatch(from: s.matchIndex ?? history.count - 1)
    case .reverseSearch:
      search = s
      findMatch(from: (s.matchIndex ?? history.count) - 1)
    case .backspace:
      if !s.query.isEmpty { s.query.removeLast() }
      s.matchIndex = nil
      search = s
      if s.query.isEmpty {
        scalars = s.originalLine
        cursor = s.originalCursor
        search?.failed = false
      } else {
        findMatch(from: history.count - 1)
      }
    case .interrupt, .abort:
      scalars = s.originalLine
      cursor = s.originalCursor
      search = nil
    case .enter:
      acceptSearch()
      return .submit(text)
    case .left, .right, .wordLeft, .wordRight, .home, .end, .delete, .killToEnd, .killToStart,
         .killWordBack, .historyPrevious, .historyNext, .complete, .endOfInput:
      acceptSearch()
      return handle(key)
    }
    return search?.failed == true ? .bell : .none
  }

  // Searches history entries from index `start` downwards for the query; on success shows the
  // entry with the cursor at the match, on failure keeps the line and marks the search failed.
  private mutating func findMatch(from start: Int) {
    guard let s = search else { return }
    guard !s.query.isEmpty else { return }
    var i = min(start, history.count - 1)
    while i >= 0 {
      let entry = Array(history[i].unicodeScalars)
      if let at = Self.firstIndex(of: s.query, in: entry) {
        scalars = entry
        cursor = at
        search?.matchIndex = i
        search?.failed = false
        return
      }
      i -= 1
    }
    search?.failed = true
  }

  private mutating func acceptSearch() {
    guard let s = search else { return }
    if let match = s.matchIndex {
      historyIndex = match
      stash = s.originalLine
    }
    search = nil
  }

  private static func firstIndex(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - needle.count)
    where haystack[start..<(start + needle.count)].elementsEqual(needle) {
      return start
    }
    return nil
  }

  // MARK: Completion

  private mutating func complete() -> EditAction {
    guard let completer else { return .bell }
    let answer = completer(text, cursor)
    let start = max(0, min(answer.start, cursor))
    let token = Array(scalars[start..<cursor])
    var seen = Set<String>()
    let candidates = answer.candidates.filter { seen.insert($0).inserted }.sorted()
    guard let first = candidates.first else { return .bell }
    if candidates.count == 1 {
      replace(start..<cursor, with: Array(first.unicodeScalars))
      return .none
    }
    let prefix = candidates.dropFirst().reduce(Array(first.unicodeScalars)) { common, next in
      Array(zip(common, next.unicodeScalars).prefix { $0.0 == $0.1 }.map { $0.0 })
    }
    if prefix.count > token.count {
      replace(start..<cursor, with: prefix)
      return .none
    }
    return .listCandidates(candidates)
  }

  private mutating func replace(_ range: Range<Int>, with new: [Unicode.Scalar]) {
    scalars.replaceSubrange(range, with: new)
    cursor = range.lowerBound + new.count
  }

  // MARK: Words

  private static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
    s == "_" || s.properties.isAlphabetic || ("0"..."9").contains(s)
  }

  // Start of the word before `position`: skips spaces, then a run of word characters (or a
  // run of other non-space characters).
  private func wordStart(before position: Int) -> Int {
    var i = position
    while i > 0, scalars[i - 1].properties.isWhitespace { i -= 1 }
    guard i > 0 else { return 0 }
    let word = Self.isWordScalar(scalars[i - 1])
    while i > 0, !scalars[i - 1].properties.isWhitespace,
          Self.isWordScalar(scalars[i - 1]) == word {
      i -= 1
    }
    return i
  }

  private func wordEnd(after position: Int) -> Int {
    var i = position
    while i < scalars.count, scalars[i].properties.isWhitespace { i += 1 }
    guard i < scalars.count else { return scalars.count }
    let word = Self.isWordScalar(scalars[i])
    while i < scalars.count, !scalars[i].properties.isWhitespace,
          Self.isWordScalar(scalars[i]) == word {
      i += 1
    }
    return i
  }
}
