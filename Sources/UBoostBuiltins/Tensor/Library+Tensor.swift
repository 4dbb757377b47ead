import Foundation
import UBoostLang
import UBoostTensor

// MARK: - The tensor library
//
// Creation, shape ops, reductions and autodiff. Names the language already defines (the core
// `exp`, `log`, `sqrt`, `abs`, `relu`, `sigmoid`, `tanh`, `ceil`, `floor`, `round`, `pow`,
// `clamp`, `sum`, `max`, `min`; the stdlib's `mean`, `argmax`, `flatten`, `softmax`) are never
// re-registered: the tensor versions are the library's `overloads`, which a tensor receiver
// picks by the one dispatch rule (`TensorObject.overload`, see UBoostLang's `Dispatch`).

enum TensorLibrary {
  typealias Body = (Arguments) throws -> Value

  static let library = BuiltinLibrary(
    name: "tensor",
    doc: "Tensors (Float32, row-major) and reverse-mode gradients. Arithmetic `+ - * / **` works between tensors (broadcasting) and numbers, `@` is the matrix product, `x[i]`/`x[a:b]` index and slice the first axis, `x[i, j]`, `x[:, 1]`, `x[1:3, -1]` several axes (differentiable reads); `x[i, j] = v`, `x[:, 1] = t`, `x[0] += 1` write in place (not into results of recorded ops or into copies such as `x[i]`, `x.T`, `x.grad`; docs/language.md). The core math functions `exp log sqrt abs relu sigmoid tanh ceil floor round pow clamp` also accept tensors (elementwise, differentiable; `ceil`/`floor`/`round` have zero gradient). Tensor fields: `shape grad requires_grad rank size T is_leaf name`; methods: `x.sum() x.mean() x.max() x.min() x.argmax() x.reshape(s) x.transpose() x.item() x.tolist() x.detach() x.exp() x.log() x.sqrt() x.abs() x.relu() x.sigmoid() x.tanh() x.pow(p) x.square() x.clamp(lo:, hi:) x.softmax() x.log_softmax() x.flatten() x.backward() x.zero_grad() x.numel() x.matmul(y)`.",
    entries: entries, overloads: overloads, overloadReceiver: "a tensor")

