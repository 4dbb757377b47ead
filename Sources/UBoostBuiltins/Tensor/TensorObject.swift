import Foundation
import UBoostLang
import UBoostTensor

// MARK: - Tensor as a script value

/// A `Tensor` seen from scripts: `x.shape`, `x.grad`, `x.requires_grad`, methods (`x.sum()`,
/// `x.reshape([3, 2])`, `x.T`, `x.item()`, `x.tolist()`, ...), arithmetic with numbers and
/// tensors (`+ - * / **`, `@` for matmul), indexing `x[0]`, slicing `x[1:3]`, and iteration
/// over the first axis.
///
/// ```
/// let w = tensor([[1, 2], [3, 4]])
/// print(w.shape, w.T @ w, w[0].tolist())
/// ```
public final class TensorObject: HostObject {
  /// The wrapped engine tensor.
  public let tensor: Tensor
  /// Optional labels of the rows / columns of a 2-D tensor (used by `plot` for heat maps).
  public var rowLabels: [String]?
  public var columnLabels: [String]?
  /// Set when this value is a copy of another tensor's part (`x[i]`, `x[1:3]`, `x.T`, `x.grad`):
  /// index assignment into it would change nothing the script can see, so it is refused with
  /// this description of where it came from (`detach(y)` makes an editable tensor).
  var copyOf: String?

  public init(_ tensor: Tensor, rowLabels: [String]? = nil, columnLabels: [String]? = nil) {
    self.tensor = tensor
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
  }

  /// The script value wrapping `t`.
  public static func value(_ t: Tensor) -> Value { .object(TensorObject(t)) }

  public var typeName: String { "Tensor[" + tensor.shape.map(String.init).joined(separator: ",") + "]" }

  // MARK: Fields and methods

  static let fields = ["shape", "grad", "requires_grad", "rank", "size", "T", "is_leaf", "name"]

