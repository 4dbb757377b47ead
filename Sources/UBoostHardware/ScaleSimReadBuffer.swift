// MARK: - SCALE-Sim's double-buffered read buffer (event model)

/// SCALE-Sim 3.0.0's `read_buffer` (`scalesim/memory/read_buffer.py`, no custom layout, no Ramulator
/// trace) reduced to the state that decides its stalls.
///
/// SCALE-Sim cuts the operand's prefetch matrix (row-major, `-1` skipped) into `ceil(size / 100)`-element
/// lines (a line is a set: duplicates of an address count towards its length once each); the active
/// window is `ceil(active / lineLen)` lines of that ring, starting at line 0, and the next
/// `ceil(prefetch / lineLen)` lines are the prefetch half. A request hits when its address is in a line
/// of the active window. On a miss the window moves by the prefetch lines (mod the ring), the prefetch
/// finishes `ceil(prefetch / bandwidth) + 1` cycles after the previous one (whatever the demand's
/// cycle), and the request's offset is moved by the potential stall `p = last - (cycle + offset)`:
/// `offset += p`, and once more when `p > 0` (SCALE-Sim's own arithmetic, so an early prefetch can pull
/// the offset back). The same request is checked again until it hits. The first prefetch completes at
/// the cycle before the first demand row. Which words the prefetch actually fetched plays no part:
/// hits depend on the window alone.
/// ```swift
/// var buf = ScaleSimReadBuffer(lines: lineIndex, totalWords: 16384, bandwidth: 10)
/// var offset: Double = 1
/// for a in row { buf.request(a, cycle: 0, offset: &offset) }   // the row waits offset - 1
/// ```
struct ScaleSimReadBuffer {
  /// For each dense address, the sorted distinct lines holding it (CSR: `start[a] ..< start[a + 1]`).
  var lineStart: [Int32]
  var lineIDs: [Int32]
  var numLines: Int
  var activeLines: Int
  var prefetchLines: Int
  /// Cycles between the completions of two prefetches.
  var prefetchCycles: Double
  var windowStart = 0
  var lastPrefetch: Double = -1

  /// - Parameters:
  ///   - order: dense addresses of the prefetch matrix in fetch order (`-1`: empty slot).
  ///   - addressCount: dense addresses are in `0 ..< addressCount`.
  ///   - totalWords: the SRAM's size in words (SCALE-Sim: kB x 1024, one byte a word).
  ///   - bandwidth: words the DRAM delivers per cycle.
  init(order: [Int32], addressCount: Int, totalWords words: Int, bandwidth: Int) {
    let totalWords = max(0, words)
    let active = (totalWords + 1) / 2  // ceil(total * 0.5)
    let prefetch = totalWords - active
    let perLine = max(1, (totalWords + 99) / 100)
    var counts = [Int32](repeating: 0, count: addressCount + 1)
    var lastLine = [Int32](repeating: -1, count: addressCount)
    var valid = 0
    for a in order where a >= 0 {
      let line = Int32(valid / perLine)
      if lastLine[Int(a)] != line { lastLine[Int(a)] = line; counts[Int(a) + 1] += 1 }
      valid += 1
    }
    for i in 0..<addressCount { counts[i + 1] += counts[i] }
    var ids = [Int32](repeating: 0, count: Int(counts[addressCount]))
    var fill = counts
    for i in lastLine.indices { lastLine[i] = -1 }
    valid = 0
    for a in order where a >= 0 {
      let line = Int32(valid / perLine)
      let ai = Int(a)
      if lastLine[ai] != line {
        lastLine[ai] = line
        ids[Int(fill[ai])] = line
        fill[ai] += 1
      }
      valid += 1
    }
    lineStart = counts
    lineIDs = ids
    // SCALE-Sim closes a line at `perLine` elements and always keeps the (possibly empty) last one.
    numLines = valid / perLine + 1
    let maxActive = (active + perLine - 1) / perLine, maxPrefetch = (prefetch + perLine - 1) / perLine
    activeLines = min(maxActive, numLines)
    prefetchLines = min(maxPrefetch, numLines - activeLines)
    prefetchCycles = Double((prefetch + bandwidth - 1) / bandwidth + 1)
  }

  /// Whether `a` is in a line of the active window.
  func hit(_ a: Int) -> Bool {
    if activeLines >= numLines { return true }
    let lo = Int(lineStart[a]), hi = Int(lineStart[a + 1])
    if lo == hi { return true }  // never fetched: SCALE-Sim would loop forever; treat as on chip
    let end = windowStart + activeLines
    // First line >= windowStart.
    var l = lo, h = hi
    while l < h {
      let mid = (l + h) / 2
      if Int(lineIDs[mid]) < windowStart { l = mid + 1 } else { h = mid }
    }
    if l < hi && Int(lineIDs[l]) < end { return true }
    return end > numLines && Int(lineIDs[lo]) < end - numLines
  }

  /// Serves one requested address of a demand row arriving at `cycle`; `offset` is the row's running
  /// offset (starts at the hit latency, 1; the row's stall is `offset - 1` after its last address).
  @inline(__always) mutating func request(_ a: Int, cycle: Double, offset: inout Double) {
    guard a >= 0 else { return }
    var moves = 0
    while !hit(a) {
      windowStart = (windowStart + prefetchLines) % numLines
      lastPrefetch += prefetchCycles
      let p = lastPrefetch - (cycle + offset)
      offset += p
      if p > 0 { offset += p }
      moves += 1
      if prefetchLines == 0 || moves > numLines { break }
    }
  }
}
