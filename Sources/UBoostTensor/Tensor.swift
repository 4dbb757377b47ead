import Foundation

// MARK: - Tensor

/// A dense, row-major Float32 tensor that records the operations made on it for reverse-mode
/// differentiation.
///
/// `Tensor` is a class: an op's result keeps references to its inputs on a tape, and
/// `backward()` walks that tape. Values are stored contiguously in `data`.
///
/// ```swift
/// let w = try Tensor(shape: [2, 2], data: [1, 2, 3, 4]).trainable()
/// let loss = try (w * w).sum()
/// try loss.backward()
/// print(w.grad!.data)   // [2, 4, 6, 8]
/// ```
public final class Tensor {
  /// Upper bound on the number of elements of any tensor (refuses absurd allocations: 1<<31 = 8 GiB).
  nonisolated(unsafe) public static var maxElements = 1 << 31

  /// The dimensions, outermost first. A scalar has shape `[]`.
  public let shape: [Int]
  /// Row-major values. Optimizers update it in place; ops never mutate their inputs.
  public var data: [Float]
  /// Whether gradients flow into this tensor (leaves marked trainable, and results of ops on them).
  public internal(set) var requiresGrad: Bool = false
  /// Accumulated gradient of the last `backward()` calls (leaves keep it; intermediates drop it).
  public var gradData: [Float]?
  /// A user-facing name (parameters of a network).
  public var name: String?
  /// The tape entry that produced this tensor, nil for leaves and when recorded without grad.
  var tape: TapeEntry?

  /// Creates a tensor, checking that `data` has `shape`'s element count.
  public init(shape: [Int], data: [Float]) throws {
    let n = try Shape.count(shape, op: "tensor")
    guard n == data.count else {
      throw TensorError.invalidShape(op: "tensor", shape: shape, detail: "expected \(n) values, got \(data.count)")
    }
    self.shape = shape
    self.data = data
  }

  /// Internal unchecked initializer: callers guarantee `data.count == product(shape)`.
  init(uncheckedShape shape: [Int], data: [Float]) {
    self.shape = shape
    self.data = data
  }

  /// A 0-d tensor holding `value`.
  public convenience init(scalar value: Float) { self.init(uncheckedShape: [], data: [value]) }

  /// A tensor of `shape` filled with `value`.
  public static func full(_ shape: [Int], _ value: Float) throws -> Tensor {
    Tensor(uncheckedShape: shape, data: [Float](repeating: value, count: try Shape.count(shape, op: "full")))
  }
  public static func zeros(_ shape: [Int]) throws -> Tensor { try full(shape, 0) }
  public static func ones(_ shape: [Int]) throws -> Tensor { try full(shape, 1) }

  /// Number of elements.
  public var count: Int { data.count }
  /// Number of dimensions.
  public var rank: Int { shape.count }
  /// The single value of a one-element tensor.
  public func item() throws -> Float {
    guard data.count == 1 else {
      throw TensorError.invalidShape(op: "item", shape: shape, detail: "item() needs exactly one element")
    }
    return data[0]
  }

  /// The gradient as a tensor of the same shape (nil before `backward()`).
  public var grad: Tensor? { gradData.map { Tensor(uncheckedShape: shape, data: $0) } }

  /// Marks this tensor as a trainable leaf and returns it. With `false` it is a constant while
  /// the flag stays off: a backward accumulates no gradient into it and ops on constants only are
  /// not recorded. `clearingGrad: false` keeps a gradient accumulated before.
  @discardableResult
  public func trainable(_ flag: Bool = true, clearingGrad: Bool = true) -> Tensor {
    requiresGrad = flag
    if !flag && clearingGrad { gradData = nil }
    return self
  }

  /// Clears the accumulated gradient.
  public func zeroGrad() { gradData = nil }

  /// A copy that shares no tape with `self` (a constant for the autodiff).
  public func detached() -> Tensor { Tensor(uncheckedShape: shape, data: data) }

  /// True for tensors not produced by a recorded op.
  public var isLeaf: Bool { tape == nil }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let dims = shape.map(String.init).joined(separator: ", ")
    if data.count <= 8 {
      return "Tensor[\(dims)](\(data.map { String($0) }.joined(separator: ", ")))"
    }
    return "Tensor[\(dims)]"
  }
}
