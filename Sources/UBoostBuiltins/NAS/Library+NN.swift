import Foundation
import UBoostLang
import UBoostTensor

// MARK: - The nn library

enum NNLibrary {
  /// The library with optimizer state of its own: `Builtins.install` registers one per
  /// interpreter, so each interpreter owns its `sgd_step` / `adam_step` state.

  static func library(optimizers: ScriptOptimizers) -> BuiltinLibrary {
    BuiltinLibrary(
    name: "nn",
    doc: "Neural-network ops and optimizer steps. Labels are tensors (or lists) of class indices, like batch.y.",
    entries: [
      BuiltinFunction("cross_entropy", "logits, y", "Mean cross-entropy of logits [N, C] against labels y (N class indices).") { a in
        let logits = try a.tensor("logits")
        let y = try TensorConvert.labels(from: try a.value("y"), function: "cross_entropy", parameter: "y")
        return TensorObject.value(try Engine.run("cross_entropy") { try crossEntropy(logits, y) })
      },
      BuiltinFunction("accuracy", "logits, y, k: int = 1", "Fraction of rows whose label is among the k largest logits.") { a in
        let logits = try a.tensor("logits")
        let y = try TensorConvert.labels(from: try a.value("y"), function: "accuracy", parameter: "y")
        let k = try a.int("k")
        return .number(Double(try Engine.run("accuracy") { try topkAccuracy(logits, y, k: k) }))
      },
      BuiltinFunction("conv2d", "x, w, bias = nil, stride: int = 1, padding = \"same\", dilation: int = 1, groups: int = 1",
                      "2-D convolution of x [N, Cin, H, W] with w [Cout, Cin/groups, kh, kw]; padding: \"same\", \"valid\" or a number.") { a in
        let x = try a.tensor("x"), w = try a.tensor("w"), b = try a.optionalTensor("bias")
        let pad: Padding
        switch try a.value("padding") {
        case .string("same"): pad = .same
        case .string("valid"): pad = .valid
        case .number: pad = .explicit(try a.int("padding"))
        case let v: throw a.typeError("padding", expected: "\"same\", \"valid\" or a number", got: v)
        }
        let s = try a.int("stride"), d = try a.int("dilation"), g = try a.int("groups")
        return TensorObject.value(try Engine.run("conv2d") { try UBoostTensor.conv2d(x, w, bias: b, stride: s, padding: pad, dilation: d, groups: g) })
      },
      BuiltinFunction("max_pool", "x, kernel: int = 2, stride: int = 2", "Max pooling of x [N, C, H, W].") { a in
        let x = try a.tensor("x")
        let k = try a.int("kernel"), s = try a.int("stride")
        return TensorObject.value(try Engine.run("max_pool") { try maxPool2d(x, kernel: k, stride: s) })
      },
      BuiltinFunction("linear", "x, w, b = nil", "x [N, in] times w [out, in] transposed, plus b [out].") { a in
        let x = try a.tensor("x"), w = try a.tensor("w"), b = try a.optionalTensor("b")
        return TensorObject.value(try Engine.run("linear") { try UBoostTensor.linear(x, w, b) })
      },
      BuiltinFunction("grads", "params, loss",
                      "The gradient of a one-element loss with respect to each of params (a list of tensors of their shapes; zeros where the loss does not depend on one), without updating anything: params' own .grad is cleared before and after. With assign() and the steps' grads: this writes unrolled (second-order) updates such as DARTS' (stdlib darts_step).") { a in
        let params = try TensorLibrary.paramList(a, "params")
        let loss = try a.tensor("loss")
        guard loss.count == 1 else { throw LangError(.value, "grads(loss:): needs a one-element tensor, got shape \(loss.shape)") }
        for p in params { p.zeroGrad() }
        if loss.requiresGrad { try Engine.run("grads") { try loss.backward() } }
        let out = try params.map { p in
          try Engine.run("grads") { try Tensor(shape: p.shape, data: p.gradData ?? [Float](repeating: 0, count: p.count)) }
        }
        for p in params { p.zeroGrad() }
        return .list(ListBox(out.map(TensorObject.value)))
      },
      BuiltinFunction("assign", "params, values",
                      "Overwrites each of params in place with the matching value (a tensor of its shape or a number for every element), outside the tape: how a loop saves, perturbs and restores weights (w + eps * g, then back). Returns nil.") { a in
        let params = try TensorLibrary.paramList(a, "params")
        guard let items = try Interpreter.elements(of: try a.value("values")) else {
          throw a.typeError("values", expected: "list of tensors", got: try a.value("values"))
        }
        guard items.count == params.count else {
          throw LangError(.value, "assign(values:): \(items.count) values for \(params.count) params")
        }
        // Check everything before writing anything.
        var data: [[Float]] = []
        for (i, (p, v)) in zip(params, items).enumerated() {
          switch v {
          case .number(let d): data.append([Float](repeating: Float(d), count: p.count))
          case .object(let o as TensorObject):
            guard o.tensor.shape == p.shape else {
              throw LangError(.value, "assign(values:): value \(i) has shape \(o.tensor.shape), param \(i) has \(p.shape)")
            }
            data.append(o.tensor.data)
          default: throw a.typeError("values", expected: "list of tensors or numbers", got: v)
          }
        }
        for (p, d) in zip(params, data) { p.data = d }
        return .nil_
      },
      BuiltinFunction("sgd_step", "params, loss = nil, lr: number = 1e-3, momentum: number = 0.8, weight_decay: number = 3e-4, clip: number = 0.5, grads = nil",
                      "One SGD step on params (defaults: the method's search weight step): clears their grads, back-propagates loss (or takes grads: a list of gradients, e.g. from grads()), clips the gradient norm (clip: 0 = off), updates. The momentum buffers belong to the parameters: a learning-rate schedule (another lr each call) keeps them.") { a in
        let opt = try Engine.run("sgd_step") { try optimizers.sgd() }
        try Engine.run("sgd_step") {
          try opt.configure(lr: Float(try a.number("lr")), momentum: Float(try a.number("momentum")), weightDecay: Float(try a.number("weight_decay")))
        }
        try ScriptOptimizers.step(a, opt, clip: try a.number("clip"))
        return .nil_
      },
      BuiltinFunction("adam_step", "params, loss = nil, lr: number = 0.1, beta1: number = 0.9, beta2: number = 0.999, weight_decay: number = 0, grads = nil",
                      "One Adam step on params (defaults: the method's architecture step, lr 0.1, no weight decay): clears their grads, back-propagates loss (or takes grads: a list of gradients, e.g. DARTS' second-order alpha gradient), updates. The moments and step counts belong to the parameters: a learning-rate schedule keeps them.") { a in
        let opt = try Engine.run("adam_step") { try optimizers.adam() }
        try Engine.run("adam_step") {
          try opt.configure(lr: Float(try a.number("lr")), beta1: Float(try a.number("beta1")), beta2: Float(try a.number("beta2")),
                            weightDecay: Float(try a.number("weight_decay")))
        }
        try ScriptOptimizers.step(a, opt, clip: 0)
        return .nil_
      },
    ])
  }
}

