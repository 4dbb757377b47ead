import Foundation
import UBoostHardware
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Search and training from scripts
//
// The loops are the engine's (`UBoostNAS.SearchLoop`, `FinalTrainer`, `Evaluation`); this file
// adapts them: the script's `loss:` closure becomes the engine's `SearchLoss` (called as
// `loss(out, y)` with `out = {logits, latency, util, costs}` and `y` the labels tensor, so the loss is
// differentiable like any engine loss), data-set objects give batch size, limit and seed, and
// every epoch's stats become a history record.

/// Settings a script may override; nil keeps the engine's default (the reference's).
struct ScriptSearchSettings {
  var epochs: Int
  var weightLR: Float?
  var archLR: Float?
  var split: Double?
  var tauDecay: Float?
  var tauMin: Float?
  var latCoef: Float?
  var utilCoef: Float?
  var gradClip: Float?
  var warmupEpochs: Int = 0
  var betaDecay: Float = 0
  var auxSkip: Bool = false
  var relaxation: ArchRelaxation = .gumbelSoftmax
  var zeroOneCoef: Float = SearchConfig().zeroOneCoef
  var outputDir: String?
  var verbose: Bool
}

enum ScriptLoops {
  /// The engine loss for a script closure (nil: `fallback`). Every step also honours Ctrl-C.
  static func loss(_ fn: Value?, fallback: @escaping SearchLoss, interpreter: Interpreter, function: String) -> SearchLoss {
    { out, y in
      try Engine.checkInterrupt()
      guard let f = fn else { return try fallback(out, y) }
      let labels = try Tensor(shape: [y.count], data: y.map { Float($0) })
      let outValue = SupernetObject.record(out)
      let r = try interpreter.call(f, [outValue, TensorObject.value(labels)])
      guard case .object(let o) = r, let t = o as? TensorObject, t.tensor.count == 1 else {
        throw LangError(.type, "\(function)(loss:): the loss function must return a one-element tensor, got \(r.typeName)")
      }
      return t.tensor
    }
  }

  /// A history record of one epoch.
  static func record(_ s: EpochStats) -> Value {
    var f: [(String, Value)] = [("epoch", .number(Double(s.epoch))), ("loss", .number(s.trainLoss)),
                                ("acc", .number(s.trainTop1)), ("top5", .number(s.trainTop5))]
    if let v = s.latencySmoothMs { f.append(("latency_ms", .number(v))) }
    if let v = s.utilSmooth { f.append(("util", .number(v))) }
    f.append(("tau", .number(s.tau)))
    if let v = s.genotype { f.append(("genotype", .string(v))) }
    if let v = s.validLoss { f.append(("valid_loss", .number(v))) }
    if let v = s.validTop1 { f.append(("valid_acc", .number(v))) }
    if let v = s.latencyExactMs { f.append(("latency_exact_ms", .number(v))) }
    if let v = s.utilExact { f.append(("util_exact", .number(v))) }
    f.append(("seconds", .number(s.seconds)))
    return .record(f)
  }

  /// The script's names of the engine's search settings (for a refused resume's message).
  static let searchSettingNames = [
    "weightLR": "lr", "archLR": "alpha_lr", "weightVsArch": "split", "tauDecay": "tau_decay", "tauMin": "tau_min",
    "tauInit": "tau (of the network)", "latCoef": "lat_coef", "utilCoef": "util_coef", "gradClip": "clip",
    "batch": "batch (of the dataset)", "trainLimit": "limit (of the dataset)", "validLimit": "limit (of valid:)",
    "seed": "seed (of the dataset)", "warmupEpochs": "warmup", "betaDecay": "beta_decay", "auxSkip": "aux_skip",
    "relaxation": "relax", "zeroOneCoef": "zero_one",
  ]

  /// The engine loop of a micro or channel search on `net` with the script's settings: the
  /// session under `search()` / `channel_search()` (stdlib/search.uboost). Every epoch's record is
  /// printed when `verbose`, and `onEpoch` is called after it.
  static func searchLoop(_ net: SupernetObject, data: DatasetObject, valid: DatasetObject?, loss: Value?,
                         settings s: ScriptSearchSettings, interpreter: Interpreter, function: String,
                         onEpoch: ((EpochStats) -> Void)? = nil) throws -> SearchLoop {
    var cfg = SearchConfig()
    cfg.epochs = s.epochs
    cfg.batch = data.batchSize
    cfg.trainLimit = data.limit
    cfg.validLimit = valid?.limit
    cfg.seed = data.seed
    cfg.tauInit = net.net.tau
    if let v = s.weightLR { cfg.weightLR = v }
    if let v = s.archLR { cfg.archLR = v }
    if let v = s.split { cfg.weightVsArch = v }
    if let v = s.tauDecay { cfg.tauDecay = v }
    if let v = s.tauMin { cfg.tauMin = v }
    if let v = s.latCoef { cfg.latCoef = v }
    if let v = s.utilCoef { cfg.utilCoef = v }
    if let v = s.gradClip { cfg.gradClip = v }
    cfg.warmupEpochs = s.warmupEpochs
    cfg.betaDecay = s.betaDecay
    cfg.auxSkip = s.auxSkip
    cfg.relaxation = s.relaxation
    cfg.zeroOneCoef = s.zeroOneCoef
    let fallback = SearchLosses.hardwareAware(latCoef: cfg.latCoef, utilCoef: cfg.utilCoef)
    let stage = net.net.stage.rawValue
    let loop = try Engine.run(function) {
      try SearchLoop(net: net.net, config: cfg, stage: stage,
                     loss: ScriptLoops.loss(loss, fallback: fallback, interpreter: interpreter, function: function), outputDir: s.outputDir)
    }
    if let hw = net.hardware { loop.exactCost = hw.exactCost }
    loop.progress = interpreter.engine.progress
    loop.settingNames = searchSettingNames
    loop.onEpoch = { [weak interpreter] st in
      onEpoch?(st)
      if s.verbose { interpreter?.write("\(function) epoch \(st.epoch): \(record(st).repr)\n") }
    }
    return loop
  }

