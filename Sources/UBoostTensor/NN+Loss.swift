import Foundation

// MARK: - Cross-entropy

/// Checks `[N, C]` logits against `N` labels in `0..<C`.
func checkLogits(_ logits: Tensor, _ labels: [Int], op: String) throws -> (Int, Int) {
  guard logits.rank == 2 else { throw TensorError.invalidShape(op: op, shape: logits.shape, detail: "logits must be [N, C]") }
  let (n, c) = (logits.shape[0], logits.shape[1])
  guard labels.count == n else {
    throw TensorError.shapeMismatch(op: op, shapes: [logits.shape, [labels.count]], detail: "need one label per row")
  }
  guard n > 0, c > 0 else { throw TensorError.invalidShape(op: op, shape: logits.shape, detail: "empty batch or no classes") }
  for (i, l) in labels.enumerated() where l < 0 || l >= c {
    throw TensorError.invalidArgument(op: op, detail: "label \(l) at row \(i) is outside 0..<\(c)")
  }
  return (n, c)
}

/// Mean cross-entropy of `[N, C]` logits against integer labels (fused log-softmax + NLL; the
/// gradient is `(softmax - onehot) / N`).
///
/// ```swift
/// let loss = try crossEntropy(logits, [3, 0, 1])
/// try loss.backward()
/// ```
public func crossEntropy(_ logits: Tensor, _ labels: [Int]) throws -> Tensor {
  let (n, c) = try checkLogits(logits, labels, op: "crossEntropy")
  let v = try AxisView(logits.shape, axis: 1, keepDims: true, op: "crossEntropy")
  let logp = softmaxForward(logits.data, v, log: true)
  var loss: Double = 0
  for i in 0..<n { loss -= Double(logp[i * c + labels[i]]) }
  loss /= Double(n)
  return Tensor.record(op: "crossEntropy", shape: [], data: [Float(loss)], parents: [logits]) { [weak logits] g in
    guard let x = logits, x.requiresGrad else { return }
    let k = g[0] / Float(n)
    var d = [Float](repeating: 0, count: n * c)
    for i in 0..<n {
      for j in 0..<c { d[i * c + j] = Foundation.exp(logp[i * c + j]) * k }
      d[i * c + labels[i]] -= k
    }
    x.accumulateGrad(d)
  }
}

// MARK: - Accuracy

/// Fraction of rows whose label is among the `k` largest logits (a row counts when fewer than `k`
/// logits are strictly larger than the label's).
///
/// ```swift
/// let top5 = try topkAccuracy(logits, labels, k: 5)
/// ```
public func topkAccuracy(_ logits: Tensor, _ labels: [Int], k: Int) throws -> Float {
  let (n, c) = try checkLogits(logits, labels, op: "topkAccuracy")
  guard k >= 1 else { throw TensorError.invalidArgument(op: "topkAccuracy", detail: "k must be >= 1, got \(k)") }
  let d = logits.data
  var hits = 0
  for i in 0..<n {
    let t = d[i * c + labels[i]]
    var above = 0
    for j in 0..<c where d[i * c + j] > t { above += 1 }
    if above < k { hits += 1 }
  }
  return Float(hits) / Float(n)
}
