import Foundation

// MARK: - Learning-rate schedules

/// Multiplies the rate by `gamma` every `stepSize` epochs: `lr(at: e) = baseLR * gamma^(e / stepSize)`.
///
/// ```swift
/// let sched = try StepLR(stepSize: 30, gamma: 0.5, baseLR: 1e-3)
/// opt.lr = sched.lr(at: epoch)
/// ```
public struct StepLR {
  public let stepSize: Int
  public let gamma: Float
  public let baseLR: Float

  public init(stepSize: Int, gamma: Float, baseLR: Float = 1) throws {
    guard stepSize >= 1 else { throw TensorError.invalidArgument(op: "StepLR", detail: "stepSize must be >= 1, got \(stepSize)") }
    guard gamma > 0, gamma.isFinite, baseLR >= 0, baseLR.isFinite else {
      throw TensorError.invalidArgument(op: "StepLR", detail: "need gamma > 0 and baseLR >= 0")
    }
    self.stepSize = stepSize
    self.gamma = gamma
    self.baseLR = baseLR
  }

  /// The rate for epoch `epoch` (counted from 0; negative epochs give `baseLR`).
  public func lr(at epoch: Int) -> Float {
    baseLR * Float(Foundation.pow(Double(gamma), Double(Swift.max(epoch, 0) / stepSize)))
  }
}

/// PyTorch's `OneCycleLR` (cosine annealing, two phases): warm up from `maxLR / divFactor` to
/// `maxLR` over the first `pctStart` of the steps, then anneal to `maxLR / divFactor /
/// finalDivFactor` at step `totalSteps - 1`.
///
/// ```swift
/// let sched = try OneCycle(maxLR: 0.1, totalSteps: epochs * stepsPerEpoch)
/// opt.lr = sched.lr(at: globalStep)
/// ```
public struct OneCycle {
  public let maxLR: Float
  public let totalSteps: Int
  public let pctStart: Float
  public let divFactor: Float
  public let finalDivFactor: Float

  public init(maxLR: Float, totalSteps: Int, pctStart: Float = 0.3, divFactor: Float = 25, finalDivFactor: Float = 1e4) throws {
    guard maxLR > 0, maxLR.isFinite else { throw TensorError.invalidArgument(op: "OneCycle", detail: "maxLR must be > 0") }
    guard totalSteps >= 2 else { throw TensorError.invalidArgument(op: "OneCycle", detail: "totalSteps must be >= 2, got \(totalSteps)") }
    guard pctStart > 0, pctStart < 1 else { throw TensorError.invalidArgument(op: "OneCycle", detail: "pctStart must be in (0, 1), got \(pctStart)") }
    guard divFactor > 0, finalDivFactor > 0 else { throw TensorError.invalidArgument(op: "OneCycle", detail: "div factors must be > 0") }
    self.maxLR = maxLR
    self.totalSteps = totalSteps
    self.pctStart = pctStart
    self.divFactor = divFactor
    self.finalDivFactor = finalDivFactor
  }

  /// The rate at optimizer step `step` (0-based; clamped into `0..<totalSteps`).
  public func lr(at step: Int) -> Float {
    let initial = Double(maxLR) / Double(divFactor), peak = Double(maxLR)
    let final = initial / Double(finalDivFactor)
    let s = Double(Swift.min(Swift.max(step, 0), totalSteps - 1))
    let warmEnd = Double(pctStart) * Double(totalSteps) - 1, end = Double(totalSteps - 1)
    func cosAnneal(_ a: Double, _ b: Double, _ pct: Double) -> Double { b + (a - b) / 2 * (Foundation.cos(Double.pi * pct) + 1) }
    if s <= warmEnd {
      return Float(cosAnneal(initial, peak, warmEnd > 0 ? s / warmEnd : 1))
    }
    return Float(cosAnneal(peak, final, (s - warmEnd) / Swift.max(end - warmEnd, 1e-12)))
  }
}
