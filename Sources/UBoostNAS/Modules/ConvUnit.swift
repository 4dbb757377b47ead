import Foundation
import UBoostTensor

// MARK: - Channel mask (DMasking)

/// The channel search of one conv: alphas over the width choices and the constant widths.
final class ChannelSearch {
  let name: String
  let alpha: Tensor
  let choices: ChannelChoices
  let widths: [Int]
  let widthValues: [Float]

  init(name: String, choices: ChannelChoices, rng: inout RandomSource) {
    self.name = name
    self.choices = choices
    widths = choices.widths
    widthValues = widths.map(Float.init)
    // A unit-sd Gaussian bump at a random index (method.md §5).
    let c = rng.int(below: widths.count)
    let a = (0..<widths.count).map { j -> Float in
      let d = Double(j - c)
      return Float(Foundation.exp(-d * d / 2) / (2 * Double.pi).squareRoot())
    }
    alpha = Tensor.constant(shape: [widths.count], data: a).trainable()
    alpha.name = name
  }

  /// The width with the largest alpha.
  var chosenWidth: Int {
    var best = 0
    for j in 0..<alpha.count where alpha.data[j] > alpha.data[best] { best = j }
    return widths.indices.contains(best) ? widths[best] : choices.maxWidth
  }
}

// MARK: - conv -> [mask] -> BN -> ReLU

/// One conv (full, dilated or depthwise) with bias, an optional DMasking channel search,
/// batch norm and ReLU; reports its hardware cost.
final class ConvUnit {
  enum Kind { case full, depthwise }

  let name: String
  let kind: Kind
  let kernel: Int, stride: Int, dilation: Int
  let cin: Int, cout: Int
  let weight: Tensor
  let bias: Tensor
  let bn: BatchNorm2d
  let search: ChannelSearch?
  /// Price dilated convs as such (false: as plain convs, the reference).
  let costKind: CostLayerKind
  /// The cost model sees `cout * costWidthScale` output channels (PC-DARTS' narrow ops).
  let costWidthScale: Int

  init(name: String, kind: Kind, cin: Int, cout: Int, kernel: Int, stride: Int = 1, dilation: Int = 1,
       channelChoices: ChannelChoices? = nil, costWidthScale: Int = 1, rng: inout RandomSource) throws {
    self.costWidthScale = max(costWidthScale, 1)
    guard cin >= 1, cout >= 1 else { throw NASError.invalidConfig("\(name): channels must be >= 1 (\(cin) -> \(cout))") }
    if kind == .depthwise && cin != cout { throw NASError.invalidConfig("\(name): depthwise conv needs cin == cout") }
    self.name = name; self.kind = kind; self.kernel = kernel; self.stride = stride; self.dilation = dilation
    self.cin = cin; self.cout = cout
    let inPerGroup = kind == .depthwise ? 1 : cin
    let fanIn = inPerGroup * kernel * kernel
    weight = try Init.heNormal([cout, inPerGroup, kernel, kernel], fanIn: fanIn, rng: &rng).trainable()
    weight.name = name + ".weight"
    bias = try Tensor.zeros([cout]).trainable()
    bias.name = name + ".bias"
    bn = BatchNorm2d(channels: cout)
    if let ch = channelChoices, kind == .full {
      search = ChannelSearch(name: name, choices: ch, rng: &rng)
    } else {
      search = nil
    }
    switch kind {
    case .depthwise: costKind = .depthwise
    case .full: costKind = dilation > 1 ? .dilated : .conv
    }
  }

  var parameters: [Tensor] { [weight, bias, bn.weight, bn.bias] }

  /// Number of trainable weights (conv + bias + BN affine).
  var weightCount: Int { weight.count + bias.count + bn.weight.count + bn.bias.count }

  /// Padding of the conv (PyTorch's `dilation * (k // 2)`).
  var padding: Padding { .explicit(dilation * (kernel - 1) / 2) }

  /// Whether the conv can share its input's unfolding with other units (`conv2dShared`): a full
  /// conv that is not a 1x1.
  var sharesUnfolding: Bool { kind == .full && kernel > 1 }

  /// Units reading the same input can share one unfolding when this key is equal.
  var unfoldingKey: [Int] { [kernel, dilation, stride, cin] }

  /// Forward: returns the activation, the (soft) output channel count and the cost. `preConv`:
  /// this unit's conv output already computed (by `conv2dShared` with other units on `x`).
  func forward(_ x: Tensor, cinSoft: Tensor, ctx: ForwardContext, preConv: Tensor? = nil) throws -> (Tensor, Tensor, LayerCostTensors?) {
    var y = try preConv ?? conv2d(x, weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
                                  groups: kind == .depthwise ? cin : 1)
    var coutSoft = Tensor(scalar: Float(cout * costWidthScale))
    var mask: Tensor? = nil
    if let s = search {
      let g = try ctx.relax(s.alpha)
      mask = FusedOps.channelMaskVector(g, widths: s.widths, channels: cout)
      coutSoft = FusedOps.dotConstant(g, s.widthValues)
    }
    if let m = mask, ctx.maskPlacement == .beforeNorm { y = try channelMask(y, m) }
    y = try bn(y, training: ctx.training, relu: true)
    if let m = mask, ctx.maskPlacement == .afterActivation { y = try channelMask(y, m) }
    var cost: LayerCostTensors? = nil
    if let ev = ctx.cost, y.rank == 4 {
      let kindForCost: CostLayerKind = (ctx.mode == .reference && costKind == .dilated) ? .conv : costKind
      cost = try LayerCostTensors.evaluate(ev, kind: kindForCost, kernel: kernel, cin: cinSoft, cout: coutSoft,
                                           outH: y.shape[2], outW: y.shape[3], dilation: dilation)
    }
    return (y, coutSoft, cost)
  }
}