  public var fieldNames: [String] { TensorObject.fields + TensorObject.methodTable.keys.sorted() }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "shape": return .list(tensor.shape.map { .number(Double($0)) })
    case "grad": return tensor.grad.map { TensorObject.copy($0, of: "x.grad") } ?? .nil_
    case "requires_grad": return .bool(tensor.requiresGrad)
    case "rank": return .number(Double(tensor.rank))
    case "size": return .number(Double(tensor.count))
    case "T": return TensorObject.copy(try Engine.run("T") { try transposeLast(tensor) }, of: "x.T")
    case "is_leaf": return .bool(tensor.isLeaf)
    case "name": return tensor.name.map(Value.string) ?? .nil_
    default: return nil
    }
  }

  public func setField(_ name: String, _ value: Value) throws {
    switch name {
    case "requires_grad":
      guard case .bool(let b) = value else { throw LangError(.type, "requires_grad must be a bool, got \(value.typeName)") }
      guard tensor.isLeaf else { throw LangError(.value, "requires_grad can only be set on a leaf tensor (use detach(x) first)") }
      tensor.trainable(b)
    case "name":
      guard case .string(let s) = value else { throw LangError(.type, "name must be a string, got \(value.typeName)") }
      tensor.name = s
    default:
      throw LangError(.type, "cannot set field '\(name)' of \(typeName) (settable: requires_grad, name)")
    }
  }

  public func method(_ name: String) -> BuiltinFunction? {
    guard let make = TensorObject.methodTable[name] else { return nil }
    return make(self)
  }

  /// Methods bound to a receiver: `x.sum(axis: 0)` is `sum(x, axis: 0)`.
  static let methodTable: [String: (TensorObject) -> BuiltinFunction] = {
    var table: [String: (TensorObject) -> BuiltinFunction] = [:]
    func forward(_ name: String, to library: String? = nil) {
      table[name] = { obj in
        let target = TensorLibrary.function(library ?? name)
        return BuiltinFunction(name, target?.signatureText.droppingFirstParameter ?? "...args",
                               target?.doc ?? "") { a in
          guard let f = target else { throw LangError(.internal, "tensor method \(name) has no implementation") }
          var named = a.named
          // Re-bind: the receiver becomes the first positional argument.
          if let first = f.params.first?.name { named[first] = nil }
          return try f.invoke(Arguments(function: f, positional: [.object(obj)] + a.positional, named: named,
                                        interpreter: a.interpreter))
        }
      }
    }
    for n in ["sum", "mean", "max", "min", "argmax", "reshape", "transpose", "item", "tolist", "detach", "exp",
              "log", "sqrt", "abs", "relu", "sigmoid", "tanh", "pow", "clamp", "softmax", "log_softmax", "flatten",
              "backward", "zero_grad", "numel", "matmul", "square"] {
      forward(n)
    }
    return table
  }()

  // MARK: Operators

  public func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? {
    let fname = "'\(op.rawValue)'"
    switch op {
    case .eq, .ne:
      // Equality of tensors is value equality of shape and data (not differentiable).
      let same: Bool
      if case .object(let o) = other, let t = o as? TensorObject {
        same = t.tensor.shape == tensor.shape && t.tensor.data == tensor.data
      } else if case .number(let d) = other, tensor.count == 1 {
        same = Double(tensor.data[0]) == d
      } else {
        same = false
      }
      return .bool(op == .eq ? same : !same)
    case .lt, .le, .gt, .ge:
      // Comparisons only for one-element tensors: they are conditions, not masks.
      guard tensor.count == 1 else {
        throw LangError(.type, "cannot compare \(typeName) with '\(op.rawValue)' (only one-element tensors compare; use x.item())")
      }
      let x = Double(tensor.data[0])
      let y: Double
      switch other {
      case .number(let d): y = d
      case .object(let o):
        guard let t = o as? TensorObject, t.tensor.count == 1 else { return nil }
        y = Double(t.tensor.data[0])
      default: return nil
      }
      let (a, b) = selfOnLeft ? (x, y) : (y, x)
      switch op {
      case .lt: return .bool(a < b)
      case .le: return .bool(a <= b)
      case .gt: return .bool(a > b)
      default: return .bool(a >= b)
      }
    case .add, .sub, .mul, .div, .pow, .matmul, .mod:
      break
    }
    let otherTensor: Tensor
    switch other {
    case .number(let d):
      let s = Float(d)
      return try Engine.run(fname) { () -> Value in
        switch op {
        case .add: return TensorObject.value(try tensor + s)
        case .sub: return TensorObject.value(selfOnLeft ? try tensor - s : try s - tensor)
        case .mul: return TensorObject.value(try tensor * s)
        case .div: return TensorObject.value(selfOnLeft ? try tensor / s : try s / tensor)
        case .pow:
          if selfOnLeft { return TensorObject.value(tensor.pow(s)) }
          // s ** x = exp(x * ln s)
          guard s > 0 else { throw LangError(.value, "number ** tensor needs a positive base, got \(d)") }
          return TensorObject.value(try (tensor * Float(Foundation.log(d))).exp())
        case .matmul:
          throw LangError(.type, "'@' needs two tensors, got \(selfOnLeft ? typeName : "number") and \(selfOnLeft ? "number" : typeName)")
        case .mod:
          throw LangError(.type, "'%' is not defined for tensors")
        case .eq, .ne, .lt, .le, .gt, .ge:
          return .nil_
        }
      }
    case .object(let o):
      guard let t = o as? TensorObject else { return nil }
      otherTensor = t.tensor
    case .list:
      otherTensor = try TensorConvert.tensor(from: other, function: fname, parameter: "rhs")
    default:
      return nil
    }
    let (a, b) = selfOnLeft ? (tensor, otherTensor) : (otherTensor, tensor)
    return try Engine.run(op == .matmul ? "matmul" : fname) { () -> Value in
      switch op {
      case .add: return TensorObject.value(try a + b)
      case .sub: return TensorObject.value(try a - b)
      case .mul: return TensorObject.value(try a * b)
      case .div: return TensorObject.value(try a / b)
      case .matmul: return TensorObject.value(try TensorMath.matmulAny(a, b))
      case .pow:
        // a ** b = exp(b * log a) (a > 0); a one-element exponent without grad uses pow.
        if b.count == 1 && !b.requiresGrad { return TensorObject.value(a.pow(b.data[0])) }
        return TensorObject.value(try (a.log() * b).exp())
      case .mod: throw LangError(.type, "'%' is not defined for tensors")
      case .eq, .ne, .lt, .le, .gt, .ge: return .nil_
      }
    }
  }

  public func unary(_ op: UnaryOp) throws -> Value? {
    switch op {
    case .neg: return TensorObject.value(try Engine.run("-") { try -tensor })
    case .not: return nil
    }
  }

  // MARK: Indexing

  public func index(_ key: Value) throws -> Value? {
    let part = try TensorIndexing.index(tensor, key)
    // A whole-tensor slice `x[:]` may come back as the tensor itself: then it is no copy.
    return part === tensor ? .object(self) : TensorObject.copy(part, of: "x[...]")
  }

  /// `x[i] = v`, `x[i, j] = v`, `x[:, 1] = v`, `x[0] += 1`: in place (TensorIndexing.write).
  public func setIndex(_ key: Value, _ value: Value) throws {
    if let origin = copyOf {
      throw LangError(.value, "cannot write into \(origin): it is a copy, so the write would change nothing else; index the tensor itself (x[i, j] = v rather than x[i][j] = v), or edit a copy made with detach()")
    }
    try TensorIndexing.write(tensor, key, value)
  }

  /// A tensor value marked as a copy of part of another (see `copyOf`).
  static func copy(_ t: Tensor, of origin: String) -> Value {
    let o = TensorObject(t)
    o.copyOf = origin
    return .object(o)
  }

  public func iterate() throws -> [Value]? {
    guard let n = tensor.shape.first else { return [TensorObject.value(tensor)] }
    return try (0..<n).map { i in TensorObject.copy(try Engine.run("iterate") { try tensor.select(axis: 0, index: i) }, of: "a row of x (for row in x)") }
  }

  public func length() -> Int? { tensor.shape.first }

  public func truthy() -> Bool? { tensor.count == 1 ? tensor.data[0] != 0 : nil }

  /// `sum(x)`, `mean(x)`, `exp(x)`, `max(0, x)`, ...: the tensor library's overloads of the
  /// language's functions (the dispatch rule picks them when a tensor is the receiver).
  public func overload(_ name: String) -> BuiltinFunction? { TensorLibrary.overloadTable[name] }

  // MARK: Printing

  public func describe(width: Int) -> String { TensorFormat.describe(tensor, width: width) }
}

extension String {
  /// `x, axis: int = 0` -> `axis: int = 0` (signature of a method whose receiver is bound).
  var droppingFirstParameter: String {
    var depth = 0
    var inString = false
    for (i, c) in enumerated() {
      if c == "\"" { inString.toggle() }
      if inString { continue }
      if c == "[" || c == "{" || c == "(" { depth += 1 }
      if c == "]" || c == "}" || c == ")" { depth -= 1 }
      if c == ",", depth == 0 {
        return String(dropFirst(i + 1)).trimmingCharacters(in: .whitespaces)
      }
    }
    return ""
  }
}
