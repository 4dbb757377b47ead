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
      BuiltinFunction("sgd_step", "params, loss, lr: number = 1e-3, momentum: number = 0.8, weight_decay: number = 3e-4, clip: number = 0.5",
                      "One SGD step on params (defaults: the method's search weight step): clears their grads, back-propagates loss, clips the gradient norm (clip: 0 = off), updates.") { a in
        let key = "sgd:\(try a.number("lr")):\(try a.number("momentum")):\(try a.number("weight_decay"))"
        try Optimizers.step(a, hyper: key, clip: try a.number("clip")) {
          try SGD(lr: Float(try a.number("lr")), momentum: Float(try a.number("momentum")),
                  weightDecay: Float(try a.number("weight_decay")))
        }
        return .nil_
      },
      BuiltinFunction("adam_step", "params, loss, lr: number = 0.1, beta1: number = 0.9, beta2: number = 0.999, weight_decay: number = 0",
                      "One Adam step on params (defaults: the method's architecture step, lr 0.1, no weight decay): clears their grads, back-propagates loss, updates.") { a in
        let key = "adam:\(try a.number("lr")):\(try a.number("beta1")):\(try a.number("beta2")):\(try a.number("weight_decay"))"
        try Optimizers.step(a, hyper: key, clip: 0) {
          try Adam(lr: Float(try a.number("lr")), beta1: Float(try a.number("beta1")), beta2: Float(try a.number("beta2")),
                   weightDecay: Float(try a.number("weight_decay")))
        }
        return .nil_
      },
    ])
}

/// Optimizers shared by `sgd_step` / `adam_step` calls with the same hyper-parameters and the
/// same parameters, so momentum and Adam moments persist across the steps of a script loop.
/// Each entry keeps its parameters alive: the engine keys optimizer state by object identity,
/// and a freed tensor's identity could otherwise be reused by a new one and inherit its state.
/// At most `capacity` entries are kept (the oldest is dropped first).
enum Optimizers {
  struct Entry {
    var optimizer: Optimizer
    var params: [Tensor]
  }
  nonisolated(unsafe) static var cache: [String: Entry] = [:]
  nonisolated(unsafe) static var order: [String] = []
  static let capacity = 16
  static let lock = NSLock()

  static func shared(_ hyper: String, params: [Tensor], _ make: () throws -> Optimizer) throws -> Optimizer {
    let key = hyper + "|" + params.map { String(UInt(bitPattern: ObjectIdentifier($0).hashValue)) }.joined(separator: ",")
    lock.lock()
    defer { lock.unlock() }
    if let e = cache[key] { return e.optimizer }
    let o = try Engine.run(hyper.hasPrefix("sgd") ? "sgd_step" : "adam_step", make)
    cache[key] = Entry(optimizer: o, params: params)
    order.append(key)
    while order.count > capacity { cache[order.removeFirst()] = nil }
    return o
  }

  static func step(_ a: Arguments, hyper: String, clip: Double, make: () throws -> Optimizer) throws {
    let params = try TensorLibrary.paramList(a, "params")
    let loss = try a.tensor("loss")
    guard loss.count == 1 else { throw LangError(.value, "\(a.function.name)(loss:): needs a one-element tensor, got shape \(loss.shape)") }
    let opt = try shared(hyper, params: params, make)
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
