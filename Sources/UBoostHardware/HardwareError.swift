// MARK: - Errors and warnings of the hardware layer

/// Every failure a caller of UBoostHardware can cause.
///
/// Each case names the offending key or parameter so a user can fix the input:
/// ```swift
/// do { _ = try BlackboxModel(path: "missing.json") }
/// catch let e as HardwareError { print(e) }   // "cannot read lookup table 'missing.json': ..."
/// ```
public enum HardwareError: Error, CustomStringConvertible, Equatable, Sendable {
  /// A numeric parameter is outside its allowed range (e.g. a negative channel count).
  case invalidParameter(name: String, value: String, reason: String)
  /// A lookup-table key (layer type, input size, kernel, channel) is not present.
  case missingKey(key: String, value: String, path: String)
  /// A query lies outside the range the lookup table covers (no extrapolation).
  case outOfRange(key: String, value: Double, lower: Double, upper: Double, path: String)
  /// The table file could not be read.
  case unreadableFile(path: String, reason: String)
  /// The table file is not in the reference schema.
  case malformedTable(path: String, reason: String)
  /// The layer kind is not supported by this model.
  case unsupportedLayer(kind: String, model: String)
  /// A SCALE-Sim config or topology file (or another input file) could not be read.
  case cannotRead(path: String, reason: String)
  /// An output file could not be written.
  case cannotWrite(path: String, reason: String)
  /// A line of a SCALE-Sim config or topology file is malformed (1-based line and column).
  case fileFormat(path: String, line: Int, column: Int, reason: String)
  /// A SCALE-Sim config lacks required keys (all of them are named).
  case missingKeys(path: String, keys: [String])

  public var description: String {
    switch self {
    case let .invalidParameter(name, value, reason):
      return "invalid \(name) = \(value): \(reason)"
    case let .missingKey(key, value, path):
      let at = path.isEmpty ? "" : " under '\(path)'"
      return "\(key) \(value) not found in lookup table\(at)"
    case let .outOfRange(key, value, lower, upper, path):
      return "\(key) \(fmt(value)) is outside the lookup table range [\(fmt(lower)), \(fmt(upper))] under '\(path)'"
    case let .unreadableFile(path, reason):
      return "cannot read lookup table '\(path)': \(reason)"
    case let .malformedTable(path, reason):
      return "malformed lookup table '\(path)': \(reason)"
    case let .unsupportedLayer(kind, model):
      return "layer kind '\(kind)' is not supported by the \(model) model"
    case let .cannotRead(path, reason):
      return "cannot read '\(path)': \(reason)"
    case let .cannotWrite(path, reason):
      return "cannot write '\(path)': \(reason)"
    case let .fileFormat(path, line, column, reason):
      return "\(path):\(line):\(column): \(reason)"
    case let .missingKeys(path, keys):
      return "\(path): missing required key\(keys.count == 1 ? "" : "s") \(keys.joined(separator: ", "))"
    }
  }
}

/// Formats a number without a trailing ".0" for integral values (used in messages and tables).
func fmt(_ x: Double) -> String {
  if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
  return String(x)
}

// MARK: - Warnings

/// A non-fatal condition a model noticed (reported through a callback, never printed).
///
/// ```swift
/// let v = SmoothCeil.reference(350) { w in log.append(w.description) }
/// ```
public enum HardwareWarning: CustomStringConvertible, Equatable, Sendable {
  /// The reference smooth ceiling only has steps at 0..<300; larger inputs saturate near 300.
  case ceilingSaturated(input: Double, bound: Double)

  public var description: String {
    switch self {
    case let .ceilingSaturated(input, bound):
      return "smooth ceiling input \(input) exceeds its last step (\(fmt(bound))): value saturates, as in the reference (tile counts and utilization are then wrong; the corrected and sigmoid forms have no bound)"
    }
  }
}

/// Receives warnings; `nil` ignores them.
public typealias WarningHandler = @Sendable (HardwareWarning) -> Void
