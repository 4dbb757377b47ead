import Foundation
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - The search session

/// `search()` and `channel_search()` are uboost functions (stdlib/search.uboost): their loop,
/// schedules and steps are written in the language over `net.forward`, `sgd_step`, `adam_step`
/// and the regularisers. What is not the step — checking the options, the data order, resuming
/// from `dir:`, validation, the derived genotype's cost, the progress bar, stats files and
/// checkpoints, the result object — is the engine's `SearchLoop`, reached through the session
/// object this library's one builtin returns.
///
/// ```
/// let s = search_session("search", net, data, {epochs: 2, lr: 1e-3})
/// for epoch in s.start_epoch..<s.epochs {
///   for (step, batch) in enumerate(s.begin_epoch(epoch)) { ...; s.step_done(step, out, lv, batch) }
///   s.end_epoch(epoch, next_tau)
/// }
/// s.result()
/// ```
enum SearchLibrary {
  /// The user-facing signatures: options given to `search_session` are bound to these, so a bad
  /// option reads `search(warmup:): expected int, got string`, as when search was a builtin.
  static let searchSignature = BuiltinFunction(
    "search", "net, data, hw = nil, loss = nil, epochs: int = 1, valid = nil, " + NASLibrary.searchOptions, "") { _ in .nil_ }
  static let channelSignature = BuiltinFunction(
    "channel_search", "ms, data, hw = nil, loss = nil, channels = nil, stacks = nil, epochs: int = 1, valid = nil, seed: int = 0, " +
      "mask: string = \"after_relu\", " + NASLibrary.searchOptions, "") { _ in .nil_ }

  static func library(optimizers: ScriptOptimizers) -> BuiltinLibrary {
    BuiltinLibrary(
      name: "search",
      doc: "The session under the stdlib's search() and channel_search(): the engine's bookkeeping around a search loop written in uboost.",
      entries: [
        BuiltinFunction("search_session", "function: string, net, data, options: record = {}",
                        "The bookkeeping of one search (what stdlib/search.uboost's loop calls): function is \"search\" (net: a micro supernet) or \"channel_search\" (net: a micro search result, whose genotype gets a channel supernet); options are that function's (hw, loss, epochs, valid, lr, ..., dir, verbose; channel_search also channels, stacks, seed, mask), checked and named in errors as that function's. The optimizer state of the network's weights and alphas starts afresh. Fields: net, start_epoch (after a checkpoint in dir:), epochs, loss (nil: the default), lr alpha_lr split clip warmup beta_decay aux_skip relax zero_one lat_coef util_coef tau_decay tau_min lr_gamma lr_step momentum weight_decay (the settings, engine defaults filled in). Methods: begin_epoch(epoch) (that epoch's batches; starts the progress bar), loss_value(l, epoch, step) (the loss as a number; refuses a non-tensor or non-finite loss), step_done(step, out, loss, batch), end_epoch(epoch, next_tau) (validation, the genotype's cost, tau := next_tau, stats and checkpoint in dir:; returns the epoch's record), result() (the search result).") { a in
          let function = try a.string("function")
          let signature: BuiltinFunction
          switch function {
          case "search": signature = searchSignature
          case "channel_search": signature = channelSignature
          default: throw LangError(.value, "search_session(function:): \"search\" or \"channel_search\", got \"\(function)\"")
          }
          let options = try a.record("options")
          let names = Set(signature.params.map(\.name))
          for key in options.keys where !names.contains(key) || key == "net" || key == "ms" || key == "data" {
            throw LangError(.argument, "\(function)(): unknown argument '\(key)'")
          }
          var named: [String: Value] = [:]
          for (k, v) in zip(options.keys, options.values) { named[k] = v }
          let bound = Arguments(function: signature, positional: [try a.value("net"), try a.value("data")], named: named,
                                interpreter: a.interpreter)
          return .object(try SearchSessionObject.start(bound, optimizers: optimizers))
        },
      ])
  }
}

/// One running search: the engine `SearchLoop` that keeps its books, and the result it fills.
final class SearchSessionObject: HostObject {
  let function: String
  let net: SupernetObject
  let loop: SearchLoop
  let settings: ScriptSearchSettings
  let loss: Value?
  let startEpoch: Int
  let result: SearchResultObject

