import Foundation
import UBoostHardware
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - The NAS library

enum NASLibrary {
  static let library = BuiltinLibrary(
    name: "nas",
    doc: "Search spaces, supernets, micro and channel search, deriving and training the final network, arch-state files. Loss functions are called as loss(out, y) with out = {logits, latency, util, costs} and y the labels tensor; costs lists every costed pre-conv and edge as {cell, name, latency, util} (their latencies add up to latency), for per-layer weights or budgets. Every hw: (supernet, search, channel_search, load_net, net.hw = ...) takes a hardware model or a uboost cost function fn(layer) => {latency, util} (numbers or one-element tensors; during a channel search layer.cin and layer.cout are soft-width tensors and the function's gradient is taken by the tape). Supernet fields: `stage tau noise relax aux_skip weights alphas genotype weight_count alpha_count cells hw history`, methods `net.forward(x, training:)`, `net.zero_grad()`; `alphas`, `tau`, `noise`, `relax`, `aux_skip`, `max_identity`, `hw` are settable. `net.alphas` is a table view of the architecture parameters (rows: edges or searched convs, columns: ops or widths; `net.alphas[e]`, `net.alphas[\"xp_t1\", \"zero\"] = -5`, `net.alphas = t` write into the supernet's own tensors; fields `shape rows columns tensor`). Against DARTS' collapse onto parameter-free ops, search takes warmup: (weights-only epochs), beta_decay: (beta-DARTS), aux_skip: (DARTS-), relax: \"sigmoid\" with zero_one: (Fair-DARTS), max_identity: caps identity edges per cell when deriving (P-DARTS), and supernet takes partial_channels: (PC-DARTS); see docs/nas.md. Search results also have `argmax_genotype` (no cap), `alpha_history` (the alpha matrix after every epoch) and `alpha_trace(row)` ([epochs, choices] of one edge or conv, for heatmap()). Search results: `genotype alphas history net stage widths latency util loss arch_state`.",
    entries: [
      BuiltinFunction("op", "name: string, stages = nil, residual: bool = false",
                      "A candidate op: op(\"sep3x3\") is a built-in (conv3x3 conv5x5 sep3x3 sep5x5 dil3x3 dil5x5 identity zero); op(name, stages, residual:) defines one from stages, each a record {conv: K} (full K x K conv) or {dw: K} (depthwise) with optional dilation: and, for an inner full conv, expand: E (E times the op's input width), or {pool: \"max\", k: K} / {pool: \"avg\", k: K} (a K x K pooling window, stride 1, same-size padding; avg counts only in-bounds values), or {sum: [branch, ...]} (2 to 8 branches, each a list of conv and pool stages run on the sum's input, [] the identity; their outputs are added; a branch keeps the sum's width w: its full convs make w, or E*w with expand: E; sums do not nest and carry no channel search); every conv stage is followed by BN and ReLU, a pool stage has no weights, BN or ReLU and keeps the width; the last full conv without expand sets the op's width (and carries the channel search), residual: true adds the input when the widths agree. E.g. op(\"mbconv3\", [{conv: 1, expand: 3}, {dw: 3}, {conv: 1}], residual: true), op(\"max_pool_3x3\", [{pool: \"max\", k: 3}]) (DARTS'), op(\"incep\", [{sum: [[{conv: 1}], [{dw: 3}, {conv: 1}], [{pool: \"avg\", k: 3}]]}, {conv: 1}]). Conv stages, those in sums' branches too (named edge/sum1.b2.dw, ...), are priced per stage by every cost model; pool stages are free (an op of pools only costs nothing, as identity).") { a in
        let name = try a.string("name")
        guard let sv = a.optionalValue("stages"), !sv.isNil else {
          guard let op = CandidateOp.parse(name) else {
            throw LangError(.value, "op(): '\(name)' is not a built-in op (\(CandidateOp.builtins.map(\.name).joined(separator: ", "))); give its stages to define it")
          }
          return .object(OpObject(op))
        }
        if CandidateOp.parse(name) != nil {
          throw LangError(.value, "op(): '\(name)' is a built-in op; give a script op another name")
        }
        let stages = try a.sequence("stages").enumerated().map { try OpObject.stage($0.element, index: $0.offset, function: "op") }
        let op = CandidateOp(name: name, stages: stages, residual: try a.bool("residual"))
        try Engine.run("op") { try op.validate() }
        return .object(OpObject(op))
      },
      BuiltinFunction("cell_space", "ops: list = nil, nodes: int = 3, shared: bool = true, chain: bool = false, inputs: record = nil",
                      "A cell search space over candidate ops: names of built-in ops (conv3x3 conv5x5 sep3x3 sep5x5 dil3x3 dil5x5 identity zero) or ops defined with op(name, stages). chain: true makes a macro (chain) space like FBNet's and ProxylessNAS': no 3x3 pre-convs and nodes that read only the previous cell, so with nodes: 1 every cell is one layer choosing among the ops (supernet stacks: the layers, 1 = followed by a 2x2 max-pool; the stem width must equal the cell width and the widest channel choice); shared: false gives every layer its own alphas. inputs: which inputs a node may take, e.g. {t1: [\"xp\"], t2: [\"xpp\", \"t1\"]} (sources: xp, xpp and earlier nodes; an unlisted node takes them all; a cell input no node reads gets no pre-conv).") { a in
        var ops = CandidateOp.allCases
        if let v = a.optionalValue("ops"), !v.isNil {
          ops = try a.sequence("ops").map { x in try OpObject.from(x, function: "cell_space", argument: "ops") }
        }
        guard !ops.isEmpty else { throw LangError(.value, "cell_space(ops:): the op list is empty") }
        guard Set(ops.map(\.name)).count == ops.count else { throw LangError(.value, "cell_space(ops:): the op list has duplicates") }
        let nodes = try a.int("nodes")
        guard nodes >= 1, nodes <= 8 else { throw LangError(.value, "cell_space(nodes:): must be in 1...8, got \(nodes)") }
        let chain = try a.bool("chain")
        var inputs: [String: [String]]? = nil
        if let v = a.optionalValue("inputs"), !v.isNil {
          let r = try a.record("inputs")
          var table: [String: [String]] = [:]
          for (node, srcs) in zip(r.keys, r.values) {
            guard case .list(let l) = srcs else {
              throw LangError(.type, "cell_space(inputs:): node \(node) needs a list of input names, got \(srcs.typeName)")
            }
            table[node] = try l.items.map { x in
              guard case .string(let s) = x else {
                throw LangError(.type, "cell_space(inputs:): node \(node): inputs are names (\"xp\", \"xpp\", \"t1\", ...), got \(x.typeName)")
              }
              return s
            }
          }
          try Engine.run("cell_space") { try SearchSpaceConfig.validateInputs(table, nodes: nodes, chain: chain) }
          inputs = table
        }
        return .object(SpaceObject(ops: ops, nodes: nodes, shared: try a.bool("shared"), chain: chain, inputs: inputs))
      },
      BuiltinFunction("supernet", "space, stem: int = 32, stacks = nil, classes: int = 10, input = nil, hw = nil, width = nil, partial_channels: int = 1, classifier: string = \"flatten\", seed: int = 0",
                      "A micro-search supernet over space; input: a dataset or [channels, height, width] (default Fashion-MNIST 1x28x28); partial_channels: K sends 1/K of each edge's channels through its mixed op (PC-DARTS, Xu et al. ICLR 2020; K must divide the cell width); classifier: \"flatten\" (the reference: flatten, then linear) or \"global_pool\" (global average pooling, then linear, as in DARTS, FBNet and MobileNet; far fewer classifier weights). The space's settings go with the networks derived from it.") { a in
        let space = try a.object("space", as: SpaceObject.self, expected: "cell space (cell_space(...))")
        var cfg = SearchSpaceConfig()
        cfg.ops = space.ops
        cfg.nodes = space.nodes
        cfg.sharedAlphas = space.shared
        cfg.chain = space.chain ? true : nil
        cfg.inputs = space.inputs
        switch try a.string("classifier") {
        case "flatten": cfg.classifier = nil
        case "global_pool": cfg.classifier = .globalPool
        case let other: throw LangError(.value, "supernet(classifier:): \"flatten\" or \"global_pool\", got \"\(other)\"")
        }
        cfg.stemChannels = try a.int("stem")
        if !(a.optionalValue("stacks")?.isNil ?? true) { cfg.microStacks = try a.intList("stacks") }
        cfg.classes = try a.int("classes")
        cfg.input = try inputShape(a)
        cfg.microWidth = try a.optionalInt("width")
        let k = try a.int("partial_channels")
        guard k >= 1, k <= cfg.microCellWidth, cfg.microCellWidth % k == 0 else {
          throw LangError(.value, "supernet(partial_channels:): K must divide the cell width \(cfg.microCellWidth), got \(k)")
        }
        cfg.partialChannels = k
        let hw = try optionalHardware(a)
        let seed = UInt64(bitPattern: Int64(try a.int("seed")))
        let net = try Engine.run("supernet") { try Supernet(space: cfg, stage: .micro, seed: seed) }
        return .object(SupernetObject(net, hardware: hw ?? defaultHardware(), interpreter: a.interpreter))
      },
      BuiltinFunction("beta_decay_loss", "net",
                      "beta-DARTS' regulariser of a micro supernet's edge alphas: mean over edges of logsumexp(alpha) (Ye et al., CVPR 2022); add lambda * it to an explicit loop's alpha loss.") { a in
        let net = try a.object("net", as: SupernetObject.self, expected: "supernet")
        return TensorObject.value(try Engine.run("beta_decay_loss") { try SearchRegularizers.betaDecay(net.net.edgeAlphaTensors) })
      },
      BuiltinFunction("zero_one_loss", "net",
                      "Fair-DARTS' zero-one loss of a micro supernet's edge alphas: -mean((sigmoid(alpha) - 0.5)^2) (Chu et al., ECCV 2020).") { a in
        let net = try a.object("net", as: SupernetObject.self, expected: "supernet")
        return TensorObject.value(try Engine.run("zero_one_loss") { try SearchRegularizers.zeroOne(net.net.edgeAlphaTensors) })
      },
      BuiltinFunction("arch_layers", "net",
                      "Every costed layer of the network a supernet or search result stands for, in order: [{cell, edge, kind, k, cin, cout, stride, dilation, groups, in_hw, out_hw}] (stem and classifier are not costed).") { a in
        let net = try supernetArgument(a, "net")
        return .list(try ScriptLoops.architectureLayers(net).map(layerRecord))
      },
      BuiltinFunction("save_arch", "net, path: string",
                      "Writes final_arch.json: {\"layers\": arch_layers(net)}, enough to recompute the network's cost without uboost (uboost arch cost FILE).") { a in
        let net = try supernetArgument(a, "net")
        let path = try a.string("path")
        let layers = try ScriptLoops.architectureLayers(net)
        try Engine.run("save_arch") { try ArchLayer.writeJSON(layers, to: path) }
        return .string(path)
      },
      BuiltinFunction("random_arch", "result, seed: int = 0, max_identity = nil",
                      "A final network with a random architecture from the space of a search result: each edge a uniformly drawn op (zero excluded; at most max_identity identities per cell), each searched conv a uniformly drawn width of the channel choices (channel results).") { a in
        let (source, genotype) = try searchSource(a, "result")
        let seed = UInt64(bitPattern: Int64(try a.int("seed")))
        var cap: Int? = nil
        if let v = a.optionalValue("max_identity"), !v.isNil { cap = try a.int("max_identity") }
        var cfg = source.net.space
        if source.net.stage == .micro { cfg.channelStacks = cfg.microStacks }
        let g = try Engine.run("random_arch") {
          try RandomArchitecture.sample(space: cfg, like: genotype, widths: source.net.stage == .channel, seed: seed, maxIdentity: cap)
        }
        let net = try Engine.run("random_arch") { try Supernet(space: cfg, stage: .final, genotype: g, seed: seed) }
        return .object(SupernetObject(net, hardware: source.hardware ?? defaultHardware(), interpreter: a.interpreter))
      },
      BuiltinFunction("derive", ArchLibrary.deriveSignature, ArchLibrary.deriveDoc) { a in try ArchLibrary.derive(a) },
      BuiltinFunction("train", "net, data, epochs: int = 1, lr: number = \(TrainConfig().lr), clip: number = \(TrainConfig().gradClip), augment: bool = true, valid = nil, dir = nil, verbose: bool = false",
                      "Trains a network's weights (the engine's trainer: SGD Nesterov, one-cycle, grad-norm clip (0 = off), random crop + flip when augment); returns the network, with .history.") { a in
        let net = try a.object("net", as: SupernetObject.self, expected: "network (derive(...))")
        let data = try a.object("data", as: DatasetObject.self, expected: "dataset")
        let epochs = try a.int("epochs")
        guard epochs >= 0, epochs <= 10_000 else { throw LangError(.value, "train(epochs:): must be in 0...10000, got \(epochs)") }
        let lr = try a.number("lr")
        guard lr > 0, lr.isFinite else { throw LangError(.value, "train(lr:): must be positive, got \(Value.formatNumber(lr))") }
        let clip = try a.number("clip")
        guard clip >= 0, clip.isFinite else { throw LangError(.value, "train(clip:): must be >= 0 (0 = no clipping), got \(Value.formatNumber(clip))") }
        let h = try ScriptLoops.train(net, data: data, valid: try optionalDataset(a, "valid"), epochs: epochs, lr: Float(lr),
                                      clip: Float(clip), augment: try a.bool("augment"),
                                      outputDir: try a.optionalString("dir"), verbose: try a.bool("verbose"), interpreter: a.interpreter)
        net.history += h
        return .object(net)
      },
      BuiltinFunction("evaluate", "net, data",
                      "Inference over a data set: {loss, top1, top5, latency_ms, util, examples} (latency and util of the network's architecture with the exact ceiling).") { a in
        let net = try a.object("net", as: SupernetObject.self, expected: "network")
        let data = try a.object("data", as: DatasetObject.self, expected: "dataset")
        return try ScriptLoops.evaluate(net, data: data)
      },
      BuiltinFunction("save", "x, path: string, weights = nil",
                      "Writes a trained network (derive/train) as a network file (architecture + weights, docs/nas.md; load_net reads it), a search result or supernet as arch-state JSON (the reference schema; weights: true writes a network file instead), a genotype as JSON, other values as JSON.") { a in
        let path = try a.string("path")
        let v = try a.value("x")
        let withWeights = try a.optionalValue("weights").flatMap { w -> Bool? in
          if w.isNil { return nil }
          guard case .bool(let b) = w else { throw a.typeError("weights", expected: "bool", got: w) }
          return b
        }
        if case .object(let o) = v {
          if let r = o as? SearchResultObject {
            try Engine.run("save") {
              if withWeights == true { try NetworkFile(r.supernet.net).write(to: path) } else { try ArchState(r.supernet.net).write(to: path) }
            }
            return .nil_
          }
          if let n = o as? SupernetObject {
            try Engine.run("save") {
              // A final network has no alphas: its arch state would be `{}`.
              if withWeights ?? (n.net.stage == .final) { try NetworkFile(n.net).write(to: path) } else { try ArchState(n.net).write(to: path) }
            }
            return .nil_
          }
          if let g = o as? GenotypeObject {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try Engine.run("save") { try enc.encode(g.genotype) }
            try Engine.run("save") { try AtomicFile.write(data, to: path) }
            return .nil_
          }
          throw a.typeError("x", expected: "search result, supernet, genotype or plain value", got: v)
        }
        guard let json = a.interpreter.lookup("to_json"), json.isCallable else {
          throw LangError(.internal, "save(): to_json is not available")
        }
        let text = try a.interpreter.call(json, [v])
        guard case .string(let s) = text else { throw LangError(.internal, "save(): to_json returned \(text.typeName)") }
        do { try s.write(toFile: path, atomically: true, encoding: .utf8) } catch {
          throw LangError(.io, "save(path:): cannot write '\(path)': \(error.localizedDescription)")
        }
        return .nil_
      },
      BuiltinFunction("load_net", "path: string, hw = nil",
                      "Reads a network file written by save(): the same architecture with the saved weights, alphas and batch-norm statistics (identical logits); hw prices it (default: the default systolic array).") { a in
        let path = try a.string("path")
        let hw = try optionalHardware(a)
        let net = try Engine.run("load_net") { try NetworkFile.read(from: path).build(source: path) }
        return .object(SupernetObject(net, hardware: hw ?? defaultHardware(), interpreter: a.interpreter))
      },
      BuiltinFunction("load_arch", "net, path: string",
                      "Restores a supernet's alphas from an arch-state JSON file written by save().") { a in
        let net = try a.object("net", as: SupernetObject.self, expected: "supernet")
        let path = try a.string("path")
        try Engine.run("load_arch") {
          let state = try ArchState.read(from: path)
          try state.apply(to: net.net)
        }
        return .nil_
      },
    ])

