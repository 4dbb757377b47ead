import Foundation

// MARK: - Reading source files

/// Decodes script files. Source must be UTF-8; a byte that is not is reported at its line and
/// column, except inside a `#` comment, where it is replaced by U+FFFD (so a Latin-1 `é` in a
/// comment does not stop a script).
///
/// ```swift
/// let text = try SourceText.read(path: "train.uboost")
/// // train.uboost:3:12: syntax error: invalid UTF-8 byte 0xE9 (source files must be UTF-8 ...)
/// ```
public enum SourceText {
  /// The text of the script at `path`; an `io` error when it cannot be read.
  public static func read(path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      var isDirectory: ObjCBool = false
      let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      let why = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"
      throw LangError(.io, "cannot read '\(path)': \(why)")
    }
    return try decode(Array(data), name: path)
  }

  /// `bytes` as text; see the type's description for invalid UTF-8.
  public static func decode(_ bytes: [UInt8], name: String) throws -> String {
    if let s = String(validating: bytes, as: UTF8.self) { return s }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + 16)
    var line = 1, column = 1
    var inString = false, escaped = false, inComment = false
    var i = 0
    while i < bytes.count {
      guard let n = sequenceLength(bytes, i) else {
        guard inComment else {
          let file = SourceFile(name: name, text: String(decoding: bytes, as: UTF8.self))
          throw LangError(.syntax, "invalid UTF-8 byte 0x\(String(bytes[i], radix: 16, uppercase: true)) (source files must be UTF-8; other bytes are only tolerated in comments)",
                          at: SourceLocation(file: file, line: line, column: column))
        }
        out += [0xEF, 0xBF, 0xBD]  // U+FFFD
        column += 1
        i += 1
        continue
      }
      let c = bytes[i]
      out.append(contentsOf: bytes[i..<(i + n)])
      i += n
      if c == 0x0A {
        line += 1
        column = 1
        inString = false
        inComment = false
        escaped = false
        continue
      }
      column += 1
      guard n == 1, !inComment else { escaped = false; continue }
      if inString {
        if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
      } else if c == 0x22 {
        inString = true
      } else if c == 0x23 {
        inComment = true
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Length of the well-formed UTF-8 sequence at `i`, or nil.
  static func sequenceLength(_ b: [UInt8], _ i: Int) -> Int? {
    let c = b[i]
    if c < 0x80 { return 1 }
    let n: Int
    switch c {
    case 0xC2...0xDF: n = 2
    case 0xE0...0xEF: n = 3
    case 0xF0...0xF4: n = 4
    default: return nil
    }
    guard i + n <= b.count else { return nil }
    var v = UInt32(c) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
    for k in 1..<n {
      let d = b[i + k]
      guard d & 0xC0 == 0x80 else { return nil }
      v = v << 6 | UInt32(d & 0x3F)
    }
    if n == 3, v < 0x800 || (0xD800...0xDFFF).contains(v) { return nil }
    if n == 4, v < 0x10000 || v > 0x10FFFF { return nil }
    return n
  }
}
