// MARK: - Decimation
//
// Large series would make SVG files huge without changing a single pixel. Consecutive points
// that fall in the same pixel column are reduced to the first, lowest, highest and last of them,
// in their original order, which keeps cliffs and spikes exactly. Scatter points that land on an
// already drawn half-pixel are dropped.

enum Decimation {
  /// Points (in pixel coordinates) reduced per run of equal pixel column.
  static func columns(_ points: [(Double, Double)]) -> [(Double, Double)] {
    guard points.count > 8 else { return points }
    var out: [(Double, Double)] = []
    out.reserveCapacity(min(points.count, 4096))
    var start = 0
    points.withUnsafeBufferPointer { p in
      while start < p.count {
        let column = clampedInt(p[start].0.rounded(.down))
        var end = start + 1
        var low = start, high = start
        while end < p.count, clampedInt(p[end].0.rounded(.down)) == column {
          if p[end].1 < p[low].1 { low = end }
          if p[end].1 > p[high].1 { high = end }
          end += 1
        }
        let last = end - 1
        // Keep first, extremes and last in index order without repeats.
        var keep = [start, low, high, last]
        keep.sort()
        var previous = -1
        for k in keep where k != previous {
          out.append(p[k])
          previous = k
        }
        start = end
      }
    }
    return out
  }

  /// Indices of points whose half-pixel cell has not been used by an earlier point.
  static func distinctPixels(_ points: [(Double, Double)]) -> [Int] {
    var seen = Set<Int>()
    var keep: [Int] = []
    for (i, p) in points.enumerated() {
      let key = clampedInt(p.0 * 2) &* 1_000_003 &+ clampedInt(p.1 * 2)
      if seen.insert(key).inserted { keep.append(i) }
    }
    return keep
  }
}
