// MARK: - Pareto front

/// Whether smaller or larger values of an objective are better.
public enum Objective: Equatable, Sendable {
  case minimize
  case maximize
}

/// Indices of the non-dominated points, sorted by increasing x.
///
/// A point dominates another when it is no worse in both objectives and strictly better in at
/// least one. Points with a non-finite coordinate are ignored; duplicates of a front point are
/// all kept. Runs in O(n log n).
///
/// ```swift
/// // latency (minimize) vs accuracy (maximize)
/// paretoFront(x: [1, 2, 3], y: [0.5, 0.4, 0.9], x: .minimize, y: .maximize)  // [0, 2]
/// ```
public func paretoFront(x: [Double], y: [Double], x xObjective: Objective = .minimize,
                        y yObjective: Objective = .maximize) -> [Int] {
  let count = min(x.count, y.count)
  // Transform to "minimize both" so one sweep handles every combination.
  let sx: Double = xObjective == .minimize ? 1 : -1
  let sy: Double = yObjective == .minimize ? 1 : -1
  var order: [Int] = []
  order.reserveCapacity(count)
  for i in 0..<count where x[i].isFinite && y[i].isFinite { order.append(i) }
  order.sort { a, b in
    let xa = sx * x[a], xb = sx * x[b]
    return xa != xb ? xa < xb : sy * y[a] < sy * y[b]
  }
  var front: [Int] = []
  var bestY = Double.infinity
  var bestX = -Double.infinity
  for i in order {
    let xi = sx * x[i], yi = sy * y[i]
    if yi < bestY {
      front.append(i)
      bestY = yi; bestX = xi
    } else if yi == bestY, xi == bestX {
      front.append(i)   // exact duplicate of the last front point
    }
  }
  return front.sorted { x[$0] != x[$1] ? x[$0] < x[$1] : $0 < $1 }
}