  // MARK: Helpers

  static func defaultHardware() -> HardwareObject {
    let cfg = HardwareConfig()
    return HardwareObject(kind: "systolic", config: cfg, model: SystolicModel(config: cfg),
                          exactModel: SystolicModel(config: cfg, ceiling: .exact), ceiling: CeilingKind.corrected(temperature: 32).description)
  }

  /// `hw:`: a hardware model, or a uboost function `fn(layer) => {latency, util}` (see `ScriptCost`).
  static func optionalHardware(_ a: Arguments) throws -> HardwareObject? {
    guard let v = a.optionalValue("hw"), !v.isNil else { return nil }
    if v.isCallable { return HardwareObject.function(v, interpreter: a.interpreter) }
    return try a.object("hw", as: HardwareObject.self, expected: "hardware model (systolic(...), flops(...), ...) or cost function fn(layer) => {latency, util}")
  }

  static func optionalLoss(_ a: Arguments) throws -> Value? {
    guard let v = a.optionalValue("loss"), !v.isNil else { return nil }
    return try a.callable("loss")
  }

  /// The tunable options shared by search and channel_search (defaults: the engine's).
  static var searchOptions: String {
    let c = SearchConfig()
    return "lr: number = \(c.weightLR), alpha_lr: number = \(c.archLR), split: number = \(c.weightVsArch), " +
      "tau_decay: number = \(c.tauDecay), tau_min: number = \(c.tauMin), lat_coef: number = \(c.latCoef), " +
      "util_coef: number = \(c.utilCoef), clip: number = \(c.gradClip), warmup: int = 0, beta_decay: number = 0, " +
      "aux_skip: bool = false, relax: string = \"gumbel\", zero_one: number = \(c.zeroOneCoef), max_identity = nil, dir = nil, verbose: bool = false"
  }

