import Foundation

// MARK: - OpenBLAS kernel selection

/// Which OpenBLAS kernel set is active, and a way to pick the right one.
///
/// OpenBLAS (DYNAMIC_ARCH builds, as Debian/Ubuntu ship) chooses its kernels from the CPU model
/// when the library loads. On virtual machines that report a generic CPU model it falls back to
/// the SSE3 "Prescott" kernels, which run SGEMM several times slower than the AVX2/AVX-512 ones
/// the CPU actually has (measured here: 20 vs 80 GFLOP/s on one core). The choice can only be
/// overridden with `OPENBLAS_CORETYPE` before the library loads, so the executable re-executes
/// itself once with it set.
///
/// ```swift
/// BLASCore.ensureBestKernels()   // first line of main(); no-op when already right
/// print(BLASCore.name)           // "SkylakeX"
/// ```
public enum BLASCore {
  /// The active OpenBLAS core name (`openblas_get_corename`), or "unknown".
  public static var name: String {
    guard let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, "openblas_get_corename") else { return "unknown" }
    typealias Fn = @convention(c) () -> UnsafePointer<CChar>?
    let f = unsafeBitCast(sym, to: Fn.self)
    guard let p = f() else { return "unknown" }
    return String(cString: p)
  }

  /// The OpenBLAS core type matching this CPU's vector extensions (from /proc/cpuinfo):
  /// "SkylakeX" with AVX-512 F/BW/DQ/VL, "Haswell" with AVX2+FMA, nil otherwise or off Linux.
  public static var recommended: String? {
    #if os(Linux)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
    let flags = Set(line.split(separator: " ").map(String.init))
    if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
    if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
    return nil
    #else
    return nil
    #endif
  }

  /// When `OPENBLAS_CORETYPE` is unset and the active kernels are not the recommended ones,
  /// sets it and re-executes the current program with the same arguments (Linux only; returns
  /// normally when nothing needs doing or the re-exec fails). `UBOOST_BLAS_REEXEC=0` disables it.
  public static func ensureBestKernels() {
    #if os(Linux)
    let env = ProcessInfo.processInfo.environment
    guard env["OPENBLAS_CORETYPE"] == nil, env["UBOOST_BLAS_REEXEC"] != "0",
          let want = recommended, name.lowercased() != want.lowercased() else { return }
    setenv("OPENBLAS_CORETYPE", want, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv only returns on failure: keep running with the current kernels.
    #endif
  }
}
