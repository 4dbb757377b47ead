import Foundation

// MARK: - Reverse-mode autodiff on a tape

/// What an op recorded: its inputs and how to push the output gradient back into them.
///
/// Invariant: `backward` never captures the output tensor (that would be a retain cycle);
/// when it needs output values it captures the output's `data` array (copy-on-write, free).
final class TapeEntry {
  let op: String
  let parents: [Tensor]
  let backward: (_ gradOut: [Float]) throws -> Void
  init(op: String, parents: [Tensor], backward: @escaping ([Float]) throws -> Void) {
    self.op = op
    self.parents = parents
    self.backward = backward
  }
}

/// Whether ops record the tape, **per thread** (see `withNoGrad`). Each thread starts with
/// recording on; turning it off affects only the thread that did it. That is the engine's
/// grad-mode context: an interpreter evaluates on a thread of its own, so `no_grad(f)` in one
/// interpreter never switches recording off for another running at the same time, and the
/// engine's parallel loops (which only fill buffers) never consult it.
///
/// ```swift
/// GradMode.isEnabled = false      // this thread only
/// defer { GradMode.isEnabled = true }
/// ```
public enum GradMode {
  /// Recording is on unless this thread turned it off.
  public static var isEnabled: Bool {
    get { pthread_getspecific(key) == nil }
    set { pthread_setspecific(key, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
  }

  /// A thread-specific slot: nil (the default) means on, any other value off.
  private static let key: pthread_key_t = {
    var k = pthread_key_t()
    pthread_key_create(&k, nil)
    return k
  }()
}

/// Runs `body` without recording ops on the tape (evaluation, optimizer updates).
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
  let saved = GradMode.isEnabled
  GradMode.isEnabled = false
  defer { GradMode.isEnabled = saved }
  return try body()
}

extension Tensor {
  // MARK: Recording

  /// Makes the result of an op. When grad mode is on and any parent requires a gradient, the
  /// result requires one too and remembers `backward`, which receives the output gradient and must
  /// call `accumulateGrad` on the parents (it may skip parents with `requiresGrad == false`).
  ///
  /// Kernel authors: `data.count` must equal the product of `shape`.
  public static func record(op: String, shape: [Int], data: [Float], parents: [Tensor],
                            backward: @escaping (_ gradOut: [Float]) throws -> Void) -> Tensor {
    let out = Tensor(uncheckedShape: shape, data: data)
    if GradMode.isEnabled && parents.contains(where: { $0.requiresGrad }) {
      out.requiresGrad = true
      out.tape = TapeEntry(op: op, parents: parents, backward: backward)
    }
    return out
  }

  /// A result that never carries a gradient (integer-like outputs, argmax, accuracy).
  public static func constant(shape: [Int], data: [Float]) -> Tensor {
    Tensor(uncheckedShape: shape, data: data)
  }

  /// Adds `g` (same element count as `self`) into this tensor's gradient, if it requires one.
  public func accumulateGrad(_ g: [Float]) {
    guard requiresGrad else { return }
    if var acc = gradData {
      gradData = nil  // keep the buffer uniquely referenced so the add is in place
      acc.withUnsafeMutableBufferPointer { a in
        g.withUnsafeBufferPointer { b in
          guard let ab = a.baseAddress, let bb = b.baseAddress else { return }
          // Large gradients (activations) add in parallel blocks; elementwise, so exact.
          Parallel.forRanges(min(a.count, b.count), grain: 1 << 16) { r in for i in r { ab[i] += bb[i] } }
        }
      }
      gradData = acc
    } else {
      gradData = g
    }
  }

  // MARK: Backward

  /// Back-propagates from this tensor. A non-scalar needs `seed` (the gradient of some scalar
  /// with respect to this tensor). Gradients accumulate into leaves' `gradData`; the tape of the
  /// graph behind `self` is released afterwards, so a graph can be differentiated once.
  public func backward(seed: [Float]? = nil) throws {
    guard requiresGrad else {
      throw TensorError.noGradient("this value does not depend on any trainable tensor (mark leaves with param()/trainable())")
    }
    if let s = seed {
      guard s.count == count else {
        throw TensorError.shapeMismatch(op: "backward", shapes: [shape, [s.count]], detail: "seed must have the tensor's size")
      }
      accumulateGrad(s)
    } else {
      guard count == 1 else {
        throw TensorError.noGradient("backward() without a seed needs a scalar, got shape \(shape)")
      }
      accumulateGrad([1])
    }
    let order = topologicalOrder()
    for node in order.reversed() {
      guard let entry = node.tape else { continue }
      if let g = node.gradData {
        try entry.backward(g)
      }
      // Release the tape and the intermediate gradient as we go.
      node.tape = nil
      node.gradData = nil
      node.requiresGrad = false
    }
  }

  /// Nodes reachable from `self` through tape entries, parents before children (iterative DFS,
  /// so deep graphs cannot overflow the stack).
  func topologicalOrder() -> [Tensor] {
    var order: [Tensor] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(Tensor, Int)] = [(self, 0)]
    visited.insert(ObjectIdentifier(self))
    while let (node, i) = stack.popLast() {
      let parents = node.tape?.parents ?? []
      if i < parents.count {
        stack.append((node, i + 1))
        let p = parents[i]
        if p.tape != nil && !visited.contains(ObjectIdentifier(p)) {
          visited.insert(ObjectIdentifier(p))
          stack.append((p, 0))
        }
      } else {
        order.append(node)
      }
    }
    return order
  }
}