  static func settings(_ a: Arguments) throws -> ScriptSearchSettings {
    let name = a.function.name
    let epochs = try a.int("epochs")
    guard epochs >= 0, epochs <= 10_000 else { throw LangError(.value, "\(name)(epochs:): must be in 0...10000, got \(epochs)") }
    let split = try a.number("split")
    guard split >= 0, split <= 1 else { throw LangError(.value, "\(name)(split:): must be in [0, 1], got \(Value.formatNumber(split))") }
    let lr = try a.number("lr"), alr = try a.number("alpha_lr")
    guard lr > 0, alr >= 0, lr.isFinite, alr.isFinite else {
      throw LangError(.value, "\(name)(): lr must be positive and alpha_lr non-negative")
    }
    let decay = try a.number("tau_decay"), tmin = try a.number("tau_min")
    guard decay > 0, decay <= 1, tmin > 0 else { throw LangError(.value, "\(name)(): tau_decay must be in (0, 1] and tau_min > 0") }
    let lat = try a.number("lat_coef"), util = try a.number("util_coef")
    guard lat.isFinite, util.isFinite else { throw LangError(.value, "\(name)(): lat_coef and util_coef must be finite") }
    let clip = try a.number("clip")
    guard clip >= 0, clip.isFinite else { throw LangError(.value, "\(name)(clip:): must be >= 0 (0 = no clipping), got \(Value.formatNumber(clip))") }
    let warmup = try a.int("warmup")
    guard warmup >= 0, warmup <= epochs else { throw LangError(.value, "\(name)(warmup:): must be in 0...epochs (\(epochs)), got \(warmup)") }
    let beta = try a.number("beta_decay"), zeroOne = try a.number("zero_one")
    guard beta >= 0, beta.isFinite, zeroOne >= 0, zeroOne.isFinite else {
      throw LangError(.value, "\(name)(): beta_decay and zero_one must be finite and >= 0")
    }
    let relax = try a.string("relax")
    guard let relaxation = ArchRelaxation(rawValue: relax) else {
      throw LangError(.value, "\(name)(relax:): expected \"gumbel\" or \"sigmoid\", got \"\(relax)\"")
    }
    return ScriptSearchSettings(epochs: epochs, weightLR: Float(lr), archLR: Float(alr), split: split, tauDecay: Float(decay),
                                tauMin: Float(tmin), latCoef: Float(lat), utilCoef: Float(util), gradClip: Float(clip),
                                warmupEpochs: warmup, betaDecay: Float(beta), auxSkip: try a.bool("aux_skip"),
                                relaxation: relaxation, zeroOneCoef: Float(zeroOne),
                                outputDir: try a.optionalString("dir"), verbose: try a.bool("verbose"))
  }

