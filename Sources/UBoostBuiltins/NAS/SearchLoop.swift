import Foundation
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Search and training loops
//
// The loops live here (not in UBoostNAS) because every step calls the script's `loss:` closure
// as `loss(out, y)` with `out = {logits, latency, util}` and `y` the labels tensor; the closure
// composes engine ops, so its result is differentiable on the tape like any engine loss.
// One epoch = one pass over the data: the first `split` fraction of the batches update the
// weights (SGD), the rest the alphas (Adam), as in the language contract's explicit loop; tau
// then decays by `tau_decay` (floored at `tau_min`).

struct SearchSettings {
  var epochs: Int
  var weightLR: Float
  var alphaLR: Float
  var split: Double
  var tauDecay: Double
  var tauMin: Double
  var verbose: Bool
}

enum SearchLoop {
  /// The loss of one step: the script closure, or cross-entropy when there is none.
  static func loss(_ fn: Value?, out: Value, logits: Tensor, batch: BatchObject, interpreter: Interpreter,
                   function: String) throws -> Tensor {
    guard let f = fn else { return try Engine.run(function) { try crossEntropy(logits, batch.labels) } }
    let r = try interpreter.call(f, [out, TensorObject.value(batch.y)])
    guard case .object(let o) = r, let t = o as? TensorObject, t.tensor.count == 1 else {
      throw LangError(.type, "\(function)(loss:): the loss function must return a one-element tensor, got \(r.typeName)")
    }
    return t.tensor
  }

  /// Runs `settings.epochs` epochs of alternating weight / alpha steps. Returns the history records.
  static func search(_ net: SupernetObject, data: DatasetObject, loss: Value?, settings s: SearchSettings,
                     interpreter: Interpreter, function: String) throws -> [Value] {
    let weightOpt = try Engine.run(function) { try SGD(lr: s.weightLR, momentum: 0.9, weightDecay: 3e-4) }
    let alphaOpt = try Engine.run(function) { try Adam(lr: s.alphaLR, beta1: 0.5, beta2: 0.999, weightDecay: 1e-3) }
    var history: [Value] = []
    let saved = GradMode.isEnabled
    GradMode.isEnabled = true
    defer { GradMode.isEnabled = saved }
    for epoch in 0..<s.epochs {
      let start = Date()
      let batches = data.nextEpoch()
      // At least one weight step and (with two or more batches) one alpha step.
      var nWeight = Int((s.split * Double(batches.count)).rounded(.down))
      if batches.count >= 2 { nWeight = min(max(nWeight, 1), batches.count - 1) } else { nWeight = batches.count }
      let progress = Progress(title: "\(function) epoch \(epoch + 1)/\(s.epochs)", total: batches.count)
      var stats = RunningStats()
      for (i, b) in batches.enumerated() {
        try Engine.checkInterrupt()
        let outValue = try net.forward(b.x, training: true)
        guard case .record(let r) = outValue, case .object(let lo)? = r["logits"], let logits = (lo as? TensorObject)?.tensor,
              case .object(let la)? = r["latency"], let lat = (la as? TensorObject)?.tensor,
              case .object(let uo)? = r["util"], let util = (uo as? TensorObject)?.tensor else {
          throw LangError(.internal, "\(function): malformed forward output")
        }
        let l = try SearchLoop.loss(loss, out: outValue, logits: logits, batch: b, interpreter: interpreter, function: function)
        let lv = l.data.first ?? .nan
        guard lv.isFinite else {
          throw Engine.convert(NASError.nanLoss(stage: function, epoch: epoch + 1, step: i + 1), function: function)
        }
        net.net.zeroGrad()
        if l.requiresGrad {
          try Engine.run(function) { try l.backward() }
          if i < nWeight {
            try Engine.run(function) {
              try clipGradNorm(net.net.weights, maxNorm: 5)
              try weightOpt.step(net.net.weights)
            }
          } else {
            try Engine.run(function) { try alphaOpt.step(net.net.optimizerAlphas) }
          }
        }
        let acc = (try? topkAccuracy(logits, b.labels, k: 1)) ?? 0
        stats.add(loss: Double(lv), acc: Double(acc), latency: Double(lat.data.first ?? 0),
                  util: Double(util.data.first ?? 0), n: b.indices.count)
        progress.update(step: i + 1, loss: lv, acc: acc, latency: lat.data.first, util: util.data.first)
      }
      progress.finish()
      net.net.tau = Float(max(Double(net.net.tau) * s.tauDecay, s.tauMin))
      let genotype = (try? net.net.genotype.description) ?? ""
      let rec = stats.record(epoch: epoch + 1, extra: [("tau", .number(Double(net.net.tau))), ("genotype", .string(genotype)),
                                                        ("seconds", .number(Date().timeIntervalSince(start)))])
      history.append(rec)
      if s.verbose { interpreter.write("\(function) epoch \(epoch + 1): \(rec.repr)\n") }
    }
    return history
  }