  init(function: String, net: SupernetObject, loop: SearchLoop, settings: ScriptSearchSettings, loss: Value?, startEpoch: Int,
       result: SearchResultObject) {
    self.function = function; self.net = net; self.loop = loop; self.settings = settings; self.loss = loss
    self.startEpoch = startEpoch; self.result = result
  }

  /// The loop sets the supernet's auxiliary-skip weight for each epoch; `result()` resets it, and
  /// so does releasing a session that never got there (a loss that raised, an interrupt), so the
  /// network's later forwards are its own.
  deinit { net.net.auxSkip = 0 }

  /// Checks `a` (bound to search's or channel_search's signature), builds the channel supernet
  /// when asked, and begins the loop (data checks, `dir:`, resume).
  static func start(_ a: Arguments, optimizers: ScriptOptimizers) throws -> SearchSessionObject {
    let function = a.function.name
    let net: SupernetObject
    if function == "search" {
      net = try a.object("net", as: SupernetObject.self, expected: "supernet")
      guard net.net.stage == .micro else {
        throw LangError(.value, "search(net:): expected a micro supernet (supernet(...)), got a \(net.net.stage.rawValue) network")
      }
      net.setHardware(try NASLibrary.optionalHardware(a))
      if let v = a.optionalValue("max_identity"), !v.isNil { try net.setField("max_identity", v) }
    } else {
      let (source, genotype) = try NASLibrary.searchSource(a, "ms")
      var cfg = source.net.space
      let mask = try a.string("mask")
      guard let placement = MaskPlacement(rawValue: mask) else {
        throw LangError(.value, "channel_search(mask:): expected \"after_relu\" or \"before_bn\", got \"\(mask)\"")
      }
      cfg.maskPlacement = placement
      if !(a.optionalValue("stacks")?.isNil ?? true) { cfg.channelStacks = try a.intList("stacks") }
      cfg.channels = try NASLibrary.channelChoices(a)
      let seed = UInt64(bitPattern: Int64(try a.int("seed")))
      let channelNet = try Engine.run("channel_search") { try Supernet(space: cfg, stage: .channel, genotype: genotype, seed: seed) }
      net = SupernetObject(channelNet, hardware: try NASLibrary.optionalHardware(a) ?? source.hardware ?? NASLibrary.defaultHardware(),
                           interpreter: a.interpreter)
    }
    let data = try a.object("data", as: DatasetObject.self, expected: "dataset")
    let valid = try NASLibrary.optionalDataset(a, "valid")
    let loss = try NASLibrary.optionalLoss(a)
    let settings = try NASLibrary.settings(a)
    let result = SearchResultObject(supernet: net, history: [])
    let loop = try ScriptLoops.searchLoop(net, data: data, valid: valid, loss: loss, settings: settings,
                                          interpreter: a.interpreter, function: function, onEpoch: { result.recordAlphas($0) })
    let startEpoch = try Engine.run(function) { try loop.begin(train: data.dataset, valid: valid?.dataset) }
    // A resumed search's finished epochs come back with the checkpoint, their alphas too.
    for st in loop.stats { result.recordAlphas(st) }
    // A search starts its optimizers afresh, whatever steps these tensors took before.
    optimizers.reset(net.net.weights + net.net.optimizerAlphas)
    return SearchSessionObject(function: function, net: net, loop: loop, settings: settings, loss: loss,
                               startEpoch: startEpoch, result: result)
  }

  var config: SearchConfig { loop.config }

  public var typeName: String { "SearchSession" }
  public var fieldNames: [String] {
    ["function", "net", "start_epoch", "epochs", "loss", "lr", "alpha_lr", "split", "clip", "warmup", "beta_decay", "aux_skip",
     "relax", "zero_one", "lat_coef", "util_coef", "tau_decay", "tau_min", "lr_gamma", "lr_step", "momentum", "weight_decay"]
  }

