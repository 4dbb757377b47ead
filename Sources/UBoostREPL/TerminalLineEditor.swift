import CEditLine
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Terminal front end (libedit)

/// Reads lines from the terminal with libedit. libedit draws the line and does plain editing
/// (typing, arrows, Home/End, Backspace/Delete, Ctrl-A/E/K); the keys with REPL-specific logic
/// (TAB completion, history Up/Down, Ctrl-R search, Ctrl-U/W, Ctrl-C, Ctrl-D) are bound to
/// functions that run ``LineEditorState`` on libedit's line and write the result back.
final class TerminalLineEditor {
  enum ReadResult: Equatable {
    case line(String)
    /// Ctrl-C: the line was abandoned.
    case interrupted
    case endOfInput
  }

  private let el: OpaquePointer
  private let history: History
  private var state: LineEditorState
  private var prompt = "> "
  private var promptBuffer: UnsafeMutablePointer<CChar>?
  private var cancelled = false
  // A line submitted by one of our key functions. libedit's returned buffer is only
  // terminated correctly when its own newline function ends the line, so this is used instead.
  private var submitted: String?

  /// Returns nil when libedit cannot drive this terminal.
  init?(history: History, completer: @escaping CompletionProvider) {
    setlocale(LC_CTYPE, "")
    guard let el = el_init("uboost", stdin, stdout, stderr) else { return nil }
    self.el = el
    self.history = history
    self.state = LineEditorState(history: history.entries, completer: completer)
    uboost_el_set_editor(el, "emacs")
    uboost_el_set_signal(el, 0)
    // Ctrl-C reaches us as a key (bound below) instead of a signal while a line is edited.
    uboost_el_setty(el, "-d", "-isig")
    uboost_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
    uboost_el_set_prompt(el) { el in
      guard let editor = TerminalLineEditor.from(el) else { return nil }
      return editor.currentPrompt()
    }
    bind()
  }

  deinit {
    el_end(el)
    free(promptBuffer)
  }

  // MARK: Reading

  /// Shows `prompt` and edits one line.
  func read(prompt: String) -> ReadResult {
    self.prompt = prompt
    state.reset()
    state.history = history.entries
    cancelled = false
    submitted = nil
    var count: Int32 = 0
    let raw = el_gets(el, &count)
    if cancelled { return .interrupted }
    if let submitted { return .line(submitted) }
    guard let raw else {
      return count == -1 && errno == EINTR ? .interrupted : .endOfInput
    }
    var line = String(cString: raw)
    if line.hasSuffix("\n") { line.removeLast() }
    return .line(line)
  }

  // MARK: Prompt

  private func currentPrompt() -> UnsafeMutablePointer<CChar>? {
    let text = state.searchPrompt ?? prompt
    free(promptBuffer)
    promptBuffer = strdup(text)
    return promptBuffer
  }

  private static func from(_ el: OpaquePointer?) -> TerminalLineEditor? {
    guard let el, let raw = uboost_el_get_clientdata(el) else { return nil }
    return Unmanaged<TerminalLineEditor>.fromOpaque(raw).takeUnretainedValue()
  }

  // MARK: Key bindings

  private func bind() {
    func add(_ name: String, _ help: String, _ fn: uboost_el_key_fn) {
      uboost_el_add_function(el, name, help, fn)
    }
    add("uboost-complete", "complete the name at the cursor") { el, _ in
      TerminalLineEditor.dispatch(el, .complete)
    }
    add("uboost-previous", "previous history entry") { el, _ in
      TerminalLineEditor.dispatch(el, .historyPrevious)
    }
    add("uboost-next", "next history entry") { el, _ in
      TerminalLineEditor.dispatch(el, .historyNext)
    }
    add("uboost-search", "incremental reverse history search") { el, _ in
      TerminalLineEditor.dispatch(el, .reverseSearch)
    }
    add("uboost-interrupt", "abandon the line") { el, _ in
      TerminalLineEditor.dispatch(el, .interrupt)
    }
    add("uboost-eof", "leave on an empty line, else delete") { el, _ in
      TerminalLineEditor.dispatch(el, .endOfInput)
    }
    add("uboost-kill-start", "delete to the start of the line") { el, _ in
      TerminalLineEditor.dispatch(el, .killToStart)
    }
    add("uboost-kill-word", "delete the word before the cursor") { el, _ in
      TerminalLineEditor.dispatch(el, .killWordBack)
    }
    let keys: [(String, String)] = [
      ("^I", "uboost-complete"), ("^P", "uboost-previous"), ("^N", "uboost-next"),
      ("\\e[A", "uboost-previous"), ("\\e[B", "uboost-next"),
      ("\\eOA", "uboost-previous"), ("\\eOB", "uboost-next"),
      ("^R", "uboost-search"), ("^C", "uboost-interrupt"), ("^D", "uboost-eof"),
      ("^U", "uboost-kill-start"), ("^W", "uboost-kill-word"),
      ("\\e[1;5D", "ed-prev-word"), ("\\e[1;5C", "em-next-word"),
      // Home/End/Delete as xterm, tmux/screen and the Linux console send them, whatever the
      // terminfo entry of $TERM says.
      ("\\e[H", "ed-move-to-beg"), ("\\eOH", "ed-move-to-beg"), ("\\e[1~", "ed-move-to-beg"),
      ("\\e[7~", "ed-move-to-beg"), ("\\e[F", "ed-move-to-end"), ("\\eOF", "ed-move-to-end"),
      ("\\e[4~", "ed-move-to-end"), ("\\e[8~", "ed-move-to-end"), ("\\e[3~", "ed-delete-next-char"),
    ]
    for (key, function) in keys { uboost_el_bind(el, key, function) }
    uboost_el_bind_arrow(el, "up", "uboost-previous")
    uboost_el_bind_arrow(el, "down", "uboost-next")
  }

