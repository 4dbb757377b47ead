// MARK: - Indexing strings in constant time

/// The character positions of the string last indexed at one `s[i]` site, so a loop over
/// `s[i]` costs O(1) per access instead of walking the string from its start each time.
///
/// A string's characters are grapheme clusters, so position `i` is not byte `i` in general. The
/// first access to a string builds the table (or notes that the string is plain ASCII without
/// `\r`, where character `i` is byte `i`); later accesses to the same string reuse it. Sameness
/// is `==`, which for the same storage is one comparison.
///
/// ```swift
/// let site = StringIndex()
/// try site.character("héllo", .number(1))   // .string("é")
/// ```
final class StringIndex {
  private var string = ""
  /// UTF-8 offset of each character's start, then of the end; built on the first `character`
  /// call for a string that is not `ascii`. (Four bytes per character: strings past 4 GiB of
  /// UTF-8 are indexed without a table.)
  private var starts: [UInt32]?
  private var ascii = true
  private var count = 0

  /// `s[key]` as a one-character string; errors like `Access.index`.
  func character(_ s: String, _ key: Value) throws -> Value {
    guard s.utf8.count < Int(UInt32.max) else { return try Access.index(.string(s), key) }
    if s != string { remember(s) }
    let i = try Access.position(key, count: count, what: "string")
    let u = s.utf8
    if ascii {
      let a = u.index(u.startIndex, offsetBy: i)
      return .string(String(s[a..<u.index(after: a)]))
    }
    let table = starts ?? buildTable(s)
    let a = u.index(u.startIndex, offsetBy: Int(table[i])), b = u.index(u.startIndex, offsetBy: Int(table[i + 1]))
    return .string(String(s[a..<b]))
  }

  private func remember(_ s: String) {
    string = s
    starts = nil
    ascii = s.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D }
    count = ascii ? s.utf8.count : s.count
  }

  private func buildTable(_ s: String) -> [UInt32] {
    var table: [UInt32] = []
    table.reserveCapacity(count + 1)
    var offset = 0
    for c in s {
      table.append(UInt32(offset))
      offset += c.utf8.count
    }
    table.append(UInt32(offset))
    starts = table
    return table
  }
}
