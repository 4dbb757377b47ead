// MARK: - BarChart

/// Labelled bars, e.g. per-layer utilization or latency; horizontal or vertical.
///
/// Negative values grow the other way from a zero baseline; NaN and infinite values are drawn
/// as missing bars (their label is still shown, with the value "nan"/"inf").
///
/// ```swift
/// let bars = try BarChart(labels: ["conv1", "conv2", "fc"], values: [0.92, 0.51, 0.13],
///                         title: "utilization", orientation: .horizontal)
/// print(bars.renderTerminal(width: 60, height: 10, color: false))
/// ```
public struct BarChart: Equatable, Sendable {
  /// Bars growing to the right (labels at the left) or upwards (labels below).
  public enum Orientation: Equatable, Sendable { case horizontal, vertical }

  /// One label per bar.
  public private(set) var labels: [String]
  /// Bar values; NaN and infinite values are shown as missing bars.
  public private(set) var values: [Double]
  /// Title above the chart; empty for none.
  public var title: String
  /// Label of the value axis (e.g. "latency (ms)").
  public var valueLabel: String
  /// Label of the category axis (e.g. "layer").
  public var categoryLabel: String
  /// Direction the bars grow.
  public var orientation: Orientation

  /// Throws `PlotError.labelCountMismatch` when `labels` (if non-empty) and `values` differ in
  /// length. Empty labels mean "number the bars from 0".
  public init(labels: [String] = [], values: [Double], title: String = "",
              valueLabel: String = "", categoryLabel: String = "",
              orientation: Orientation = .horizontal) throws {
    if !labels.isEmpty, labels.count != values.count {
      throw PlotError.labelCountMismatch(what: "bar chart", expected: values.count,
                                         actual: labels.count)
    }
    self.labels = labels.isEmpty ? values.indices.map { String($0) } : labels
    self.values = values
    self.title = title
    self.valueLabel = valueLabel
    self.categoryLabel = categoryLabel
    self.orientation = orientation
  }

  /// The value axis: always includes zero.
  func valueScale(targetTicks: Int) -> NiceScale {
    let (lo, hi) = finiteBounds(values) ?? (0, 1)
    let a = min(0, lo)
    var b = max(0, hi)
    if a == b { b = 1 }
    return NiceScale(min: a, max: b, targetTicks: targetTicks)
  }

  func valueText(_ v: Double) -> String { NumberFormat.general(v, significant: 3) }

  static func barColor(_ v: Double) -> Int { v < 0 ? 3 : 0 }
}