  /// Trains the weights only (SGD with momentum and cosine learning rate).
  static func train(_ net: SupernetObject, data: DatasetObject, loss: Value?, epochs: Int, lr: Float, verbose: Bool,
                    interpreter: Interpreter) throws -> [Value] {
    let opt = try Engine.run("train") { try SGD(lr: lr, momentum: 0.9, weightDecay: 3e-4) }
    var history: [Value] = []
    let saved = GradMode.isEnabled
    GradMode.isEnabled = true
    defer { GradMode.isEnabled = saved }
    let total = max(1, epochs * data.batchCount)
    var step = 0
    for epoch in 0..<epochs {
      let start = Date()
      let batches = data.nextEpoch()
      let progress = Progress(title: "train epoch \(epoch + 1)/\(epochs)", total: batches.count)
      var stats = RunningStats()
      for (i, b) in batches.enumerated() {
        try Engine.checkInterrupt()
        opt.lr = lr * Float(0.5 * (1 + cos(Double.pi * Double(step) / Double(total))))
        step += 1
        let outValue = try net.forward(b.x, training: true)
        guard case .record(let r) = outValue, case .object(let lo)? = r["logits"], let logits = (lo as? TensorObject)?.tensor else {
          throw LangError(.internal, "train: malformed forward output")
        }
        let l = try SearchLoop.loss(loss, out: outValue, logits: logits, batch: b, interpreter: interpreter, function: "train")
        let lv = l.data.first ?? .nan
        guard lv.isFinite else { throw Engine.convert(NASError.nanLoss(stage: "train", epoch: epoch + 1, step: i + 1), function: "train") }
        net.net.zeroGrad()
        if l.requiresGrad {
          try Engine.run("train") {
            try l.backward()
            try clipGradNorm(net.net.weights, maxNorm: 5)
            try opt.step(net.net.weights)
          }
        }
        let acc = (try? topkAccuracy(logits, b.labels, k: 1)) ?? 0
        stats.add(loss: Double(lv), acc: Double(acc), latency: 0, util: 0, n: b.indices.count)
        progress.update(step: i + 1, loss: lv, acc: acc)
      }
      progress.finish()
      let rec = stats.record(epoch: epoch + 1, extra: [("seconds", .number(Date().timeIntervalSince(start)))], withCost: false)
      history.append(rec)
      if verbose { interpreter.write("train epoch \(epoch + 1): \(rec.repr)\n") }
    }
    return history
  }

  /// Loss and top-1/top-5 accuracy over a data set in inference mode, plus the network's cost.
  static func evaluate(_ net: SupernetObject, data: DatasetObject) throws -> Value {
    try withNoGrad {
      var lossSum = 0.0, top1 = 0.0, top5 = 0.0, n = 0
      var lat = 0.0, util = 0.0
      for b in data.nextEpoch() {
        try Engine.checkInterrupt()
        let out = try Engine.run("evaluate") { try net.net.forward(b.x, training: false) }
        let k = b.indices.count
        let l = try Engine.run("evaluate") { try crossEntropy(out.logits, b.labels) }
        lossSum += Double(l.data.first ?? 0) * Double(k)
        top1 += Double(try Engine.run("evaluate") { try topkAccuracy(out.logits, b.labels, k: 1) }) * Double(k)
        let k5 = min(5, out.logits.shape.last ?? 1)
        top5 += Double(try Engine.run("evaluate") { try topkAccuracy(out.logits, b.labels, k: k5) }) * Double(k)
        n += k
        lat = Double(out.latency.data.first ?? 0)
        util = Double(out.util.data.first ?? 0)
      }
      guard n > 0 else { throw LangError(.value, "evaluate(data:): the data set is empty") }
      return .record([("loss", .number(lossSum / Double(n))), ("top1", .number(top1 / Double(n))),
                      ("top5", .number(top5 / Double(n))), ("latency_ms", .number(lat)), ("util", .number(util)),
                      ("examples", .number(Double(n)))])
    }
  }
}

/// Example-weighted running means of a training epoch.
struct RunningStats {
  var loss = 0.0, acc = 0.0, latency = 0.0, util = 0.0, n = 0

  mutating func add(loss l: Double, acc a: Double, latency lt: Double, util u: Double, n k: Int) {
    loss += l * Double(k); acc += a * Double(k); latency = lt; util = u; n += k
  }

  func record(epoch: Int, extra: [(String, Value)], withCost: Bool = true) -> Value {
    let d = Double(max(n, 1))
    var fields: [(String, Value)] = [("epoch", .number(Double(epoch))), ("loss", .number(loss / d)), ("acc", .number(acc / d))]
    if withCost { fields += [("latency_ms", .number(latency)), ("util", .number(util))] }
    return .record(fields + extra)
  }
}
