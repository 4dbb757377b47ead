// MARK: - Heatmap

/// A matrix drawn as coloured cells with row and column labels and a colour scale, e.g. the
/// architecture weights of a search (edges x operations).
///
/// ```swift
/// let hm = try Heatmap(matrix: [[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]],
///                      rowLabels: ["0->2", "1->2"], columnLabels: ["conv3x3", "skip", "zero"],
///                      title: "alphas")
/// print(hm.renderTerminal(width: 60, height: 12, color: true))
/// ```
public struct Heatmap: Equatable, Sendable {
  /// The matrix, row-major; NaN and infinite cells are drawn grey / "?".
  public private(set) var values: [[Double]]
  /// One label per row (drawn at the left).
  public private(set) var rowLabels: [String]
  /// One label per column (drawn on top).
  public private(set) var columnLabels: [String]
  /// Title above the chart; empty for none.
  public var title: String
  /// Label for the column axis (shown below the cells).
  public var xLabel: String
  /// Label for the row axis (shown at the left).
  public var yLabel: String
  /// Colour scale mapping the value range to colours.
  public var scale: ColorScale
  /// Fixed colour range; by default the finite minimum and maximum of the matrix.
  public var range: ClosedRange<Double>?
  /// Print each cell's value inside it when there is room.
  public var showValues: Bool

  /// Creates a heat map. Empty label arrays mean "number the rows/columns from 0".
  ///
  /// Throws `PlotError.emptyMatrix` for no rows or no columns, `PlotError.raggedMatrix` when rows
  /// differ in length and `PlotError.labelCountMismatch` when labels do not match the shape.
  public init(matrix: [[Double]], rowLabels: [String] = [], columnLabels: [String] = [],
              title: String = "", xLabel: String = "", yLabel: String = "",
              scale: ColorScale = .sequential, range: ClosedRange<Double>? = nil,
              showValues: Bool = true) throws {
    guard let first = matrix.first, !first.isEmpty else { throw PlotError.emptyMatrix }
    for (i, row) in matrix.enumerated() where row.count != first.count {
      throw PlotError.raggedMatrix(row: i, expected: first.count, actual: row.count)
    }
    if !rowLabels.isEmpty, rowLabels.count != matrix.count {
      throw PlotError.labelCountMismatch(what: "heat map rows", expected: matrix.count,
                                         actual: rowLabels.count)
    }
    if !columnLabels.isEmpty, columnLabels.count != first.count {
      throw PlotError.labelCountMismatch(what: "heat map columns", expected: first.count,
                                         actual: columnLabels.count)
    }
    self.values = matrix
    self.rowLabels = rowLabels.isEmpty ? matrix.indices.map { String($0) } : rowLabels
    self.columnLabels = columnLabels.isEmpty ? first.indices.map { String($0) } : columnLabels
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.scale = scale
    self.range = range
    self.showValues = showValues
  }

  /// Number of matrix rows.
  public var rowCount: Int { values.count }
  /// Number of matrix columns.
  public var columnCount: Int { values.first?.count ?? 0 }

  /// The colour range actually used: `range` if finite and non-empty, else the data bounds.
  var valueBounds: (Double, Double) {
    if let range, range.lowerBound.isFinite, range.upperBound.isFinite {
      return (range.lowerBound, range.upperBound)
    }
    return finiteBounds(values.joined()) ?? (0, 1)
  }

  /// Position of `value` on the colour scale in [0, 1], or nil for non-finite values.
  /// `bounds` is `valueBounds`, computed once per rendering by the caller.
  func position(_ value: Double, in bounds: (Double, Double)) -> Double? {
    guard value.isFinite else { return nil }
    let (lo, hi) = bounds
    guard hi > lo else { return 0.5 }
    return max(0, min(1, (value - lo) / (hi - lo)))
  }

  func valueText(_ value: Double) -> String { NumberFormat.general(value, significant: 2) }
}
