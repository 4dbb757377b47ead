// MARK: - Aggregating layer costs into cells and networks

/// A summed cost with the weights needed to chain derivatives back to the parts.
public struct AggregateCost: Equatable, Sendable {
  public var latencyMs: Double
  public var cycles: Double
  public var macs: Double
  public var util: Double
  /// `d util / d util_i` for each part (0 for free parts); `d latency / d latency_i` is always 1.
  public var utilWeights: [Double]
}

/// Cell level: latency is the sum over layers, utilization the mean over layers with non-zero cost.
///
/// ```swift
/// let cell = aggregate(try model.costs(layers))
/// ```
public func aggregate(_ layers: [LayerCost]) -> AggregateCost {
  let counted = layers.filter { !$0.zeroCost }.count
  let w = layers.map { $0.zeroCost || counted == 0 ? 0.0 : 1.0 / Double(counted) }
  let util = counted == 0 ? 1 : zip(layers, w).reduce(0) { $0 + $1.0.util * $1.1 }
  return AggregateCost(latencyMs: layers.reduce(0) { $0 + $1.latencyMs },
                       cycles: layers.reduce(0) { $0 + $1.cycles }, macs: layers.reduce(0) { $0 + $1.macs },
                       util: util, utilWeights: w)
}

/// Network level: latency is the sum over cells; utilization the mean over cells (`corrected`) or
/// the reference's sum over cells (`reference`).
///
/// ```swift
/// let net = aggregate(cells: cells.map { aggregate($0) }, compatibility: .corrected)
/// ```
public func aggregate(cells: [AggregateCost], compatibility: Compatibility = .corrected) -> AggregateCost {
  let n = Double(max(cells.count, 1))
  let w: [Double]
  switch compatibility {
  case .reference: w = cells.map { _ in 1 }
  case .corrected: w = cells.map { _ in 1 / n }
  }
  return AggregateCost(latencyMs: cells.reduce(0) { $0 + $1.latencyMs }, cycles: cells.reduce(0) { $0 + $1.cycles },
                       macs: cells.reduce(0) { $0 + $1.macs },
                       util: cells.isEmpty ? 1 : zip(cells, w).reduce(0) { $0 + $1.0.util * $1.1 }, utilWeights: w)
}

/// Costs and aggregates a whole network given as cells of layers.
public func aggregate(network cells: [[LayerSpec]], model: CostModel,
                      compatibility: Compatibility = .corrected) throws -> AggregateCost {
  try aggregate(cells: cells.map { aggregate(try model.costs($0)) }, compatibility: compatibility)
}