/// The optimizer state of one interpreter's `sgd_step` / `adam_step` calls: one SGD and one Adam
/// whose per-parameter state (momentum buffers, Adam moments and step counts) is keyed by the
/// parameter tensors, whatever the hyper-parameters of each call. The engine optimizers hold
/// the tensors weakly, so a freed parameter's state dies with it.
final class ScriptOptimizers {
  private var sgdOptimizer: SGD?
  private var adamOptimizer: Adam?

  /// The SGD shared by every `sgd_step` call (each call configures its hyper-parameters).
  func sgd() throws -> SGD {
    if let o = sgdOptimizer { return o }
    let o = try SGD(lr: 1e-3, momentum: 0.8, weightDecay: 3e-4)
    sgdOptimizer = o
    return o
  }

  /// The Adam shared by every `adam_step` call.
  func adam() throws -> Adam {
    if let o = adamOptimizer { return o }
    let o = try Adam(lr: 0.1)
    adamOptimizer = o
    return o
  }

  /// Drops the state of `params` in both optimizers (a search starts its steps afresh).
  func reset(_ params: [Tensor]) {
    sgdOptimizer?.reset(params)
    adamOptimizer?.reset(params)
  }

  static func step(_ a: Arguments, _ opt: Optimizer, clip: Double) throws {
    let params = try TensorLibrary.paramList(a, "params")
    let name = a.function.name
    let lossValue = a.optionalValue("loss").flatMap { $0.isNil ? nil : $0 }
    let gradsValue = a.optionalValue("grads").flatMap { $0.isNil ? nil : $0 }
    guard (lossValue == nil) != (gradsValue == nil) else {
      throw LangError(.argument, "\(name)(): give either loss (to back-propagate) or grads: (a list of gradients), not \(lossValue == nil ? "neither" : "both")")
    }
    var given: [[Float]]? = nil
    if gradsValue != nil {
      let gs = try TensorLibrary.paramList(a, "grads")
      guard gs.count == params.count else { throw LangError(.value, "\(name)(grads:): \(gs.count) gradients for \(params.count) params") }
      for (i, (p, g)) in zip(params, gs).enumerated() where p.shape != g.shape {
        throw LangError(.value, "\(name)(grads:): gradient \(i) has shape \(g.shape), param \(i) has \(p.shape)")
      }
      given = gs.map(\.data)
    }
    let loss = try lossValue.map { _ in try a.tensor("loss") }
    if let l = loss, l.count != 1 { throw LangError(.value, "\(name)(loss:): needs a one-element tensor, got shape \(l.shape)") }
    for p in params { p.zeroGrad() }
    try Engine.run(name) {
      if let g = given {
        for (p, d) in zip(params, g) { p.gradData = d }
      } else if let l = loss, l.requiresGrad {
        try l.backward()
      }
      try opt.step(params, clippingTo: Float(clip))  // clip <= 0: unclipped
    }
    for p in params { p.zeroGrad() }
  }
}
