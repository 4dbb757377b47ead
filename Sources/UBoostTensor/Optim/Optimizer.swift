// MARK: - Optimizer protocol

/// A first-order optimizer: `step` updates every parameter that has a gradient, in place.
/// Per-parameter state is keyed by the tensor's identity, so passing the same tensor twice in one
/// list updates it twice (as PyTorch does with a repeated parameter).
///
/// ```swift
/// let opt = try SGD(lr: 0.1, momentum: 0.9)
/// try loss.backward()
/// try opt.step(params)
/// zeroGrad(params)
/// ```
public protocol Optimizer: AnyObject {
  /// Updates `params` from their `gradData` times `gradScale` (parameters without a gradient are
  /// skipped; the stored gradients are left as they are). With the factor of `gradClipScale` this
  /// is `clipGradNorm` followed by a step, in one pass over the gradients instead of two.
  func step(_ params: [Tensor], gradScale: Float) throws
  /// The learning rate used by the next `step` (schedules set it).
  var lr: Float { get set }
  /// Drops the state of `params` (momentum buffers, moments): their next step starts afresh.
  func reset(_ params: [Tensor])
}

extension Optimizer {
  /// Updates `params` from their `gradData` (parameters without a gradient are skipped).
  public func step(_ params: [Tensor]) throws { try step(params, gradScale: 1) }

  /// One step with the gradients clipped to the joint norm `maxNorm` on the way (the factor of
  /// `gradClipScale`); `maxNorm <= 0` steps unclipped. The same update as `clipGradNorm` then
  /// `step`, in one pass over the gradients instead of two; the stored gradients stay as they are.
  ///
  /// ```swift
  /// try sgd.step(weights, clippingTo: 5)
  /// ```
  public func step(_ params: [Tensor], clippingTo maxNorm: Float) throws {
    try step(params, gradScale: maxNorm > 0 ? try gradClipScale(params, maxNorm: maxNorm).scale : 1)
  }
}

/// Checks a gradient factor passed to `step(_:gradScale:)`.
func checkGradScale(_ s: Float, op: String) throws {
  guard s.isFinite, s >= 0 else {
    throw TensorError.invalidArgument(op: op, detail: "gradScale must be a finite number >= 0, got \(s)")
  }
}

/// Clears the gradients of `params`.
public func zeroGrad(_ params: [Tensor]) {
  for p in params { p.zeroGrad() }
}

/// Checks a gradient's size against its parameter (a mismatch can only come from a caller that
/// wrote `gradData` by hand).
func checkedGrad(_ p: Tensor, op: String) throws -> [Float]? {
  guard let g = p.gradData else { return nil }
  guard g.count == p.count else {
    throw TensorError.shapeMismatch(op: op, shapes: [p.shape, [g.count]], detail: "gradient size differs from the parameter")
  }
  return g
}

// MARK: - Gradient clipping

/// Scales all gradients so that their joint L2 norm is at most `maxNorm` (PyTorch's
/// `clip_grad_norm_`: factor `maxNorm / (norm + 1e-6)` when below 1). Returns the norm before
/// clipping.
///
/// ```swift
/// let norm = try clipGradNorm(params, maxNorm: 0.5)
/// ```
@discardableResult
public func clipGradNorm(_ params: [Tensor], maxNorm: Float) throws -> Float {
  let (norm, coef) = try gradClipScale(params, maxNorm: maxNorm)
  if coef < 1 {
    var seen = Set<ObjectIdentifier>()
    for p in params where seen.insert(ObjectIdentifier(p)).inserted {
      guard var g = p.gradData else { continue }
      p.gradData = nil
      g.withUnsafeMutableBufferPointer { gp in
        guard let b = gp.baseAddress else { return }
        Parallel.forRanges(gp.count, grain: 1 << 15) { r in for i in r { b[i] *= coef } }
      }
      p.gradData = g
    }
  }
  return norm
}

/// The joint gradient norm of `params` and the factor `clipGradNorm` would scale the gradients
/// by (1 when the norm is within `maxNorm`), without touching them: a training loop passes the
/// factor to `step(_:gradScale:)` of its optimizer and saves a pass over every gradient.
///
/// ```swift
/// let (_, scale) = try gradClipScale(weights, maxNorm: 5)
/// try sgd.step(weights, gradScale: scale)   // same update as clipGradNorm, then step
/// ```
public func gradClipScale(_ params: [Tensor], maxNorm: Float) throws -> (norm: Float, scale: Float) {
  guard maxNorm > 0, maxNorm.isFinite else {
    throw TensorError.invalidArgument(op: "clipGradNorm", detail: "maxNorm must be a positive number, got \(maxNorm)")
  }
  let norm = Float(try gradSquaredNorm(params).squareRoot())
  let coef = maxNorm / (norm + 1e-6)
  return (norm, coef < 1 ? coef : 1)
}

/// Sum of the squared gradient entries of `params`, over fixed chunks of 64k entries computed in
/// parallel and added in order: the result does not depend on the thread count.
func gradSquaredNorm(_ params: [Tensor]) throws -> Double {
  var grads: [[Float]] = []
  for p in params { if let g = try checkedGrad(p, op: "clipGradNorm") { grads.append(g) } }
  let piece = 1 << 16
  var partial = [Double](repeating: 0, count: grads.reduce(0) { $0 + Parallel.pieceCount($1.count, piece: piece) })
  partial.withUnsafeMutableBufferPointer { pp in
    guard let out = pp.baseAddress else { return }
    Parallel.forPieces(counts: grads.map(\.count), piece: piece) { t, i, r in
      grads[i].withUnsafeBufferPointer { gp in
        guard let b = gp.baseAddress else { return }
        out[t] = Double(VecOps.dot(b + r.lowerBound, b + r.lowerBound, r.count))
      }
    }
  }
  return partial.reduce(0, +)
}

// MARK: - Per-parameter state

/// Optimizer state per parameter tensor, keyed by identity but remembering the tensor weakly:
/// state of a freed tensor is never given to a new tensor that reuses its identity (nor to a
/// tensor of another size), and dead entries are swept as the table grows.
///
/// ```swift
/// var buffers = ParameterStates<[Float]>()
/// buffers.put([0, 0], for: w)
/// let b = buffers.take(w, count: 2)   // [0, 0], removed until put back
/// ```
struct ParameterStates<State> {
  private struct Entry { weak var owner: Tensor?; var count: Int; var state: State }
  private var entries: [ObjectIdentifier: Entry] = [:]
  private var sweepAt = 64

  /// Removes and returns the state of `p` (nil when none, or when it belonged to another tensor).
  mutating func take(_ p: Tensor, count: Int) -> State? {
    guard let e = entries.removeValue(forKey: ObjectIdentifier(p)), e.owner === p, e.count == count else { return nil }
    return e.state
  }

  mutating func remove(_ p: Tensor) { entries.removeValue(forKey: ObjectIdentifier(p)) }

  mutating func put(_ state: State, for p: Tensor) {
    entries[ObjectIdentifier(p)] = Entry(owner: p, count: p.count, state: state)
    if entries.count >= sweepAt {
      entries = entries.filter { $0.value.owner != nil }
      sweepAt = max(64, entries.count * 2)
    }
  }
}