  static func optionalDataset(_ a: Arguments, _ name: String) throws -> DatasetObject? {
    guard let v = a.optionalValue(name), !v.isNil else { return nil }
    return try a.object(name, as: DatasetObject.self, expected: "dataset")
  }

  static func inputShape(_ a: Arguments) throws -> InputShape {
    guard let v = a.optionalValue("input"), !v.isNil else { return .fashionMNIST }
    if case .object(let o) = v, let d = o as? DatasetObject { return d.dataset.shape }
    if case .string(let s) = v {
      switch s {
      case "fashion-mnist": return .fashionMNIST
      case "cifar10", "cifar-10": return .cifar
      default: throw LangError(.value, "supernet(input:): unknown input '\(s)' (fashion-mnist, cifar10, a dataset or [c, h, w])")
      }
    }
    let dims = try a.intList("input")
    guard dims.count == 3, dims.allSatisfy({ $0 >= 1 && $0 <= 4096 }) else {
      throw LangError(.value, "supernet(input:): expected [channels, height, width] of positive sizes, got \(v.repr)")
    }
    return InputShape(height: dims[1], width: dims[2], channels: dims[0])
  }

  static func channelChoices(_ a: Arguments) throws -> ChannelChoices {
    let v = try a.value("channels")
    switch v {
    case .nil_:
      return .reference
    case .range(let r):
      let stop = r.inclusive ? r.end : r.end - r.step
      guard r.start == r.start.rounded(), stop == stop.rounded(), r.step == r.step.rounded(), abs(r.start) < 1e6, abs(stop) < 1e6, r.step < 1e6 else {
        throw LangError(.value, "channel_search(channels:): the range must have integer bounds and step")
      }
      return try Engine.run("channel_search") { try ChannelChoices(start: Int(r.start), stop: Int(stop), step: Int(r.step)) }
    case .list:
      let xs = try a.intList("channels")
      guard xs.count >= 2 else { throw LangError(.value, "channel_search(channels:): need at least two widths") }
      let step = xs[1] - xs[0]
      guard step > 0, zip(xs, xs.dropFirst()).allSatisfy({ $1 - $0 == step }) else {
        throw LangError(.value, "channel_search(channels:): widths must be evenly spaced (use a range: 64...280 step 8)")
      }
      return try Engine.run("channel_search") { try ChannelChoices(start: xs[0], stop: xs[xs.count - 1], step: step) }
    default:
      throw a.typeError("channels", expected: "range (64...280 step 8)", got: v)
    }
  }

