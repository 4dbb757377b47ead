// MARK: - SCALE-Sim's demand and prefetch address streams, in closed form

/// The addresses SCALE-Sim 3.0.0 requests, fold by fold and cycle by cycle, for one conv layer: its
/// operand matrices (`scalesim/compute/operand_matrix.py`), the prefetch matrices and the skewed demand
/// matrices of `systolic_compute_{os,ws,is}.py`, computed per element instead of built as arrays.
///
/// Addresses are dense per operand (SCALE-Sim's offsets dropped): ifmap `0 ..< H*W*C`, filter
/// `0 ..< K*N`; `-1` is an empty slot. Folds run `for fc in colFolds { for fr in rowFolds }`, each
/// `foldRows` demand rows long.
/// ```swift
/// let d = ScaleSimDemand(layer: l, rows: 64, cols: 64, dataflow: .weightStationary)
/// let a = d.ifmapDemand(fc: 0, fr: 0, row: 70, col: 3)
/// ```
struct ScaleSimDemand {
  let h: Int, w: Int, fw: Int, c: Int, stride: Int, ew: Int
  /// GEMM sizes: ofmap pixels, window size, filters.
  let m: Int, k: Int, n: Int
  let a: Int, b: Int
  let dataflow: Dataflow

  init(layer l: ScaleSimLayer, channels: Int, filters: Int, rows: Int, cols: Int, dataflow: Dataflow) {
    h = l.ifmapH; w = l.ifmapW; fw = l.filterW; c = channels; stride = l.stride; ew = l.ofmapW
    m = l.ofmapH * l.ofmapW; k = l.filterH * l.filterW * channels; n = filters
    a = rows; b = cols
    self.dataflow = dataflow
  }

  var ifmapWords: Int { h * w * c }
  var filterWords: Int { k * n }

  /// Im2col element (ofmap pixel `i`, window position `j`), as `calc_ifmap_elem_addr`.
  @inline(__always) func ifmap(_ i: Int, _ j: Int) -> Int {
    let oRow = i / ew, oCol = i % ew
    let iRow = oRow * stride, iCol = oCol * stride
    let cRow = j / (fw * c), kk = j % (fw * c)
    let cCol = kk / c, ch = kk % c
    guard cRow + iRow < h, cCol + iCol < w else { return -1 }
    return ((cRow + iRow) * w + (cCol + iCol)) * c + ch
  }

  /// Filter element (window position `i`, filter `j`), as `calc_filter_elem_addr`.
  @inline(__always) func filter(_ i: Int, _ j: Int) -> Int { j * k + i }

  private static func ceilDiv(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }

  /// Row folds and column folds of the demand.
  var folds: (col: Int, row: Int) {
    switch dataflow {
    case .outputStationary: return (Self.ceilDiv(n, b), Self.ceilDiv(m, a))
    case .weightStationary: return (Self.ceilDiv(n, b), Self.ceilDiv(k, a))
    case .inputStationary: return (Self.ceilDiv(m, b), Self.ceilDiv(k, a))
    }
  }

  /// Demand rows of one fold.
  var foldRows: Int {
    switch dataflow {
    case .outputStationary: return k + a + b - 2
    case .weightStationary: return m + 2 * a + b - 2
    case .inputStationary: return n + 2 * a + b - 2
    }
  }

  /// Columns of the ifmap / filter demand rows (the ofmap's are `b`).
  var ifmapCols: Int { dataflow == .inputStationary ? b : a }
  var filterCols: Int { dataflow == .inputStationary ? a : b }

  @inline(__always) func ifmapDemand(fc: Int, fr: Int, row r: Int, col cc: Int) -> Int {
    switch dataflow {
    case .outputStationary:
      let x = r - cc, mm = fr * a + cc
      return x >= 0 && x < k && mm < m ? ifmap(mm, x) : -1
    case .weightStationary:
      let x = r - cc - a, kk = fr * a + cc
      return x >= 0 && x < m && kk < k ? ifmap(x, kk) : -1
    case .inputStationary:
      guard r < a else { return -1 }
      let kk = fr * a + (a - 1 - r), mm = fc * b + cc
      return kk < k && mm < m ? ifmap(mm, kk) : -1
    }
  }

  @inline(__always) func filterDemand(fc: Int, fr: Int, row r: Int, col cc: Int) -> Int {
    switch dataflow {
    case .outputStationary:
      let x = r - cc, nn = fc * b + cc
      return x >= 0 && x < k && nn < n ? filter(x, nn) : -1
    case .weightStationary:
      guard r < a else { return -1 }
      let kk = fr * a + (a - 1 - r), nn = fc * b + cc
      return kk < k && nn < n ? filter(kk, nn) : -1
    case .inputStationary:
      let x = r - cc - a, kk = fr * a + cc
      return x >= 0 && x < n && kk < k ? filter(kk, x) : -1
    }
  }