  private static func dispatch(_ el: OpaquePointer?, _ key: KeyEvent) -> UInt8 {
    guard let editor = from(el) else { return UInt8(CC_ERROR) }
    return editor.apply(key)
  }

  // MARK: Applying the state machine

  private func apply(_ key: KeyEvent) -> UInt8 {
    pullLine()
    if key == .reverseSearch { return runSearch() }
    return finish(state.handle(key))
  }

  private func finish(_ action: EditAction) -> UInt8 {
    switch action {
    case .none:
      pushLine()
      return UInt8(CC_REDISPLAY)
    case .bell:
      pushLine()
      return UInt8(CC_REFRESH_BEEP)
    case let .submit(line):
      pushLine()
      submitted = line
      endLine()
      return UInt8(CC_NEWLINE)
    case .cancel:
      cancelled = true
      // Leave the abandoned text on screen, marked like a shell does.
      el_cursor(el, Int32.max / 2)
      el_insertstr(el, "^C")
      endLine()
      return UInt8(CC_NEWLINE)
    case .endOfInput:
      return UInt8(CC_EOF)
    case let .listCandidates(candidates):
      pushLine()
      fputs("\n" + Self.columns(candidates, width: Self.terminalWidth()), stdout)
      fflush(stdout)
      return UInt8(CC_REDISPLAY)
    }
  }

  // Ctrl-R: the search is modal, so read keys here until it ends, redrawing after each.
  private func runSearch() -> UInt8 {
    var action = state.handle(.reverseSearch)
    var decoder = KeyDecoder()
    while state.isSearching {
      pushLine()
      redraw()
      let keys = readKeys(&decoder)
      if keys.isEmpty {   // input closed
        _ = state.handle(.abort)
        break
      }
      for key in keys {
        action = state.handle(key)
        if !state.isSearching { break }
      }
    }
    // Show the final line with the normal prompt before libedit goes on (or ends the line).
    pushLine()
    redraw()
    return finish(action)
  }

  // What libedit's own newline function does before ending a line: show the whole line,
  // then move below it, so output starts on a fresh line.
  private func endLine() {
    el_cursor(el, Int32.max / 2)
    redraw()
    fputs("\n", stdout)
    fflush(stdout)
  }

  private func redraw() {
    fputs("\r\u{1B}[K", stdout)
    fflush(stdout)
    uboost_el_refresh(el)
  }

  // Raw keys straight from the terminal (libedit has it in raw mode while a line is edited).
  private func readKeys(_ decoder: inout KeyDecoder) -> [KeyEvent] {
    var buffer = [UInt8](repeating: 0, count: 256)
    var events: [KeyEvent] = []
    repeat {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(STDIN_FILENO, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { return events + decoder.flush() }
      events += decoder.decode(Array(buffer[0..<n]))
      while decoder.hasPending {
        var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        if poll(&fds, 1, 60) > 0 {
          let m = buffer.withUnsafeMutableBytes { Glibc.read(STDIN_FILENO, $0.baseAddress, $0.count) }
          guard m > 0 else { break }
          events += decoder.decode(Array(buffer[0..<m]))
        } else {
          break
        }
      }
      if decoder.hasPending { events += decoder.flush() }
    } while events.isEmpty
    return events
  }

  // MARK: Syncing libedit's line with the state machine

  private func libeditLine() -> (scalars: [Unicode.Scalar], cursor: Int) {
    guard let info = el_line(el), let start = info.pointee.buffer else { return ([], 0) }
    let length = max(0, info.pointee.lastchar - start)
    let cursorBytes = max(0, min(length, info.pointee.cursor - start))
    let bytes = UnsafeRawBufferPointer(start: start, count: length).bindMemory(to: UInt8.self)
    let before = String(decoding: bytes[0..<cursorBytes], as: UTF8.self)
    let all = String(decoding: bytes, as: UTF8.self)
    return (Array(all.unicodeScalars), before.unicodeScalars.count)
  }

  private func pullLine() {
    let (scalars, cursor) = libeditLine()
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars)
    state.setLine(String(view), cursor: cursor)
  }

  private func pushLine() {
    let (current, cursor) = libeditLine()
    if current != state.scalars {
      el_cursor(el, Int32(current.count - cursor))
      if !current.isEmpty { el_deletestr(el, Int32(current.count)) }
      if !state.scalars.isEmpty { el_insertstr(el, state.text) }
      el_cursor(el, Int32(state.cursor - state.scalars.count))
    } else if cursor != state.cursor {
      el_cursor(el, Int32(state.cursor - cursor))
    }
  }

  // MARK: Candidate listing

  static func terminalWidth() -> Int {
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
      return Int(size.ws_col)
    }
    return 80
  }

  /// Candidates in columns, row by row, fitting `width`.
  static func columns(_ items: [String], width: Int) -> String {
    guard !items.isEmpty else { return "" }
    let cell = (items.map(\.count).max() ?? 0) + 2
    let perRow = max(1, width / max(1, cell))
    var text = ""
    for (i, item) in items.enumerated() {
      let last = i % perRow == perRow - 1 || i == items.count - 1
      text += last ? item + "\n" : item.padding(toLength: cell, withPad: " ", startingAt: 0)
    }
    return text
  }
}