  /// The supernet and genotype behind a search result (or a supernet).
  static func searchSource(_ a: Arguments, _ name: String) throws -> (SupernetObject, Genotype) {
    let v = try a.value(name)
    let net: SupernetObject
    switch v {
    case .object(let o as SearchResultObject): net = o.supernet
    case .object(let o as SupernetObject): net = o
    default: throw a.typeError(name, expected: "search result (search(...) or channel_search(...))", got: v)
    }
    let g = try Engine.run(a.function.name) { try net.net.genotype }
    return (net, g)
  }
}

extension NASLibrary {
  /// A supernet argument given as a network or a search result.
  static func supernetArgument(_ a: Arguments, _ name: String) throws -> SupernetObject {
    if case .object(let o) = try a.value(name) {
      if let n = o as? SupernetObject { return n }
      if let r = o as? SearchResultObject { return r.supernet }
    }
    throw a.typeError(name, expected: "network or search result", got: try a.value(name))
  }

  static func layerRecord(_ l: ArchLayer) -> Value {
    .record([("cell", .number(Double(l.cell))), ("edge", .string(l.edge)), ("kind", .string(l.kind.rawValue)),
             ("k", .number(Double(l.k))), ("cin", .number(Double(l.cin))), ("cout", .number(Double(l.cout))),
             ("stride", .number(Double(l.stride))), ("dilation", .number(Double(l.dilation))), ("groups", .number(Double(l.groups))),
             ("in_hw", .list(l.inHW.map { .number(Double($0)) })), ("out_hw", .list(l.outHW.map { .number(Double($0)) }))])
  }
}
