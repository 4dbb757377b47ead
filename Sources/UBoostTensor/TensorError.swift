// MARK: - Errors of the tensor engine

/// Every failure a caller can cause in the tensor engine. Kernels never trap: shapes and
/// arguments are checked before any kernel runs and a `TensorError` names the op and the shapes.
public enum TensorError: Error, CustomStringConvertible, Equatable {
  /// Operand shapes do not fit together (`op` is the user-facing op name, e.g. "matmul").
  case shapeMismatch(op: String, shapes: [[Int]], detail: String)
  /// A shape is invalid on its own (negative size, wrong rank, ...).
  case invalidShape(op: String, shape: [Int], detail: String)
  /// A scalar argument is out of its domain (e.g. stride 0, temperature <= 0).
  case invalidArgument(op: String, detail: String)
  /// The tensor would be larger than `Tensor.maxElements`.
  case tooLarge(op: String, shape: [Int], limit: Int)
  /// An allocation of `requested` bytes is more than the memory available (`MemoryBudget`).
  case outOfMemory(op: String, what: String, requested: Int, available: Int)
  /// The memory watchdog stopped the work: only `available` bytes were left for the process.
  case memoryShortage(available: Int)
  /// `backward()` on something without a gradient path, or on a non-scalar without a seed.
  case noGradient(String)
  /// A long-running engine loop was interrupted (Ctrl-C in the REPL).
  case interrupted

  public var description: String {
    switch self {
    case let .shapeMismatch(op, shapes, detail):
      let s = shapes.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: " and ")
      return "\(op): shape mismatch between \(s): \(detail)"
    case let .invalidShape(op, shape, detail):
      return "\(op): invalid shape [\(shape.map(String.init).joined(separator: ", "))]: \(detail)"
    case let .invalidArgument(op, detail):
      return "\(op): \(detail)"
    case let .tooLarge(op, shape, limit):
      return "\(op): refusing to allocate a tensor of shape [\(shape.map(String.init).joined(separator: ", "))] (more than \(limit) elements)"
    case let .outOfMemory(op, what, requested, available):
      return "\(op): \(what) needs \(MemoryBudget.format(requested)), only \(MemoryBudget.format(available)) of memory is available"
    case let .memoryShortage(available):
      return "out of memory: the process has only \(MemoryBudget.format(available)) left, so the work was stopped before the allocator fails"
    case let .noGradient(detail):
      return "backward: \(detail)"
    case .interrupted:
      return "interrupted"
    }
  }
}
