import Foundation
import UBoostLang

// MARK: - JSON objects as script values

enum JSONValue {
  /// Converts a `JSONSerialization` result: objects become records (keys sorted), arrays lists.
  static func value(_ x: Any) -> Value {
    switch x {
    case let d as [String: Any]:
      return .record(d.keys.sorted().map { ($0, value(d[$0] ?? NSNull())) })
    case let a as [Any]:
      return .list(a.map(value))
    case let s as String:
      return .string(s)
    case let n as NSNumber:
      // Booleans also arrive as NSNumber; the arch-state schema has none, so numbers it is.
      return .number(n.doubleValue)
    default:
      return .nil_
    }
  }
}