  public func getField(_ name: String) throws -> Value? {
    let c = config
    // A float32 setting reads as written (0.001, not 0.0010000000474974513); it converts back
    // to the same float32.
    func f(_ x: Float) -> Value { .number(Double(x.description) ?? Double(x)) }
    switch name {
    case "function": return .string(function)
    case "net": return .object(net)
    case "start_epoch": return .number(Double(startEpoch))
    case "epochs": return .number(Double(c.epochs))
    case "loss": return loss ?? .nil_
    case "lr": return f(c.weightLR)
    case "alpha_lr": return f(c.archLR)
    case "split": return .number(c.weightVsArch)
    case "clip": return f(c.gradClip)
    case "warmup": return .number(Double(c.warmupEpochs))
    case "beta_decay": return f(c.betaDecay)
    case "aux_skip": return .bool(c.auxSkip)
    case "relax": return .string(c.relaxation.rawValue)
    case "zero_one": return f(c.zeroOneCoef)
    case "lat_coef": return f(c.latCoef)
    case "util_coef": return f(c.utilCoef)
    case "tau_decay": return f(c.tauDecay)
    case "tau_min": return f(c.tauMin)
    case "lr_gamma": return f(c.lrGamma)
    case "lr_step": return .number(Double(c.lrStepEpochs))
    case "momentum": return f(c.weightMomentum)
    case "weight_decay": return f(c.weightDecay)
    default: return nil
    }
  }

  public func method(_ name: String) -> BuiltinFunction? {
    switch name {
    case "begin_epoch":
      return BuiltinFunction("begin_epoch", "epoch: int",
                             "Starts an epoch (0-based): returns its batches (the shuffle of the data set's seed and this epoch) and starts the progress bar.") { [self] a in
        let epoch = try a.int("epoch")
        try Engine.run(function) { try loop.beginEpoch(epoch) }
        let batches = loop.epochBatches()
        let dataset = loop.loader?.dataset
        guard let ds = dataset else { return .list([]) }
        return .list(ListBox(batches.map { .object(BatchObject(dataset: ds, indices: $0)) }))
      }
    case "loss_value":
      return BuiltinFunction("loss_value", "loss, epoch: int, step: int",
                             "The step's loss as a number: refuses a loss that is not a one-element tensor or not finite.") { [self] a in
        let v = try a.value("loss")
        guard case .object(let o) = v, let t = o as? TensorObject, t.tensor.count == 1 else {
          throw LangError(.type, "\(function)(loss:): the loss function must return a one-element tensor, got \(v.typeName)")
        }
        let epoch = try a.int("epoch"), step = try a.int("step")
        return .number(Double(try Engine.run(function) { try loop.checkedLoss(t.tensor, epoch: epoch, step: step) }))
      }
    case "step_done":
      return BuiltinFunction("step_done", "step: int, out, loss: number, batch",
                             "Adds a finished step to the epoch's metrics (loss, top-1, top-5 from out.logits) and the progress bar.") { [self] a in
        let out = try a.record("out")
        func tensor(_ key: String) throws -> Tensor {
          guard case .object(let o)? = out[key], let t = o as? TensorObject else {
            throw LangError(.type, "step_done(out:): expected the record of net.forward (with \(key)), got no tensor \(key)")
          }
          return t.tensor
        }
        let batch = try a.object("batch", as: BatchObject.self, expected: "batch")
        let logits = try tensor("logits"), lat = try tensor("latency"), util = try tensor("util")
        try Engine.run(function) {
          try loop.recordStep(try a.int("step"), logits: logits, latency: lat.data.first ?? 0, util: util.data.first ?? 0,
                              loss: Float(try a.number("loss")), labels: batch.labels)
        }
        return .nil_
      }
    case "end_epoch":
      return BuiltinFunction("end_epoch", "epoch: int, next_tau: number",
                             "Ends an epoch: validation, the derived genotype and its cost, tau := next_tau, the stats file and checkpoint in dir:, the alpha snapshot; returns the epoch's history record.") { [self] a in
        let epoch = try a.int("epoch")
        let tau = try a.number("next_tau")
        guard tau > 0, tau.isFinite else { throw LangError(.value, "end_epoch(next_tau:): must be a positive number, got \(Value.formatNumber(tau))") }
        let st = try Engine.run(function) { try loop.endEpoch(epoch, nextTau: Float(tau)) }
        return ScriptLoops.record(st)
      }
    case "result":
      return BuiltinFunction("result", "",
                             "The search result: {genotype, alphas, history, net, ...} (history: every epoch, the resumed ones first).") { [self] _ in
        net.net.auxSkip = 0
        result.history = loop.stats.map(ScriptLoops.record)
        return .object(result)
      }
    default: return nil
    }
  }

  public func describe(width: Int) -> String {
    "search_session(\(Value.string(function).repr), epochs: \(config.epochs), start_epoch: \(startEpoch))"
  }
}
