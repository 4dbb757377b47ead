import Foundation

// MARK: - Systolic dataflows (SCALE-Sim's os / ws / is)

/// Which operand stays in the PEs while the others stream, as SCALE-Sim names them.
///
/// A layer lowered to GEMM (`M` output pixels, `K = FH*FW*C` window, `N` filters) maps onto an
/// `R x C` array as `Sr x Sc` spatial folds streamed for `T` cycles:
///
/// | dataflow | Sr | Sc | T | cycles per fold |
/// |---|---|---|---|---|
/// | `os` | M | N | K | `T + R + C - 2` |
/// | `ws` | K | N | M | `2R + C + T - 2` |
/// | `is` | K | M | N | `2R + C + T - 2` |
///
/// ```swift
/// let df = Dataflow(name: "ws")!        // .weightStationary
/// print(df.rawValue)                     // "ws"
/// ```
public enum Dataflow: String, Equatable, Sendable, CaseIterable {
  case outputStationary = "os"
  case weightStationary = "ws"
  case inputStationary = "is"

  /// Parses `os`, `ws`, `is` (case-insensitive, surrounding spaces ignored).
  public init?(name: String) {
    self.init(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
  }

  /// `(Sr, Sc, T)` of a GEMM `[M x K] x [K x N]`.
  public func spatioTemporal(m: Double, k: Double, n: Double) -> (sr: Double, sc: Double, t: Double) {
    switch self {
    case .outputStationary: return (m, n, k)
    case .weightStationary: return (k, n, m)
    case .inputStationary: return (k, m, n)
    }
  }

  /// Cycles one fold takes in SCALE-Sim's demand matrices (the rows of the fold's demand).
  public func foldCycles(t: Double, rows r: Double, cols c: Double) -> Double {
    switch self {
    case .outputStationary: return t + r + c - 2
    case .weightStationary, .inputStationary: return 2 * r + c + t - 2
    }
  }

  /// The fold length SCALE-Sim divides by in its per-fold compute utilization.
  func utilizationCycles(t: Double, rows r: Double, cols c: Double) -> Double {
    switch self {
    case .outputStationary: return t + r + c - 2
    case .weightStationary, .inputStationary: return 2 * r + 2 * c + t - 3
    }
  }
}

