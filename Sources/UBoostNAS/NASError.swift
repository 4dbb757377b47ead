import Foundation

// MARK: - Errors of the NAS engine

/// Every failure a caller can cause in UBoostNAS (bad configuration, missing data, a diverging
/// search, a malformed arch-state file). Each case says what went wrong and what to do.
///
/// ```swift
/// do { _ = try FashionMNIST.load(directory: "/nope") }
/// catch let e as NASError { print(e) }   // "Fashion-MNIST not found ... apt-get install dataset-fashion-mnist"
/// ```
public enum NASError: Error, CustomStringConvertible, Equatable {
  /// A configuration value is out of its domain.
  case invalidConfig(String)
  /// A data set file is missing; `hint` says how to get it.
  case dataMissing(path: String, hint: String)
  /// A data file exists but is not in the expected format.
  case badData(path: String, detail: String)
  /// gzip / zlib failure.
  case decompression(String)
  /// The loss became NaN (or infinite) at a step.
  case nanLoss(stage: String, epoch: Int, step: Int)
  /// Deriving a final network found a cell without any live path to its output.
  case emptyCell(cell: String)
  /// An arch-state / genotype / checkpoint file does not match the network.
  case badArchState(String)
  /// A checkpoint cannot be resumed from (`detail` names the field).
  case badCheckpoint(path: String, detail: String)
  /// An input tensor does not fit the network.
  case badInput(String)
  /// File I/O failed.
  case io(path: String, detail: String)

  public var description: String {
    switch self {
    case let .invalidConfig(s): return "invalid configuration: \(s)"
    case let .dataMissing(path, hint): return "data not found at \(path): \(hint)"
    case let .badData(path, detail): return "bad data file \(path): \(detail)"
    case let .decompression(s): return "decompression failed: \(s)"
    case let .nanLoss(stage, epoch, step):
      return "\(stage): loss became NaN at epoch \(epoch), step \(step); lower the learning rate or the cost coefficients"
    case let .emptyCell(cell): return "derive: cell \(cell) has no live path to its output (every edge chose zero)"
    case let .badArchState(s): return "arch state: \(s)"
    case let .badCheckpoint(path, detail): return "checkpoint \(path): \(detail)"
    case let .badInput(s): return "input: \(s)"
    case let .io(path, detail): return "\(path): \(detail)"
    }
  }
}
