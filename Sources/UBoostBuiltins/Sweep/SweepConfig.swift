import Foundation
import UBoostLang

// MARK: - Sweep configurations and their ids

/// One configuration of a sweep: a record of plain values and its stable id.
///
/// The id is a hash of the canonical JSON of the record (fields sorted by name at every level,
/// numbers in their shortest form), so it does not depend on field order or on the position of
/// the configuration in the grid, and a changed configuration gets a new id.
///
/// ```swift
/// let c = try SweepConfig(.record([("seed", .number(0)), ("lat_coef", .number(0.1))]))
/// c.json   // {"lat_coef": 0.1, "seed": 0}
/// c.id     // 16 hex digits, the same in every process
/// ```
public struct SweepConfig {
  /// The record the run function receives.
  public let value: Value
  /// Canonical JSON text (sorted fields).
  public let json: String
  /// FNV-1a 64-bit hash of `json`, 16 hex digits.
  public let id: String

  /// Fails for anything but a record of numbers, strings, bools, nil, lists and records.
  public init(_ value: Value) throws {
    guard case .record = value else {
      throw LangError(.type, "a sweep configuration must be a record, got \(value.typeName)")
    }
    let canonical = try SweepConfig.canonical(value, depth: 0)
    self.value = value
    json = try canonical.jsonText()
    id = SweepConfig.hash(json)
  }

  /// The same value with record fields sorted by name, recursively.
  static func canonical(_ v: Value, depth: Int) throws -> Value {
    guard depth < 32 else { throw LangError(.limit, "sweep configuration nested too deeply") }
    switch v {
    case .record(let r):
      return .record(try r.fields.sorted { $0.0 < $1.0 }.map { ($0.0, try canonical($0.1, depth: depth + 1)) })
    case .list(let l):
      return .list(try l.items.map { try canonical($0, depth: depth + 1) })
    case .range(let r):
      return .list(try r.materialize())
    case .number(let d):
      guard d.isFinite else { throw LangError(.value, "sweep configuration: \(Value.formatNumber(d)) has no JSON form") }
      return v
    case .nil_, .bool, .string:
      return v
    case .function, .builtin, .object:
      throw LangError(.type, "sweep configuration: a \(v.typeName) cannot be part of a configuration (numbers, strings, bools, lists and records only)")
    }
  }

  /// FNV-1a, 64 bits, as 16 lowercase hex digits.
  public static func hash(_ text: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
