import Foundation
import UBoostLang
import UBoostTensor

// MARK: - The nn library

enum NNLibrary {
  static let library = BuiltinLibrary(
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
      BuiltinFunction("sgd_step", "params, loss, lr: number = 0.025, momentum: number = 0.9, weight_decay: number = 3e-4, clip: number = 5",
                      "One SGD step on params: clears their grads, back-propagates loss, clips the gradient norm (clip: 0 = off), updates.") { a in
        let key = "sgd:\(try a.number("lr")):\(try a.number("momentum")):\(try a.number("weight_decay"))"
        let opt = try Optimizers.shared(key) {
          try SGD(lr: Float(try a.number("lr")), momentum: Float(try a.number("momentum")),
                  weightDecay: Float(try a.number("weight_decay")))
        }
        try Optimizers.step(a, opt, clip: try a.number("clip"))
        return .nil_
      },
      BuiltinFunction("adam_step", "params, loss, lr: number = 3e-4, beta1: number = 0.5, beta2: number = 0.999, weight_decay: number = 1e-3",
                      "One Adam step on params (the architecture optimizer's defaults): clears their grads, back-propagates loss, updates.") { a in
        let key = "adam:\(try a.number("lr")):\(try a.number("beta1")):\(try a.number("beta2")):\(try a.number("weight_decay"))"
        let opt = try Optimizers.shared(key) {
          try Adam(lr: Float(try a.number("lr")), beta1: Float(try a.number("beta1")), beta2: Float(try a.number("beta2")),
                   weightDecay: Float(try a.number("weight_decay")))
        }
        try Optimizers.step(a, opt, clip: 0)
        return .nil_
      },
    ])
}

/// Optimizers shared by `sgd_step` / `adam_step` calls with the same hyper-parameters, so that
/// momentum and Adam moments persist across the steps of a script loop (state is per parameter).
enum Optimizers {
  nonisolated(unsafe) static var cache: [String: Optimizer] = [:]
  static let lock = NSLock()

  static func shared(_ key: String, _ make: () throws -> Optimizer) throws -> Optimizer {
    lock.lock()
    defer { lock.unlock() }
    if let o = cache[key] { return o }
    let o = try Engine.run(key.hasPrefix("sgd") ? "sgd_step" : "adam_step", make)
    if cache.count > 64 { cache = [:] }
    cache[key] = o
    return o
  }

  static func step(_ a: Arguments, _ opt: Optimizer, clip: Double) throws {
    let params = try TensorLibrary.paramList(a, "params")
    let loss = try a.tensor("loss")
    guard loss.count == 1 else { throw LangError(.value, "\(a.function.name)(loss:): needs a one-element tensor, got shape \(loss.shape)") }
    let name = a.function.name
    for p in params { p.zeroGrad() }
    try Engine.run(name) {
      if loss.requiresGrad { try loss.backward() }
      if clip > 0 { try clipGradNorm(params, maxNorm: Float(clip)) }
      try opt.step(params)
    }
    for p in params { p.zeroGrad() }
  }
}
