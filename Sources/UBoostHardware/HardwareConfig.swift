// MARK: - Accelerator configuration

/// A weight-stationary systolic accelerator: `rows x cols` PEs, a hardware batch, clock and DRAM bandwidth.
///
/// Defaults are the reference's: 128x128 array, batch 64, 1 GHz, 80 GB/s.
/// ```swift
/// let hw = HardwareConfig(rows: 32, cols: 32)
/// print(hw.peakMacsPerSecond)   // 1.024e12
/// ```
public struct HardwareConfig: Equatable, Sendable {
  public var rows: Int
  public var cols: Int
  public var batch: Int
  public var clockHz: Double
  public var bandwidthGBs: Double

  public init(rows: Int = 128, cols: Int = 128, batch: Int = 64, clockHz: Double = 1e9,
              bandwidthGBs: Double = 80) {
    self.rows = rows
    self.cols = cols
    self.batch = batch
    self.clockHz = clockHz
    self.bandwidthGBs = bandwidthGBs
  }

  /// Peak MAC throughput `rows * cols * clockHz`.
  public var peakMacsPerSecond: Double { Double(rows) * Double(cols) * clockHz }

  /// DRAM bytes per clock cycle (`bandwidthGBs * 1e9 / clockHz`).
  public var bytesPerCycle: Double { bandwidthGBs * 1e9 / clockHz }

  /// Throws if any field is out of range.
  public func validate() throws {
    let cap = 1 << 20
    if rows > cap || cols > cap || batch > cap {
      throw HardwareError.invalidParameter(name: "rows/cols/batch", value: "\(rows)/\(cols)/\(batch)",
                                           reason: "must be at most \(cap)")
    }
    if rows < 1 { throw HardwareError.invalidParameter(name: "rows", value: String(rows), reason: "must be >= 1") }
    if cols < 1 { throw HardwareError.invalidParameter(name: "cols", value: String(cols), reason: "must be >= 1") }
    if batch < 1 { throw HardwareError.invalidParameter(name: "batch", value: String(batch), reason: "must be >= 1") }
    if !(clockHz > 0) || !clockHz.isFinite {
      throw HardwareError.invalidParameter(name: "clockHz", value: String(clockHz), reason: "must be > 0")
    }
    if !(bandwidthGBs > 0) || !bandwidthGBs.isFinite {
      throw HardwareError.invalidParameter(name: "bandwidthGBs", value: String(bandwidthGBs), reason: "must be > 0")
    }
  }
}

/// Whether a model reproduces the reference implementation bug for bug, or fixes its defects.
///
/// See docs/hardware.md for the list of differences.
public enum Compatibility: String, Equatable, Sendable, CaseIterable {
  /// Reproduce the PyTorch reference (golden files) exactly, defects included.
  case reference
  /// Fix the reference's defects (the default).
  case corrected
}
