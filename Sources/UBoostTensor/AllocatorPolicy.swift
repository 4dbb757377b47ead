import CBLAS
import Foundation

// MARK: - Allocator policy

/// Keeps freed tensor and workspace memory inside the process instead of returning it to the
/// kernel after every op.
///
/// A search step allocates and frees hundreds of 1-30 MB buffers (activations, unfolded inputs,
/// Winograd tile buffers). glibc's defaults serve blocks above its (adaptive, at most 32 MB)
/// mmap threshold with fresh `mmap`s and trim the heap top past 2x that, so every step faults
/// the same pages in again and the kernel zeroes them (`clear_page_erms` was 16% of a 1-thread
/// micro-stage step's `perf` samples; a 2-thread micro bench run took 12% less wall time and half
/// the system time with this policy). Raising the mmap threshold to its maximum (half the 64 MB arena heap) and
/// the trim threshold to 1 GB makes those blocks come from the heap and stay there; peak RSS
/// is unchanged (it is reached inside a step either way). One arena (`M_ARENA_MAX` 1): a thread
/// other than the main one (the interpreter's evaluation thread, the pool's workers) otherwise
/// gets its own arena of 64 MB heaps, which glibc unmaps whenever one empties, so its buffers
/// faulted in again; with them, page faults of `examples/search_timing.uboost` moved between
/// 203k and 342k from run to run, with one arena they stay at 185.5k. Applied once, on the
/// engine's first use (`Parallel.threads`) and by the CLI before it starts any thread (the
/// arena limit only binds threads that have not allocated yet); a no-op where the C library is
/// not glibc, or with `UBOOST_ALLOCATOR_POLICY=0` (to measure the difference, like
/// `UBOOST_WINOGRAD=0`).
///
/// ```swift
/// _ = AllocatorPolicy.applied   // true when glibc took all three settings
/// ```
public enum AllocatorPolicy {
  /// Whether the settings were taken (evaluated once).
  public static let applied: Bool = {
    #if canImport(Glibc)
    if ProcessInfo.processInfo.environment["UBOOST_ALLOCATOR_POLICY"] == "0" { return false }
    let mmap = mallopt(M_MMAP_THRESHOLD, 32 << 20)
    let trim = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    let arenas = mallopt(M_ARENA_MAX, 1)
    return mmap == 1 && trim == 1 && arenas == 1
    #else
    return false
    #endif
  }()
}
