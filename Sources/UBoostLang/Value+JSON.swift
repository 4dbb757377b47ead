import Foundation

// MARK: - JSON text of plain values

extension Value {
  /// The JSON text `to_json` produces: numbers, strings, bools, nil, lists (ranges as lists) and
  /// records in field order; functions and engine objects throw a `type` error.
  ///
  /// ```swift
  /// try Value.record([("lr", .number(0.1))]).jsonText()   // {"lr": 0.1}
  /// ```
  public func jsonText() throws -> String { try CoreLibraries.toJSON(self, depth: 0) }

  /// The value a JSON text describes, as `parse_json` reads it (object keys sorted).
  ///
  /// ```swift
  /// try Value.parseJSON("{\"b\": [1, true], \"a\": null}")   // {a: nil, b: [1, true]}
  /// ```
  public static func parseJSON(_ text: String) throws -> Value {
    guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
      throw LangError(.value, "malformed JSON")
    }
    return CoreLibraries.fromJSON(obj)
  }
}
