// MARK: - Key events

/// One editing key, independent of how the terminal encodes it.
///
/// ```swift
/// var state = LineEditorState()
/// _ = state.handle(.insert("1+1"))
/// _ = state.handle(.home)
/// ```
public enum KeyEvent: Equatable, Sendable {
  /// Typed (or pasted) text, inserted at the cursor.
  case insert(String)
  case left, right, wordLeft, wordRight, home, end
  /// Backspace: deletes the character before the cursor.
  case backspace
  /// Delete: deletes the character under the cursor.
  case delete
  /// Ctrl-K: deletes from the cursor to the end of the line.
  case killToEnd
  /// Ctrl-U: deletes from the start of the line to the cursor.
  case killToStart
  /// Ctrl-W: deletes the word before the cursor.
  case killWordBack
  /// Up arrow / Ctrl-P and Down arrow / Ctrl-N.
  case historyPrevious, historyNext
  /// Ctrl-R: incremental reverse search through history.
  case reverseSearch
  /// TAB.
  case complete
  /// Return.
  case enter
  /// Ctrl-C: abandons the line (or the search).
  case interrupt
  /// Ctrl-D: end of input on an empty line, otherwise delete.
  case endOfInput
  /// Ctrl-G or Escape: cancels a search.
  case abort
}

// MARK: - Decoding terminal bytes

/// Turns the bytes a terminal sends (in raw mode, VT100/xterm sequences) into ``KeyEvent``s.
///
/// ```swift
/// var decoder = KeyDecoder()
/// decoder.decode(Array("a\u{1B}[D".utf8))   // [.insert("a"), .left]
/// ```
public struct KeyDecoder: Sendable {
  private var pending: [UInt8] = []

  public init() {}

  /// Decodes as many complete keys as `bytes` (appended to any pending partial sequence)
  /// contain. An incomplete escape or UTF-8 sequence stays pending for the next call.
  public mutating func decode(_ bytes: [UInt8]) -> [KeyEvent] {
    pending.append(contentsOf: bytes)
    var events: [KeyEvent] = []
    var i = 0
    while i < pending.count {
      guard let (event, length) = Self.decodeOne(pending, at: i) else { break }
      if let event { events.append(event) }
      i += length
    }
    pending.removeFirst(i)
    return Self.mergeInserts(events)
  }

  /// Treats whatever is pending as complete (a lone Escape becomes ``KeyEvent/abort``).
  public mutating func flush() -> [KeyEvent] {
    defer { pending.removeAll() }
    if pending.first == 0x1B { return [.abort] }
    let text = String(decoding: pending, as: UTF8.self)
    return text.isEmpty ? [] : [.insert(text)]
  }

  /// True when bytes of an unfinished sequence are waiting.
  public var hasPending: Bool { !pending.isEmpty }

  // Returns (event or nil for an ignored sequence, bytes consumed), or nil when more bytes are
  // needed to decide.
  private static func decodeOne(_ b: [UInt8], at i: Int) -> (KeyEvent?, Int)? {
    let c = b[i]
    switch c {
    case 0x01: return (.home, 1)
    case 0x02: return (.left, 1)
    case 0x03: return (.interrupt, 1)
    case 0x04: return (.endOfInput, 1)
    case 0x05: return (.end, 1)
    case 0x06: return (.right, 1)
    case 0x07: return (.abort, 1)
    case 0x08, 0x7F: return (.backspace, 1)
    case 0x09: return (.complete, 1)
    case 0x0A, 0x0D: return (.enter, 1)
    case 0x0B: return (.killToEnd, 1)
    case 0x0E: return (.historyNext, 1)
    case 0x10: return (.historyPrevious, 1)
    case 0x12: return (.reverseSearch, 1)
    case 0x15: return (.killToStart, 1)
    case 0x17: return (.killWordBack, 1)
    case 0x1B: return decodeEscape(b, at: i)
    case 0x00..<0x20: return (nil, 1)
    default: return decodeUTF8(b, at: i)
    }
  }

  private static func decodeEscape(_ b: [UInt8], at i: Int) -> (KeyEvent?, Int)? {
    guard i + 1 < b.count else { return nil }
    let kind = b[i + 1]
    switch kind {
    case UInt8(ascii: "b"): return (.wordLeft, 2)
    case UInt8(ascii: "f"): return (.wordRight, 2)
    case 0x7F: return (.killWordBack, 2)
    case UInt8(ascii: "["), UInt8(ascii: "O"):
      // CSI / SS3: parameters (digits and ';') then one final byte.
      var j = i + 2
      while j < b.count, b[j] == UInt8(ascii: ";") || (b[j] >= 0x30 && b[j] <= 0x39) { j += 1 }
      guard j < b.count else { return nil }
      let params = String(decoding: b[(i + 2)..<j], as: UTF8.self)
      let length = j - i + 1
      switch b[j] {
      case UInt8(ascii: "A"): return (.historyPrevious, length)
      case UInt8(ascii: "B"): return (.historyNext, length)
      case UInt8(ascii: "C"): return (params.hasSuffix(";5") ? .wordRight : .right, length)
      case UInt8(ascii: "D"): return (params.hasSuffix(";5") ? .wordLeft : .left, length)
      case UInt8(ascii: "H"): return (.home, length)
      case UInt8(ascii: "F"): return (.end, length)
      case UInt8(ascii: "~"):
        switch params {
        case "1", "7": return (.home, length)
        case "4", "8": return (.end, length)
        case "3": return (.delete, length)
        default: return (nil, length)
        }
      default: return (nil, length)
      }
    default:
      return (.abort, 1)
    }
  }

  private static func decodeUTF8(_ b: [UInt8], at i: Int) -> (KeyEvent?, Int)? {
    let lead = b[i]
    let length: Int
    switch lead {
    case 0xC0...0xDF: length = 2
    case 0xE0...0xEF: length = 3
    case 0xF0...0xF7: length = 4
    default: length = 1
    }
    guard i + length <= b.count else { return nil }
    return (.insert(String(decoding: b[i..<(i + length)], as: UTF8.self)), length)
  }

  private static func mergeInserts(_ events: [KeyEvent]) -> [KeyEvent] {
    var merged: [KeyEvent] = []
    for event in events {
      if case let .insert(text) = event, case let .insert(previous)? = merged.last {
        merged[merged.count - 1] = .insert(previous + text)
      } else {
        merged.append(event)
      }
    }
    return merged
  }
}
