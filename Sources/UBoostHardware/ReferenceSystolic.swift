// MARK: - The reference's systolic timing helpers (src/hardware/systolic_model.py)

/// A matrix chunk shape `rows x cols`.
public struct ChunkShape: Equatable, Sendable, CustomStringConvertible {
  public var rows: Int
  public var cols: Int
  public init(_ rows: Int, _ cols: Int) { self.rows = rows; self.cols = cols }
  public var description: String { "[\(rows), \(cols)]" }
}

/// PE-cycle statistics of one tile pass, in the reference's order.
public struct PassStats: Equatable, Sendable {
  /// `t_exec * R * C`.
  public var available: Double
  public var weightStall: Double
  public var horizontalLatency: Double
  public var verticalLatency: Double
  /// Unused columns (`c < C`).
  public var narrowData: Double
  /// Unused rows (`r < R`).
  public var shallowData: Double
  public var active: Double

  /// The seven values in the reference order (avail, weight stall, horizontal, vertical, narrow, shallow, active).
  public var asArray: [Double] {
    [available, weightStall, horizontalLatency, verticalLatency, narrowData, shallowData, active]
  }
}

/// Re-implementation of the reference helpers that fold a GEMM onto an `R x C` array and time one pass.
///
/// ```swift
/// let (ins, ws) = ReferenceSystolic.foldData(rows: 128, cols: 128, input: ChunkShape(64, 144), weight: ChunkShape(144, 16))
/// let pass = ReferenceSystolic.pass(rows: 128, cols: 128, inputRows: 64, weight: ws[0], lastExec: 0)
/// print(pass.tExec)   // 334
/// ```
public enum ReferenceSystolic {
  /// Largest number of chunks the helpers produce (larger requests return no chunks).
  public static let maxChunks = 10_000_000

  /// Folds `input [M, K] x weight [K, N]` into weight chunks of at most `R x C` (reduction inner,
  /// output columns outer, remainders last) and the matching input chunks `[M, r]`.
  public static func foldData(rows: Int, cols: Int, input: ChunkShape, weight: ChunkShape)
    -> (inputChunks: [ChunkShape], weightChunks: [ChunkShape]) {
    var ins: [ChunkShape] = [], ws: [ChunkShape] = []
    guard rows > 0, cols > 0, input.rows > 0, weight.rows > 0, weight.cols > 0 else { return ([], []) }
    // Refuse absurd fold counts instead of exhausting memory.
    if (Double(weight.rows) / Double(rows) + 1) * (Double(weight.cols) / Double(cols) + 1) > Double(maxChunks) {
      return ([], [])
    }
    var j = 0
    while j < weight.cols {
      let c = min(cols, weight.cols - j)
      var i = 0
      while i < weight.rows {
        let r = min(rows, weight.rows - i)
        ins.append(ChunkShape(input.rows, r))
        ws.append(ChunkShape(r, c))
        i += rows
      }
      j += cols
    }
    return (ins, ws)
  }

  /// Splits each input chunk's `M` rows into `floor(M/C) - 1` pieces of `C` rows plus the remainder
  /// (the reference uses the column count as the row block), repeating the weight chunk per piece.
  public static func distributeBatch(rows: Int, cols: Int, inputChunks: [ChunkShape], weightChunks: [ChunkShape])
    -> (inputChunks: [ChunkShape], weightChunks: [ChunkShape]) {
    var ins: [ChunkShape] = [], ws: [ChunkShape] = []
    guard cols > 0 else { return ([], []) }
    if inputChunks.reduce(0.0, { $0 + Double(max($1.rows / cols, 1)) }) > Double(maxChunks) { return ([], []) }
    for (a, w) in zip(inputChunks, weightChunks) {
      let pieces = max(a.rows / cols - 1, 0)
      for _ in 0..<pieces {
        ins.append(ChunkShape(cols, a.cols))
        ws.append(w)
      }
      ins.append(ChunkShape(a.rows - pieces * cols, a.cols))
      ws.append(w)
    }
    return (ins, ws)
  }

  /// One tile pass: `t_exec = max(r - lastExec, 0) + (ceil(c/lb) - 1) + n + (ceil(r/lf) - 1)`
  /// (sizes above 2^50 are clamped).
  public static func pass(rows: Int, cols: Int, inputRows n: Int, weight: ChunkShape, lastExec: Int,
                          localBroadcast: Int = 1, localFanin: Int = 1) -> (tExec: Int, stats: PassStats) {
    // Sizes are clamped to 2^50 so the integer arithmetic below cannot overflow.
    let cap = 1 << 50
    let r = min(weight.rows, cap), c = min(weight.cols, cap), n = min(n, cap)
    let lb = max(localBroadcast, 1), lf = max(localFanin, 1)
    let tws = max(r - min(max(lastExec, -cap), cap), 0)
    let h = c / lb + (c % lb == 0 ? 0 : 1) - 1
    let v = r / lf + (r % lf == 0 ? 0 : 1) - 1
    let t = tws + h + n + v
    let R = Double(rows), C = Double(cols), rd = Double(r), cd = Double(c), td = Double(t)
    let corner = 0.5 * td * (R - rd) * (C - cd)
    let stats = PassStats(available: td * R * C, weightStall: Double(tws) * rd * cd,
                          horizontalLatency: Double(h) * rd * cd, verticalLatency: Double(v) * rd * cd,
                          narrowData: td * (C - cd) * rd + corner, shallowData: td * (R - rd) * cd + corner,
                          active: Double(n) * rd * cd)
    return (t, stats)
  }

  /// Times every distributed chunk of a GEMM; `chained` feeds each pass the previous `t_exec`.
  public static func run(rows: Int, cols: Int, input: ChunkShape, weight: ChunkShape, chained: Bool)
    -> [(tExec: Int, stats: PassStats)] {
    let f = foldData(rows: rows, cols: cols, input: input, weight: weight)
    let d = distributeBatch(rows: rows, cols: cols, inputChunks: f.inputChunks, weightChunks: f.weightChunks)
    var last = 0
    var out: [(tExec: Int, stats: PassStats)] = []
    for (a, w) in zip(d.inputChunks, d.weightChunks) {
      let p = pass(rows: rows, cols: cols, inputRows: a.rows, weight: w, lastExec: chained ? last : 0)
      out.append(p)
      last = p.tExec
    }
    return out
  }
}