  /// Trains a final network's weights (the engine's trainer: SGD Nesterov, one-cycle, crop + flip).
  static func train(_ net: SupernetObject, data: DatasetObject, valid: DatasetObject?, epochs: Int, lr: Float?,
                    clip: Float = TrainConfig().gradClip, augment: Bool = true, outputDir: String?, verbose: Bool, interpreter: Interpreter) throws -> [Value] {
    var cfg = TrainConfig()
    cfg.epochs = epochs
    cfg.batch = data.batchSize
    cfg.trainLimit = data.limit
    cfg.seed = data.seed
    if let v = lr { cfg.lr = v }
    cfg.gradClip = clip
    if !augment { cfg.augmentation = nil }
    let trainer = try Engine.run("train") { try FinalTrainer(net: net.net, config: cfg, outputDir: outputDir) }
    trainer.settingNames = ["lr": "lr", "gradClip": "clip", "augmentation": "augment", "batch": "batch (of the dataset)",
                            "trainLimit": "limit (of the dataset)", "seed": "seed (of the dataset)"]
    trainer.progress = interpreter.engine.progress
    trainer.onEpoch = { st in
      if verbose { interpreter.write("train epoch \(st.epoch): \(record(st).repr)\n") }
    }
    let saved = GradMode.isEnabled
    GradMode.isEnabled = true
    defer { GradMode.isEnabled = saved }
    let stats = try Engine.run("train") { try trainer.run(train: data.dataset, valid: valid?.dataset) }
    return stats.map(record)
  }

  /// The costed layers of the network a supernet stands for (its current genotype).
  static func architectureLayers(_ net: SupernetObject) throws -> [ArchLayer] {
    let n = net.net
    let stacks = n.stage == .micro ? n.space.microStacks : n.space.channelStacks
    let g = try Engine.run("arch_layers") { try n.genotype }
    return try Engine.run("arch_layers") { try ArchitectureCost.layers(space: n.space, genotype: g, stacks: stacks) }
  }

  /// Loss and accuracy over a data set (inference mode) and the network's exact hardware cost.
  static func evaluate(_ net: SupernetObject, data: DatasetObject) throws -> Value {
    let r = try Engine.run("evaluate") {
      try Evaluation.run(net.net, data.dataset, batch: data.batchSize, limit: data.limit)
    }
    guard r.count > 0 else { throw LangError(.value, "evaluate(data:): the data set is empty") }
    var fields: [(String, Value)] = [("loss", .number(r.loss)), ("top1", .number(r.top1)), ("top5", .number(r.top5))]
    // The cost of the architecture the network stands for, with the exact ceiling.
    let model = net.hardware ?? NASLibrary.defaultHardware()
    let n = net.net
    let stacks = n.stage == .micro ? n.space.microStacks : n.space.channelStacks
    if let g = try? n.genotype,
       let c = try? ArchitectureCost.evaluate(space: n.space, genotype: g, stacks: stacks, evaluator: model.exactCost,
                                              mode: n.aggregation) {
      fields += [("latency_ms", .number(c.latencyMs)), ("util", .number(c.util))]
    } else {
      fields += [("latency_ms", .nil_), ("util", .nil_)]
    }
    // The honest judge: the cycle-level simulator, layer by layer (time-weighted utilization).
    if let layers = try? architectureLayers(net), !layers.isEmpty {
      let sim = SystolicSimulator(config: model.config, options: .csim)
      let j = try Engine.run("evaluate") { try NetworkCost.judge(layers, batch: model.config.batch) { spec in
        var s = spec
        s.cin = s.cin.rounded(); s.cout = s.cout.rounded()
        let r = try sim.simulate(s)
        return (r.latencyMs, r.util)
      } }
      fields += [("latency_sim_ms", .number(j.latencyMs)), ("util_sim", .number(j.util))]
    }
    fields.append(("examples", .number(Double(r.count))))
    return .record(fields)
  }
}