  static var entries: [BuiltinFunction] {
    [
      BuiltinFunction("tensor", "data, requires_grad: bool = false",
                      "A tensor from a number, a (nested) list of numbers or a tensor (copied): tensor([[1, 2], [3, 4]]).") { a in
        let t = try a.tensor("data")
        let out = try Engine.run("tensor") { try Tensor(shape: t.shape, data: t.data) }
        if try a.bool("requires_grad") { out.trainable() }
        return TensorObject.value(out)
      },
      BuiltinFunction("zeros", "shape", "A tensor of zeros: zeros([2, 3]).") { a in
        let s = try a.shape("shape")
        return TensorObject.value(try Engine.run("zeros") { try Tensor.zeros(s) })
      },
      BuiltinFunction("ones", "shape", "A tensor of ones: ones([3]).") { a in
        let s = try a.shape("shape")
        return TensorObject.value(try Engine.run("ones") { try Tensor.ones(s) })
      },
      BuiltinFunction("full", "shape, value: number", "A tensor filled with value: full([2, 2], 7).") { a in
        let s = try a.shape("shape")
        let v = Float(try a.number("value"))
        return TensorObject.value(try Engine.run("full") { try Tensor.full(s, v) })
      },
      BuiltinFunction("randn", "shape, seed = nil, mean: number = 0, std: number = 1",
                      "Normal random tensor; seed: makes it reproducible: randn([2, 3], seed: 7).") { a in
        let s = try a.shape("shape")
        var rng = try randomSource(a)
        let m = Float(try a.number("mean")), sd = Float(try a.number("std"))
        return TensorObject.value(try Engine.run("randn") { try Tensor.randn(s, mean: m, std: sd, rng: &rng) })
      },
      BuiltinFunction("rand", "shape, seed = nil, lo: number = 0, hi: number = 1",
                      "Uniform random tensor in [lo, hi): rand([4], seed: 1).") { a in
        let s = try a.shape("shape")
        var rng = try randomSource(a)
        let lo = Float(try a.number("lo")), hi = Float(try a.number("hi"))
        return TensorObject.value(try Engine.run("rand") { try Tensor.rand(s, lo: lo, hi: hi, rng: &rng) })
      },
      BuiltinFunction("arange", "start: number, end = nil, step: number = 1",
                      "1-D tensor start, start+step, ... below end (arange(n) is 0..<n).") { a in
        var lo = try a.number("start")
        var hi: Double
        if let e = try a.optionalNumber("end") { hi = e } else { hi = lo; lo = 0 }
        let st = try a.number("step")
        let r = try RangeValue(start: lo, end: hi, step: st, inclusive: false)
        guard r.count <= 100_000_000 else { throw LangError(.limit, "arange(): too many elements") }
        return TensorObject.value(try Engine.run("arange") { try Tensor(shape: [r.count], data: (0..<r.count).map { Float(r.element($0)) }) })
      },
      BuiltinFunction("eye", "n: int", "The n x n identity matrix.") { a in
        let n = try a.int("n")
        guard n >= 0, n <= 16384 else { throw LangError(.value, "eye(n:): expected 0...16384, got \(n)") }
        var d = [Float](repeating: 0, count: n * n)
        for i in 0..<n { d[i * n + i] = 1 }
        return TensorObject.value(try Engine.run("eye") { try Tensor(shape: [n, n], data: d) })
      },
      BuiltinFunction("param", "x",
                      "A trainable leaf (a copy of x): backward(loss) fills its .grad; p = param(zeros([10])).") { a in
        let t = try a.tensor("x")
        let p = try Engine.run("param") { try Tensor(shape: t.shape, data: t.data) }
        return TensorObject.value(p.trainable())
      },
      BuiltinFunction("detach", "x", "A constant copy of x that is cut from the gradient tape.") { a in
        TensorObject.value(try a.tensor("x").detached())
      },
      BuiltinFunction("is_tensor", "x", "Whether x is a tensor.") { a in
        if case .object(let o) = try a.value("x"), o is TensorObject { return .bool(true) }
        return .bool(false)
      },
      BuiltinFunction("reshape", "x, shape", "The same values with a new shape (one entry may be -1).") { a in
        let t = try a.tensor("x")
        let s = try a.shape("shape")
        return TensorObject.value(try Engine.run("reshape") { try t.reshaped(s) })
      },
      BuiltinFunction("transpose", "x, axes = nil", "Swaps the last two axes, or permutes by axes: transpose(x, [2, 0, 1]).") { a in
        let t = try a.tensor("x")
        if let v = a.optionalValue("axes"), !v.isNil {
          let axes = try a.intList("axes")
          return TensorObject.value(try Engine.run("transpose") { try t.permuted(axes) })
        }
        return TensorObject.value(try Engine.run("transpose") { try TensorMath.transposeLast(t) })
      },
      BuiltinFunction("matmul", "a, b", "Matrix product (same as a @ b); vectors are promoted.") { a in
        let x = try a.tensor("a"), y = try a.tensor("b")
        return TensorObject.value(try Engine.run("matmul") { try TensorMath.matmulAny(x, y) })
      },
      BuiltinFunction("concat", "xs, axis: int = 0", "Joins tensors along an existing axis.") { a in
        let ts = try tensorList(a, "xs")
        let ax = try a.int("axis")
        return TensorObject.value(try Engine.run("concat") { try Tensor.concat(ts, axis: ax) })
      },
      BuiltinFunction("stack", "xs, axis: int = 0", "Stacks equally shaped tensors along a new axis.") { a in
        let ts = try tensorList(a, "xs")
        let ax = try a.int("axis")
        return TensorObject.value(try Engine.run("stack") { try Tensor.stack(ts, axis: ax) })
      },
      BuiltinFunction("log_softmax", "x, axis: int = -1", "Log of the softmax along axis, computed stably.") { a in
        let t = try a.tensor("x")
        let ax = try a.int("axis")
        return TensorObject.value(try Engine.run("log_softmax") { try logSoftmax(t, axis: ax) })
      },
      BuiltinFunction("item", "x", "The number in a one-element tensor.") { a in
        let t = try a.tensor("x")
        return .number(Double(try Engine.run("item") { try t.item() }))
      },
      BuiltinFunction("tolist", "x", "The values as nested lists (a number for a 0-d tensor).") { a in
        TensorConvert.nested(try a.tensor("x"))
      },
      BuiltinFunction("numel", "x", "Number of elements of a tensor.") { a in
        .number(Double(try a.tensor("x").count))
      },
      BuiltinFunction("grad", "f: function, x",
                      "Derivative of f at x: a number for a number x (grad(smooth_ceil, 1.05)), a tensor of x's shape for a tensor x. f must return a one-element value.") { a in
        try Autodiff.grad(a)
      },
      BuiltinFunction("backward", "loss",
                      "Back-propagates a one-element tensor: every param() it depends on gets .grad (accumulated).") { a in
        let t = try a.tensor("loss")
        guard t.count == 1 else {
          throw LangError(.value, "backward(loss:): needs a one-element tensor, got shape \(t.shape)")
        }
        try Engine.run("backward") { try t.backward() }
        return .nil_
      },
      BuiltinFunction("zero_grad", "params", "Clears .grad of a tensor or a list of tensors.") { a in
        for t in try paramList(a, "params") { t.zeroGrad() }
        return .nil_
      },
      BuiltinFunction("no_grad", "f: function", "Calls f() without recording gradients (evaluation).") { a in
        let f = try a.callable("f")
        let saved = GradMode.isEnabled
        GradMode.isEnabled = false
        defer { GradMode.isEnabled = saved }
        return try a.interpreter.call(f, [])
      },
      BuiltinFunction("frozen", "params, f: function",
                      "Calls f() with params (trainable leaves) held constant while it runs: a backward inside f computes no gradient for them (their .grad stays as it was; the convs skip their weight-gradient products), and an op inside f that reads only frozen tensors and constants is not recorded. How a bilevel loop keeps an alpha step from computing weight gradients: frozen(net.weights, fn() => adam_step(net.alphas, loss(net.forward(x), y))).") { a in
        let params = try TensorLibrary.paramList(a, "params")
        for (i, p) in params.enumerated() where !p.isLeaf {
          throw LangError(.value, "frozen(params:): tensor \(i) is the result of a recorded operation, not a leaf (param(), net.weights, net.alphas)")
        }
        let f = try a.callable("f")
        let saved = params.map(\.requiresGrad)
        for p in params { p.trainable(false, clearingGrad: false) }
        defer { for (p, flag) in zip(params, saved) { p.trainable(flag, clearingGrad: false) } }
        return try a.interpreter.call(f, [])
      },
    ]
  }

