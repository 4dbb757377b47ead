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

  /// A `Key:   123 kB` line of a /proc file, in bytes.
  static func kilobytes(_ key: String, in text: String) -> Int? {
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
      // /proc/self/status separates with a tab, /proc/meminfo with spaces.
      let digits = line.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
      return digits.map { $0 * 1024 }
    }
    return nil
  }

  static func meminfoAvailable() -> Int? {
    read("/proc/meminfo").flatMap { kilobytes("MemAvailable", in: $0) }
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
    let size = read("/proc/self/status").flatMap { kilobytes("VmSize", in: $0) } ?? 0
    return Int(lim.rlim_cur) - size
  }
}
