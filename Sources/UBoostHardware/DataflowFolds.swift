// MARK: - Folds of a layer on an array

/// A class of identical folds: `count` folds with `used` mapped PEs doing `macs` useful MACs over `t`
/// streaming cycles.
struct FoldClass: Equatable {
  var count: Double
  var used: Double
  var macs: Double
  var t: Double
}

/// A GEMM as the dataflow models see it: `groups` independent `[m x k] x [k x n]` products
/// (`groups == 1`: a dense layer; a depthwise conv is `groups = channels`, `k = FH*FW`, `n = 1`).
public struct DataflowGemm: Equatable, Sendable {
  public var m: Double
  public var k: Double
  public var n: Double
  public var groups: Double

  public init(m: Double, k: Double, n: Double, groups: Double = 1) {
    self.m = m; self.k = k; self.n = n; self.groups = groups
  }

  public var macs: Double { m * k * n * groups }
}

extension Dataflow {
  /// How many groups of a grouped GEMM share one fold (0: a group does not fit and is folded alone).
  ///
  /// `ws` packs groups block-diagonally (each needs `k` rows and `n` columns); `os` packs them along
  /// the columns and streams their windows one after another; `is` packs them along the rows and
  /// streams their filters one after another.
  func groupsPerFold(k: Double, n: Double, rows r: Double, cols c: Double) -> Double {
    switch self {
    case .weightStationary: return k <= r && n <= c ? min((r / k).rounded(.down), (c / n).rounded(.down)) : 0
    case .outputStationary: return n <= c ? (c / n).rounded(.down) : 0
    case .inputStationary: return k <= r ? (r / k).rounded(.down) : 0
    }
  }

  /// Every fold of `g` on an `r x c` array (grouped GEMMs modelled directly, groups packed per fold).
  func folds(_ g: DataflowGemm, rows r: Double, cols c: Double) -> [FoldClass] {
    if g.groups == 1 { return dense(m: g.m, k: g.k, n: g.n, rows: r, cols: c) }
    let p = groupsPerFold(k: g.k, n: g.n, rows: r, cols: c)
    if p < 1 {
      return dense(m: g.m, k: g.k, n: g.n, rows: r, cols: c).map {
        FoldClass(count: $0.count * g.groups, used: $0.used, macs: $0.macs, t: $0.t)
      }
    }
    let full = (g.groups / p).rounded(.down), rest = g.groups - full * p
    var out: [FoldClass] = []
    for (count, q) in [(full, p), (rest > 0 ? 1 : 0, rest)] where count > 0 {
      switch self {
      case .weightStationary:
        out.append(FoldClass(count: count, used: q * g.k * g.n, macs: q * g.k * g.n * g.m, t: g.m))
      case .outputStationary:
        for f in Dataflow.split(g.m, r) {
          out.append(FoldClass(count: count * f.count, used: f.size * q * g.n, macs: f.size * q * g.n * g.k, t: q * g.k))
        }
      case .inputStationary:
        for f in Dataflow.split(g.m, c) {
          out.append(FoldClass(count: count * f.count, used: q * g.k * f.size, macs: q * g.k * f.size * g.n, t: q * g.n))
        }
      }
    }
    return out
  }

  /// Folds of a dense `[m x k] x [k x n]` product.
  func dense(m: Double, k: Double, n: Double, rows r: Double, cols c: Double) -> [FoldClass] {
    let (sr, sc, t) = spatioTemporal(m: m, k: k, n: n)
    var out: [FoldClass] = []
    for fr in Dataflow.split(sr, r) {
      for fc in Dataflow.split(sc, c) {
        out.append(FoldClass(count: fr.count * fc.count, used: fr.size * fc.size, macs: fr.size * fc.size * t, t: t))
      }
    }
    return out
  }

  /// `x` cut into pieces of `size`: the full pieces and the ragged last one.
  static func split(_ x: Double, _ size: Double) -> [(count: Double, size: Double)] {
    let full = (x / size).rounded(.down), rest = x - full * size
    var out: [(count: Double, size: Double)] = []
    if full > 0 { out.append((full, size)) }
    if rest > 0 { out.append((1, rest)) }
    return out
  }
}

// MARK: - The compute report

/// One row of SCALE-Sim's `COMPUTE_REPORT.csv`: cycles and utilizations (percent) of one layer.
///
/// ```swift
/// let r = ScaleSimLayer(name: "c", ifmapH: 18, ifmapW: 18, filterH: 3, filterW: 3, channels: 16,
///                       numFilter: 32, stride: 1).reports(rows: 16, cols: 16, dataflow: .weightStationary)
/// print(r[0].totalCycles)   // 5435
/// ```
public struct ScaleSimReport: Equatable, Sendable {
  public var layer: String
  public var totalCycles: Double
  public var stallCycles: Double
  /// MACs / (total cycles * R * C), percent.
  public var overallUtil: Double
  /// Mean over folds of mapped PEs / (R * C), percent.
  public var mappingEfficiency: Double
  /// Mean over folds of useful MACs / (R * C * fold cycles), percent.
  public var computeUtil: Double
  public var macs: Double

  public init(layer: String, totalCycles: Double, stallCycles: Double, overallUtil: Double,
              mappingEfficiency: Double, computeUtil: Double, macs: Double) {
    self.layer = layer
    self.totalCycles = totalCycles
    self.stallCycles = stallCycles
    self.overallUtil = overallUtil
    self.mappingEfficiency = mappingEfficiency
    self.computeUtil = computeUtil
    self.macs = macs
  }

  /// The report of the given folds as one SCALE-Sim layer (its demand matrices have one row per
  /// cycle; the last output is written one cycle before the count of rows).
  static func from(layer: String, folds: [FoldClass], dataflow df: Dataflow, rows r: Double, cols c: Double,
                   stall: Double = 0) -> ScaleSimReport {
    var cycles = 0.0, n = 0.0, mapped = 0.0, util = 0.0, macs = 0.0
    let pes = r * c
    for f in folds {
      cycles += f.count * df.foldCycles(t: f.t, rows: r, cols: c)
      n += f.count
      mapped += f.count * f.used / pes
      util += f.count * f.macs / (pes * df.utilizationCycles(t: f.t, rows: r, cols: c))
      macs += f.count * f.macs
    }
    let total = max(0, cycles - 1) + stall
    return ScaleSimReport(layer: layer, totalCycles: total, stallCycles: stall,
                          overallUtil: total > 0 ? macs * 100 / (total * pes) : 0,
                          mappingEfficiency: n > 0 ? mapped / n * 100 : 0,
                          computeUtil: n > 0 ? util / n * 100 : 0, macs: macs)
  }
}
