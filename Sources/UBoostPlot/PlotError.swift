// MARK: - PlotError

/// Errors thrown when chart input is invalid.
///
/// Degenerate but valid data (empty series, NaN or infinite values, a constant series, a
/// single point) never throws: such values are skipped when drawing. Only input that cannot
/// describe a chart at all is rejected.
///
/// ```swift
/// do { _ = try Series(name: "s", x: [1, 2], y: [1]) }
/// catch let e as PlotError { print(e) }   // "series 's': 2 x values but 1 y values"
/// ```
public enum PlotError: Error, CustomStringConvertible, Equatable {
  /// A series has different numbers of x and y values.
  case lengthMismatch(series: String, xCount: Int, yCount: Int)
  /// A heat map matrix has no rows or no columns.
  case emptyMatrix
  /// A heat map row has a different length from the first row.
  case raggedMatrix(row: Int, expected: Int, actual: Int)
  /// A list of labels does not match the number of items it labels.
  case labelCountMismatch(what: String, expected: Int, actual: Int)
  /// A function sampling range or point count is unusable.
  case invalidSampling(String)
  /// A graph edge refers to a node id that was never declared.
  case unknownNode(String)
  /// A graph declares the same node id twice.
  case duplicateNode(String)
  /// Axis limits or a log axis that cannot be drawn.
  case invalidAxis(String)

  /// A one-line message naming the offending input.
  public var description: String {
    switch self {
    case let .lengthMismatch(series, xCount, yCount):
      return "series '\(series)': \(xCount) x values but \(yCount) y values"
    case .emptyMatrix:
      return "heat map matrix is empty (it needs at least one row and one column)"
    case let .raggedMatrix(row, expected, actual):
      return "heat map row \(row) has \(actual) values but row 0 has \(expected)"
    case let .labelCountMismatch(what, expected, actual):
      return "\(what): expected \(expected) labels but got \(actual)"
    case let .invalidAxis(message):
      return message
    case let .invalidSampling(message):
      return "cannot sample function: \(message)"
    case let .unknownNode(id):
      return "graph edge refers to unknown node '\(id)'"
    case let .duplicateNode(id):
      return "graph node '\(id)' is declared twice"
    }
  }
}
