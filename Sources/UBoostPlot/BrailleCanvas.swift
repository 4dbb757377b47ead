// MARK: - BrailleCanvas
//
// A dot canvas where each terminal cell holds a 2x4 braille pattern (U+2800 block). Dot
// coordinates grow right (x) and down (y). Each cell remembers the style of the last series
// that lit a dot in it, since a terminal cell has only one foreground colour.

struct BrailleCanvas {
  let columns: Int
  let rows: Int
  private var bits: [UInt8]
  private var owner: [Int]

  var dotWidth: Int { columns * 2 }
  var dotHeight: Int { rows * 4 }

  init(columns: Int, rows: Int) {
    self.columns = max(0, columns)
    self.rows = max(0, rows)
    bits = Array(repeating: 0, count: self.columns * self.rows)
    owner = Array(repeating: -1, count: self.columns * self.rows)
  }

  /// Braille bit for dot (dx, dy) within a cell, dx in 0...1, dy in 0...3.
  private static let bitTable: [UInt8] = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80]

  mutating func set(x: Int, y: Int, series: Int) {
    guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
    let cell = (y >> 2) * columns + (x >> 1)
    bits[cell] |= BrailleCanvas.bitTable[(y & 3) * 2 + (x & 1)]
    owner[cell] = series
  }

  /// Draws a straight line between two dot positions given as real numbers; the segment is
  /// clipped to the canvas first so huge coordinates cannot cause long loops.
  mutating func line(x0: Double, y0: Double, x1: Double, y1: Double, series: Int) {
    guard let (a, b) = clip(x0, y0, x1, y1) else { return }
    var x = Int(a.0.rounded()), y = Int(a.1.rounded())
    let xe = Int(b.0.rounded()), ye = Int(b.1.rounded())
    let dx = abs(xe - x), dy = -abs(ye - y)
    let sx = x < xe ? 1 : -1, sy = y < ye ? 1 : -1
    var err = dx + dy
    while true {
      set(x: x, y: y, series: series)
      if x == xe && y == ye { break }
      let e2 = 2 * err
      if e2 >= dy { err += dy; x += sx }
      if e2 <= dx { err += dx; y += sy }
    }
  }

  /// Cohen-Sutherland clipping to [0, dotWidth-1] x [0, dotHeight-1]. Intersections are
  /// computed from the slope with the boundary coordinate set exactly, which stays accurate even
  /// for endpoints of magnitude 1e300.
  private func clip(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double)
    -> ((Double, Double), (Double, Double))? {
    guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite, dotWidth > 0, dotHeight > 0 else {
      return nil
    }
    let xmax = Double(dotWidth - 1), ymax = Double(dotHeight - 1)
    func code(_ x: Double, _ y: Double) -> Int {
      (x < 0 ? 1 : 0) | (x > xmax ? 2 : 0) | (y < 0 ? 4 : 0) | (y > ymax ? 8 : 0)
    }
    var (ax, ay, bx, by) = (x0, y0, x1, y1)
    for _ in 0..<8 {
      let ca = code(ax, ay), cb = code(bx, by)
      if ca | cb == 0 { return ((ax, ay), (bx, by)) }
      if ca & cb != 0 { return nil }
      let outside = ca != 0 ? ca : cb
      var x = 0.0, y = 0.0
      // Fractions are formed before multiplying so huge differences cannot overflow.
      if outside & 1 != 0 { x = 0; y = ay + (by - ay) * ((0 - ax) / (bx - ax)) }
      else if outside & 2 != 0 { x = xmax; y = ay + (by - ay) * ((xmax - ax) / (bx - ax)) }
      else if outside & 4 != 0 { y = 0; x = ax + (bx - ax) * ((0 - ay) / (by - ay)) }
      else { y = ymax; x = ax + (bx - ax) * ((ymax - ay) / (by - ay)) }
      guard x.isFinite, y.isFinite else { return nil }
      if outside == ca { ax = x; ay = y } else { bx = x; by = y }
    }
    return nil
  }

  /// The character for a cell, or nil when no dot is lit.
  func character(column: Int, row: Int) -> (Character, series: Int)? {
    guard column >= 0, row >= 0, column < columns, row < rows else { return nil }
    let cell = row * columns + column
    guard bits[cell] != 0, let scalar = Unicode.Scalar(0x2800 + UInt32(bits[cell])) else { return nil }
    return (Character(scalar), owner[cell])
  }
}