  // MARK: Core math on tensors

  /// Tensor versions of the language's math functions, by name.
  static let elementwise: [String: Body] = [
    "exp": unary { $0.exp() }, "sqrt": unary { $0.sqrt() }, "abs": unary { $0.abs() },
    "relu": unary { $0.relu() }, "sigmoid": unary { $0.sigmoid() }, "tanh": unary { $0.tanh() },
    "ceil": unary { TensorMath.pointwise($0, op: "ceil") { ($0.rounded(.up), 0) } },
    "floor": unary { TensorMath.pointwise($0, op: "floor") { ($0.rounded(.down), 0) } },
    "round": unary { TensorMath.pointwise($0, op: "round") { ($0.rounded(), 0) } },
    "log": { a in
      let t = try a.tensor("x")
      let r = t.log()
      if let b = try a.optionalNumber("base") { return TensorObject.value(try Engine.run("log") { try r / Float(Foundation.log(b)) }) }
      return TensorObject.value(r)
    },
    "pow": { a in
      let x = try a.value("x"), y = try a.value("y")
      guard let r = try binaryValue(.pow, x, y) else { throw LangError(.type, "pow(): unsupported operands \(x.typeName) and \(y.typeName)") }
      return r
    },
    "clamp": { a in
      let t = try a.tensor("x")
      let lo = Float(try a.number("lo")), hi = Float(try a.number("hi"))
      return TensorObject.value(try Engine.run("clamp") { try t.clamp(min: lo, max: hi) })
    },
  ]

