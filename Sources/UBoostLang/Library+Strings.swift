import Foundation

// MARK: - String library

extension CoreLibraries {
  public static let strings = BuiltinLibrary(name: "strings", doc: "Text functions. Strings are immutable; indexes count characters.", entries: [
    B("upper", "s: string", "Upper-case copy.") { a in .string(try a.string("s").uppercased()) },
    B("lower", "s: string", "Lower-case copy.") { a in .string(try a.string("s").lowercased()) },
    B("trim", "s: string", "Copy without leading and trailing whitespace.") { a in
      .string(try a.string("s").trimmingCharacters(in: .whitespacesAndNewlines))
    },
    B("split", "s: string, sep = nil", "Pieces of s between occurrences of sep (whitespace runs when sep is nil).") { a in
      let s = try a.string("s")
      let sep = try a.value("sep")
      if sep.isNil { return .list(s.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) }) }
      guard case .string(let t) = sep else { throw a.typeError("sep", expected: "string", got: sep) }
      guard !t.isEmpty else { throw LangError(.value, "split(): separator must not be empty") }
      return .list(s.components(separatedBy: t).map { .string($0) })
    },
    B("join", "xs, sep: string = \"\"", "Elements (converted with str) joined by sep.") { a in
      let parts = try a.sequence("xs").map { $0.description }
      let sep = try a.string("sep")
      guard parts.reduce(0, { $0 + $1.utf8.count }) + sep.utf8.count * parts.count <= Ops.maxElements else { throw Ops.tooBig() }
      return .string(parts.joined(separator: sep))
    },
    B("replace", "s: string, old: string, new: string", "s with every occurrence of old replaced by new.") { a in
      let old = try a.string("old")
      guard !old.isEmpty else { throw LangError(.value, "replace(): old must not be empty") }
      let s = try a.string("s"), new = try a.string("new")
      let count = s.components(separatedBy: old).count - 1
      guard s.utf8.count + count * new.utf8.count <= Ops.maxElements else { throw Ops.tooBig() }
      return .string(s.replacingOccurrences(of: old, with: new))
    },
    B("starts_with", "s: string, prefix: string", "Whether s starts with prefix.") { a in .bool(try a.string("s").hasPrefix(try a.string("prefix"))) },
    B("ends_with", "s: string, suffix: string", "Whether s ends with suffix.") { a in .bool(try a.string("s").hasSuffix(try a.string("suffix"))) },
    B("chars", "s: string", "List of the characters of s.") { a in .list(try a.string("s").map { .string(String($0)) }) },
    B("lines", "s: string", "List of the lines of s.") { a in
      .list(try a.string("s").split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) })
    },
    B("repeat", "s: string, n: number", "s repeated n times.") { a in
      let s = try a.string("s")
      return .string(String(repeating: s, count: try Ops.repeatCount(try a.number("n"), unit: s.utf8.count)))
    },
    B("pad_left", "s, width: int, fill: string = \" \"", "str(s) padded on the left to width characters.") { a in
      try pad(a, left: true)
    },
    B("pad_right", "s, width: int, fill: string = \" \"", "str(s) padded on the right to width characters.") { a in
      try pad(a, left: false)
    },
    B("fixed", "x: number, digits: int = 2", "x formatted with exactly `digits` decimals, e.g. fixed(3.14159, 2) is \"3.14\".") { a in
      let d = try a.int("digits")
      guard (0...20).contains(d) else { throw LangError(.value, "fixed(): digits must be within 0...20") }
      return .string(String(format: "%.\(d)f", try a.number("x")))
    },
    B("sci", "x: number, digits: int = 3", "x in scientific notation, e.g. sci(12345, 2) is \"1.23e+04\".") { a in
      let d = try a.int("digits")
      guard (0...20).contains(d) else { throw LangError(.value, "sci(): digits must be within 0...20") }
      return .string(String(format: "%.\(d)e", try a.number("x")))
    },
    B("ord", "c: string", "Unicode code point of the first character.") { a in
      guard let u = try a.string("c").unicodeScalars.first else { throw LangError(.value, "ord(): empty string") }
      return .number(Double(u.value))
    },
    B("chr", "n: int", "The character with code point n.") { a in
      let n = try a.int("n")
      guard n >= 0, n <= 0x10FFFF, let u = Unicode.Scalar(UInt32(n)) else { throw LangError(.value, "chr(): \(n) is not a valid code point") }
      return .string(String(Character(u)))
    },
  ])

  static func pad(_ a: Arguments, left: Bool) throws -> Value {
    let s = try a.value("s").description
    let w = try a.int("width")
    let fill = try a.string("fill")
    guard fill.count == 1 else { throw LangError(.value, "\(a.function.name)(): fill must be one character") }
    guard w <= Ops.maxElements else { throw Ops.tooBig() }
    let n = max(0, w - s.count)
    let padding = String(repeating: fill, count: n)
    return .string(left ? padding + s : s + padding)
  }
}