  /// Whether the ofmap demand writes a word at this slot.
  @inline(__always) func ofmapDemand(fc: Int, fr: Int, row r: Int, col cc: Int) -> Bool {
    switch dataflow {
    case .outputStationary:
      let x = r - cc - (k - 1)
      guard x >= 0 && x < a else { return false }
      let mm = fr * a + (a - 1 - x), nn = fc * b + cc
      return mm < m && nn < n
    case .weightStationary:
      let x = r - cc - (2 * a - 1)
      return x >= 0 && x < m && fc * b + cc < n
    case .inputStationary:
      let x = r - cc - (2 * a - 1)
      return x >= 0 && x < n && fc * b + cc < m
    }
  }

  /// Columns `lo ..< hi` of a band demand: row `r` holds element `r - cc - shift` for `0 <= . < length`,
  /// within the first `width` columns.
  @inline(__always) private static func band(_ r: Int, shift: Int, length: Int, width: Int) -> Range<Int> {
    let lo = max(0, r - shift - length + 1), hi = min(width, r - shift + 1)
    return lo < hi ? lo..<hi : 0..<0
  }

  /// The columns of demand row `r` that can hold an ifmap address (a superset: the element still checks).
  @inline(__always) func ifmapSpan(fc: Int, fr: Int, row r: Int) -> Range<Int> {
    switch dataflow {
    case .outputStationary: return Self.band(r, shift: 0, length: k, width: min(a, m - fr * a))
    case .weightStationary: return Self.band(r, shift: a, length: m, width: a)
    case .inputStationary: return r < a ? 0..<max(0, min(b, m - fc * b)) : 0..<0
    }
  }

  @inline(__always) func filterSpan(fc: Int, fr: Int, row r: Int) -> Range<Int> {
    switch dataflow {
    case .outputStationary: return Self.band(r, shift: 0, length: k, width: min(b, n - fc * b))
    case .weightStationary: return r < a ? 0..<max(0, min(b, n - fc * b)) : 0..<0
    case .inputStationary: return Self.band(r, shift: a, length: n, width: min(a, k - fr * a))
    }
  }

  @inline(__always) func ofmapSpan(fc: Int, fr: Int, row r: Int) -> Range<Int> {
    switch dataflow {
    case .outputStationary: return Self.band(r, shift: k - 1, length: a, width: min(b, n - fc * b))
    case .weightStationary: return Self.band(r, shift: 2 * a - 1, length: m, width: min(b, n - fc * b))
    case .inputStationary: return Self.band(r, shift: 2 * a - 1, length: n, width: min(b, m - fc * b))
    }
  }

  /// The ifmap prefetch matrix in fetch order.
  func ifmapOrder() -> [Int32] {
    let f = folds
    switch dataflow {
    case .outputStationary:
      return Self.diagonal(rows: f.row * k, cols: a) { r, cc in
        let fr = r / k, kk = r % k, mm = fr * a + cc
        return mm < m ? ifmap(mm, kk) : -1
      }
    case .weightStationary:
      return Self.diagonal(rows: f.row * m, cols: a) { r, cc in
        let fr = r / m, t = r % m, kk = fr * a + cc
        return kk < k ? ifmap(t, kk) : -1
      }
    case .inputStationary:
      return Self.rowMajor(rows: f.col * k, cols: b) { r, cc in
        let fc = r / k, kk = r % k, mm = fc * b + cc
        return mm < m ? ifmap(mm, kk) : -1
      }
    }
  }

  /// The filter prefetch matrix in fetch order.
  func filterOrder() -> [Int32] {
    let f = folds
    switch dataflow {
    case .outputStationary:
      return Self.diagonal(rows: f.col * k, cols: b) { r, cc in
        let fc = r / k, kk = r % k, nn = fc * b + cc
        return nn < n ? filter(kk, nn) : -1
      }
    case .weightStationary:
      return Self.rowMajor(rows: f.col * k, cols: b) { r, cc in
        let fc = r / k, kk = r % k, nn = fc * b + cc
        return nn < n ? filter(kk, nn) : -1
      }
    case .inputStationary:
      return Self.diagonal(rows: f.row * n, cols: a) { r, cc in
        let fr = r / n, nn = r % n, kk = fr * a + cc
        return kk < k ? filter(kk, nn) : -1
      }
    }
  }

  private static func rowMajor(rows: Int, cols: Int, _ e: (Int, Int) -> Int) -> [Int32] {
    var out = [Int32](); out.reserveCapacity(rows * cols)
    for r in 0..<rows { for cc in 0..<cols { out.append(Int32(e(r, cc))) } }
    return out
  }

  /// SCALE-Sim's anti-diagonal flattening: diagonal `d`, rows from `min(d, rows - 1)` down.
  private static func diagonal(rows: Int, cols: Int, _ e: (Int, Int) -> Int) -> [Int32] {
    var out = [Int32](); out.reserveCapacity(rows * cols)
    guard rows > 0, cols > 0 else { return out }
    for d in 0..<(rows + cols - 1) {
      let maxRow = min(d, rows - 1), minRow = max(0, d - cols + 1)
      var r = maxRow
      while r >= minRow { out.append(Int32(e(r, d - r))); r -= 1 }
    }
    return out
  }
}