  /// Signatures of the elementwise versions.
  static let elementwiseSignatures: [String: String] = [
    "exp": "x", "sqrt": "x", "abs": "x", "relu": "x", "sigmoid": "x", "tanh": "x", "ceil": "x", "floor": "x",
    "round": "x", "log": "x, base = nil", "pow": "x, y", "clamp": "x, lo: number = 0, hi: number = 1",
  ]

  static func unary(_ f: @escaping (Tensor) throws -> Tensor) -> Body {
    { a in
      let t = try a.tensor("x")
      return TensorObject.value(try Engine.run(a.function.name) { try f(t) })
    }
  }

  /// What a tensor receiver runs instead of the language's function of the same name: the
  /// reductions, `argmax`, `flatten`, `softmax` and the elementwise math.
  static var overloads: [BuiltinFunction] {
    var out = overloadEntries
    for (n, sig) in elementwiseSignatures.sorted(by: { $0.key < $1.key }) {
      guard let body = elementwise[n] else { continue }
      out.append(BuiltinFunction(n, sig, "Elementwise \(n) of a tensor (differentiable\(["ceil", "floor", "round"].contains(n) ? "; zero gradient" : "")).", body))
    }
    return out
  }

  static var overloadEntries: [BuiltinFunction] {
    [
      BuiltinFunction("flatten", "x, from: int = 0", "Merges the axes from `from` on into one.") { a in
        let t = try a.tensor("x")
        let f = try a.int("from")
        if f == 0 { return TensorObject.value(try Engine.run("flatten") { try t.reshaped([t.count]) }) }
        return TensorObject.value(try Engine.run("flatten") { try t.flatten(from: f) })
      },
      BuiltinFunction("sum", "xs, axis = nil, keepdims: bool = false",
                      "Sum of a tensor (optionally along axis; differentiable).") { a in
        try reduce(a, "sum") { t, axis, keep in
          try axis.map { try t.sum(axis: $0, keepDims: keep) } ?? t.sum()
        }
      },
      BuiltinFunction("mean", "xs, axis = nil, keepdims: bool = false",
                      "Mean of a tensor (optionally along axis; differentiable).") { a in
        try reduce(a, "mean") { t, axis, keep in
          try axis.map { try t.mean(axis: $0, keepDims: keep) } ?? t.mean()
        }
      },
      BuiltinFunction("max", "...values, axis = nil, keepdims: bool = false",
                      "For one tensor its maximum (optionally along axis); for two values (tensors or numbers) the elementwise maximum.") { a in
        try extremum(a, "max", larger: true)
      },
      BuiltinFunction("min", "...values, axis = nil, keepdims: bool = false",
                      "Smallest, as for max: a tensor's minimum or the elementwise minimum of two values.") { a in
        try extremum(a, "min", larger: false)
      },
      BuiltinFunction("argmax", "x, axis = nil", "Index of the largest element (of all, or along axis as a tensor).") { a in
        let t = try a.tensor("x")
        if let ax = try a.optionalInt("axis") {
          return TensorObject.value(try Engine.run("argmax") { try t.argmax(axis: ax) })
        }
        guard t.count > 0 else { throw LangError(.value, "argmax(x:): empty tensor") }
        var best = 0
        for i in 0..<t.count where t.data[i] > t.data[best] { best = i }
        return .number(Double(best))
      },
      BuiltinFunction("softmax", "x, axis: int = -1", "Softmax along axis (default: the last).") { a in
        let t = try a.tensor("x")
        let ax = try a.int("axis")
        return TensorObject.value(try Engine.run("softmax") { try UBoostTensor.softmax(t, axis: ax) })
      },
    ]
  }

  /// The overloads by name (made once; `TensorObject.overload` reads it).
  static let overloadTable: [String: BuiltinFunction] = {
    var d: [String: BuiltinFunction] = [:]
    for f in library.overloads { d[f.name] = f }
    return d
  }()

