// MARK: - SCALE-Sim's ofmap write buffer (event model)

/// SCALE-Sim 3.0.0's `write_buffer` (`scalesim/memory/write_buffer.py`, write port latency 0) reduced
/// to the state that decides its stalls.
///
/// Every written word fills a `bandwidth`-word line and takes one word of free space. A word arriving
/// before the running drain ends waits for it when no space is left; a word arriving after it, with
/// more than the drain half in use, flushes the partial line and starts a drain of the next
/// `ceil(drain / bandwidth)` lines, one line a cycle, which frees `lines x bandwidth` words less the
/// empty slots of the *last* line only (SCALE-Sim's count). Lines reach the drainable list only when a
/// drain starts or 1024 lines have gathered.
/// ```swift
/// var out = ScaleSimWriteBuffer(totalWords: 8192, bandwidth: 10)
/// let stall = out.serve(words: 64, cycle: 100)
/// ```
struct ScaleSimWriteBuffer {
  let total: Int
  let drainSize: Int
  let bandwidth: Int
  var freeSpace: Int
  /// Fill of each line handed to the drain list, and of the lines gathered but not yet handed over.
  var trace: [Int32] = []
  var cache: [Int32] = []
  var lineFill = 0
  var drainStart = 0
  var drainEnd: Double = 0
  static let maxCacheLines = 1024

  init(totalWords words: Int, bandwidth: Int) {
    let totalWords = max(0, words)
    total = totalWords
    drainSize = totalWords - (totalWords + 1) / 2
    self.bandwidth = max(1, bandwidth)
    freeSpace = totalWords
  }

  private mutating func store() {
    lineFill += 1
    freeSpace -= 1
    if lineFill >= bandwidth {
      cache.append(Int32(bandwidth))
      lineFill = 0
      if cache.count >= ScaleSimWriteBuffer.maxCacheLines { flushCache(force: false) }
    }
  }

  private mutating func flushCache(force: Bool) {
    if force && lineFill != 0 {
      cache.append(Int32(lineFill))
      lineFill = 0
    }
    trace += cache
    cache.removeAll(keepingCapacity: true)
  }

  private mutating func drain(from start: Double) -> Double {
    let lines = (drainSize + bandwidth - 1) / bandwidth
    let end = min(drainStart + lines, trace.count)
    let n = end - drainStart
    guard n > 0 else { return drainEnd }
    freeSpace += n * bandwidth - (bandwidth - Int(trace[end - 1]))
    drainStart = end
    // Keep the list short: drained lines are never read again.
    if drainStart > 1 << 16 {
      trace.removeFirst(drainStart)
      drainStart = 0
    }
    return start + Double(n - 1)
  }

  /// Serves `words` written at `cycle`; returns the stall.
  mutating func serve(words: Int, cycle: Double) -> Double {
    var current = cycle
    for _ in 0..<words {
      store()
      if current < drainEnd {
        if freeSpace <= 0 { current = drainEnd }
      } else if freeSpace < total - drainSize {
        flushCache(force: true)
        drainEnd = drain(from: current)
      }
    }
    return current - cycle
  }
}
