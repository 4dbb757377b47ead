import Foundation

// MARK: - Memory available to this process

/// How much memory a new allocation may take: the least of the kernel's `MemAvailable`
/// (`/proc/meminfo`), the cgroup limit minus its usage (cgroup v2 `memory.max` /
/// `memory.current`, or v1 `memory.limit_in_bytes` / `memory.usage_in_bytes`) and the address
/// space limit (`ulimit -v`) minus the process's current size. Large allocations are checked
/// against it first, so a request that cannot be met throws `TensorError.outOfMemory` (with how
/// much was asked and how much is available) instead of ending in "failed to allocate" or the
/// OOM killer.
///
/// ```swift
/// try MemoryBudget.check(bytes: 8 << 30, op: "zeros", what: "a tensor of shape [65536, 32768]")
/// ```
public enum MemoryBudget {
  /// Requests below this many bytes are not checked (reading /proc costs microseconds).
  public static let checkThreshold = 64 << 20

  /// Bytes available to this process now; nil when no source could be read (then nothing is refused).
  public static func availableBytes() -> Int? {
    least([meminfoAvailable(), cgroupRemaining(), addressSpaceRemaining()])
  }

  /// Like `availableBytes()` without the cgroup's limit-minus-usage, whose usage counts page
  /// cache the kernel would reclaim: what a watchdog that stops work may trust without false alarms.
  public static func availableBytesExcludingCache() -> Int? {
    least([meminfoAvailable(), addressSpaceRemaining()])
  }

  /// The smallest of the sources that could be read (negative remainders count as 0).
  static func least(_ sources: [Int?]) -> Int? {
    sources.compactMap { $0.map { max(0, $0) } }.min()
  }

  /// Throws when `bytes` is more than `availableBytes()`; `what` says what was being allocated.
  public static func check(bytes: Int, op: String, what: String) throws {
    guard bytes >= checkThreshold, let avail = availableBytes(), bytes > avail else { return }
    throw TensorError.outOfMemory(op: op, what: what, requested: bytes, available: avail)
  }

  /// `1.5 GiB`, `512.0 MiB`, `12 bytes`.
  public static func format(_ bytes: Int) -> String {
    let b = Double(bytes)
    if b >= Double(1 << 30) { return String(format: "%.1f GiB", b / Double(1 << 30)) }
    if b >= Double(1 << 20) { return String(format: "%.1f MiB", b / Double(1 << 20)) }
    if b >= Double(1 << 10) { return String(format: "%.1f KiB", b / Double(1 << 10)) }
    return "\(bytes) bytes"
  }

  // MARK: Sources

  static func read(_ path: String) -> String? {
    guard let d = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: d, as: UTF8.self)
  }

  /// A `Key:   123 kB` line of a /proc file's bytes, in bytes.
  ///
  /// The watchdog calls this every 50 ms, so it scans the bytes in place: no lines or
  /// substrings are made (splitting /proc/meminfo into lines cost ~0.6% of a core).
  static func kilobytes(_ key: String, inBytes b: UnsafeBufferPointer<UInt8>) -> Int? {
    let k = Array(key.utf8)
    var i = 0
    while i + k.count < b.count {
      // Line start: does `key:` follow?
      var j = 0
      while j < k.count && b[i + j] == k[j] { j += 1 }
      if j == k.count && b[i + j] == UInt8(ascii: ":") {
        i += j + 1
        // /proc/self/status separates with a tab, /proc/meminfo with spaces.
        while i < b.count && (b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "\t")) { i += 1 }
        var v = 0, digits = 0
        while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
          if digits < 15 { v = v * 10 + Int(b[i] - UInt8(ascii: "0")) }
          digits += 1; i += 1
        }
        // More than 15 digits (10^15 kB is 1 EiB) is not a real size: nil, not an overflow trap.
        return digits > 0 && digits <= 15 ? v * 1024 : nil
      }
      // Next line.
      while i < b.count && b[i] != UInt8(ascii: "\n") { i += 1 }
      i += 1
    }
    return nil
  }

  /// `kilobytes(key, inBytes:)` of a file read into a stack-sized buffer (the /proc files it reads
  /// are under 2 KB; a longer file is read up to 8 KB, and a key past that is not found).
  static func kilobytes(_ key: String, inFile path: String) -> Int? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8192) { buf -> Int? in
      var n = 0
      while n < buf.count {
        let r = Foundation.read(fd, buf.baseAddress! + n, buf.count - n)
        if r <= 0 { break }
        n += r
      }
      return kilobytes(key, inBytes: UnsafeBufferPointer(rebasing: buf[0..<n]))
    }
  }

  static func meminfoAvailable() -> Int? {
    kilobytes("MemAvailable", inFile: "/proc/meminfo")
  }

  static func number(_ path: String) -> Int? {
    read(path).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  /// The cgroup (v2, else v1) of this process: limit minus usage; nil without a limit.
  static func cgroupRemaining() -> Int? {
    let rel = read("/proc/self/cgroup")?.split(separator: "\n").compactMap { line -> String? in
      let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard parts.count == 3 else { return nil }
      return parts[0] == "0" ? String(parts[2]) : nil
    }.first ?? ""
    for dir in ["/sys/fs/cgroup" + rel, "/sys/fs/cgroup"] {
      if let limit = number(dir + "/memory.max"), let used = number(dir + "/memory.current") { return limit - used }
    }
    if let limit = number("/sys/fs/cgroup/memory/memory.limit_in_bytes"), limit < 1 << 60,
       let used = number("/sys/fs/cgroup/memory/memory.usage_in_bytes") {
      return limit - used
    }
    return nil
  }

  /// `ulimit -v` minus the current virtual size (VmSize); nil when unlimited.
  static func addressSpaceRemaining() -> Int? {
    var lim = rlimit()
    guard getrlimit(Int32(RLIMIT_AS.rawValue), &lim) == 0, lim.rlim_cur < UInt(Int.max) else { return nil }
    let size = kilobytes("VmSize", inFile: "/proc/self/status") ?? 0
    return Int(lim.rlim_cur) - size
  }
}