  /// The implementation behind a tensor method name (library entry or overload).
  static func function(_ name: String) -> BuiltinFunction? { methodFunctions[name] }

  static let methodFunctions: [String: BuiltinFunction] = {
    var d = overloadTable
    for f in library.entries { d[f.name] = f }
    d["square"] = BuiltinFunction("square", "x", "Elementwise square of a tensor.", unary { try $0 * $0 })
    return d
  }()

  // MARK: Helpers

  static func binaryValue(_ op: BinaryOp, _ x: Value, _ y: Value) throws -> Value? {
    if case .object(let o) = x, let r = try o.binary(op, y, selfOnLeft: true) { return r }
    if case .object(let o) = y, let r = try o.binary(op, x, selfOnLeft: false) { return r }
    return nil
  }

  static func randomSource(_ a: Arguments) throws -> RandomSource {
    if let s = try a.optionalInt("seed") { return RandomSource(seed: UInt64(bitPattern: Int64(s))) }
    return RandomSource(seed: UInt64.random(in: 0...UInt64.max))
  }

  static func tensorList(_ a: Arguments, _ name: String) throws -> [Tensor] {
    let items = try a.sequence(name)
    return try items.map { try TensorConvert.tensor(from: $0, function: a.function.name, parameter: name) }
  }

  /// Tensors of a list (or a single tensor) whose gradients matter (parameters).
  static func paramList(_ a: Arguments, _ name: String) throws -> [Tensor] {
    let v = try a.value(name)
    if case .object(let o) = v, let t = o as? TensorObject { return [t.tensor] }
    guard let items = try Interpreter.elements(of: v) else { throw a.typeError(name, expected: "tensor or list of tensors", got: v) }
    return try items.map { x in
      guard case .object(let o) = x, let t = o as? TensorObject else {
        throw a.typeError(name, expected: "list of tensors", got: x)
      }
      return t.tensor
    }
  }

  static func reduce(_ a: Arguments, _ name: String,
                     _ f: (Tensor, Int?, Bool) throws -> Tensor) throws -> Value {
    let v = try a.value("xs")
    guard case .object(let o) = v, let t = o as? TensorObject else {
      guard a.optionalValue("axis")?.isNil ?? true else {
        throw LangError(.argument, "\(name)(axis:): only tensors have axes, got \(v.typeName)")
      }
      // Reached only through a tensor receiver: a tensor came after a non-tensor `xs`.
      throw a.typeError("xs", expected: "tensor", got: v)
    }
    let axis = try a.optionalInt("axis")
    let keep = try a.bool("keepdims")
    return TensorObject.value(try Engine.run(name) { try f(t.tensor, axis, keep) })
  }

  static func extremum(_ a: Arguments, _ name: String, larger: Bool) throws -> Value {
    let vals = a.rest
    let hasTensor = vals.contains { if case .object(let o) = $0, o is TensorObject { return true }; return false }
    let axis = try a.optionalInt("axis")
    let keep = try a.bool("keepdims")
    guard hasTensor else {
      // Reached only through a tensor receiver, so this is not expected to happen.
      throw LangError(.type, "\(name)(): expected tensors, got \(vals.map(\.typeName).joined(separator: ", "))")
    }
    switch vals.count {
    case 1:
      let t = try TensorConvert.tensor(from: vals[0], function: name, parameter: "values")
      return TensorObject.value(try Engine.run(name) { () -> Tensor in
        if larger { return try axis.map { try t.max(axis: $0, keepDims: keep) } ?? t.max() }
        return try TensorMath.minReduce(t, axis: axis, keepDims: keep)
      })
    case 2:
      let x = try TensorConvert.tensor(from: vals[0], function: name, parameter: "values")
      let y = try TensorConvert.tensor(from: vals[1], function: name, parameter: "values")
      return TensorObject.value(try Engine.run(name) {
        larger ? try TensorMath.maximum(x, y) : try TensorMath.minimum(x, y)
      })
    default:
      throw LangError(.argument, "\(name)(): with tensors give one tensor (reduction) or two values (elementwise), got \(vals.count)")
    }
  }
}
