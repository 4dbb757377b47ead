import Foundation
import UBoostLang
import UBoostTensor

// MARK: - Values <-> tensors

enum TensorConvert {
  /// Largest nesting depth accepted when building a tensor from lists.
  static let maxRank = 8

  /// A tensor from a number (0-d), a (nested) list of numbers, or a tensor (returned as is).
  static func tensor(from v: Value, function: String, parameter: String) throws -> Tensor {
    switch v {
    case .number(let d): return Tensor(scalar: Float(d))
    case .object(let o):
      if let t = o as? TensorObject { return t.tensor }
      throw LangError(.type, "\(function)(\(parameter):): expected tensor, number or list, got \(v.typeName)")
    case .list, .range:
      var shape: [Int] = []
      var data: [Float] = []
      try flatten(v, depth: 0, shape: &shape, data: &data, function: function)
      return try Engine.run(function) { try Tensor(shape: shape, data: data) }
    case .nil_, .bool, .string, .record, .function, .builtin:
      throw LangError(.type, "\(function)(\(parameter):): expected tensor, number or list, got \(v.typeName)")
    }
  }

  private static func flatten(_ v: Value, depth: Int, shape: inout [Int], data: inout [Float], function: String) throws {
    guard depth <= maxRank else { throw LangError(.value, "\(function)(): lists nested deeper than \(maxRank) levels") }
    let items: [Value]
    switch v {
    case .number(let d):
      guard depth == shape.count else {
        throw LangError(.value, "\(function)(): ragged nested list (a number where a list of length \(shape[depth]) was expected)")
      }
      data.append(Float(d))
      return
    case .list(let l): items = l.items
    case .range(let r):
      guard r.count <= 100_000_000 else { throw LangError(.limit, "\(function)(): range too long") }
      items = try r.materialize()
    case .object(let o):
      if let t = o as? TensorObject {
        // A tensor inside a list contributes its elements and its shape.
        let ts = t.tensor
        if depth == shape.count { shape += ts.shape } else {
          guard Array(shape[depth...]) == ts.shape else {
            throw LangError(.value, "\(function)(): ragged nested list (a tensor of shape \(ts.shape) where \(Array(shape[depth...])) was expected)")
          }
        }
        data += ts.data
        return
      }
      throw LangError(.type, "\(function)(): tensors are built from numbers, got \(v.typeName)")
    case .nil_, .bool, .string, .record, .function, .builtin:
      throw LangError(.type, "\(function)(): tensors are built from numbers, got \(v.typeName)")
    }
    if depth == shape.count {
      shape.append(items.count)
    } else if depth > shape.count || shape[depth] != items.count {
      throw LangError(.value, "\(function)(): ragged nested list (rows of length \(depth < shape.count ? shape[depth] : 0) and \(items.count))")
    }
    for x in items { try flatten(x, depth: depth + 1, shape: &shape, data: &data, function: function) }
  }

  /// A shape from a list of non-negative integers (or a single integer).
  static func shape(from v: Value, function: String, parameter: String) throws -> [Int] {
    let items: [Value]
    switch v {
    case .number: items = [v]
    case .list(let l): items = l.items
    case .object(let o):
      if let t = o as? TensorObject { items = t.tensor.data.map { .number(Double($0)) } } else { fallthrough }
    default:
      throw LangError(.type, "\(function)(\(parameter):): expected a shape (list of integers), got \(v.typeName)")
    }
    guard items.count <= maxRank else { throw LangError(.value, "\(function)(\(parameter):): at most \(maxRank) dimensions") }
    return try items.map { x in
      guard case .number(let d) = x, d == d.rounded(), d >= -1, d < 1e9 else {
        throw LangError(.value, "\(function)(\(parameter):): shape entries must be non-negative integers, got \(x.repr)")
      }
      return Int(d)
    }
  }

  /// Nested lists of numbers with the tensor's shape (a number for a 0-d tensor).
  static func nested(_ t: Tensor) -> Value {
    if t.shape.isEmpty { return .number(Double(t.data.first ?? 0)) }
    var pos = 0
    func build(_ dim: Int) -> Value {
      if dim == t.shape.count - 1 {
        var out: [Value] = []
        out.reserveCapacity(t.shape[dim])
        for _ in 0..<t.shape[dim] { out.append(.number(Double(t.data[pos]))); pos += 1 }
        return .list(out)
      }
      return .list((0..<t.shape[dim]).map { _ in build(dim + 1) })
    }
    return build(0)
  }

  /// Integer class labels from a tensor or list of integral numbers.
  static func labels(from v: Value, function: String, parameter: String) throws -> [Int] {
    let values: [Double]
    switch v {
    case .object(let o):
      guard let t = o as? TensorObject else {
        throw LangError(.type, "\(function)(\(parameter):): expected labels (tensor or list of integers), got \(v.typeName)")
      }
      values = t.tensor.data.map(Double.init)
    case .list(let l):
      values = try l.items.map { x in
        guard case .number(let d) = x else {
          throw LangError(.type, "\(function)(\(parameter):): labels must be numbers, got \(x.typeName)")
        }
        return d
      }
    default:
      throw LangError(.type, "\(function)(\(parameter):): expected labels (tensor or list of integers), got \(v.typeName)")
    }
    return try values.map { d in
      guard d == d.rounded(), d >= 0, d < 1e9 else {
        throw LangError(.value, "\(function)(\(parameter):): labels must be non-negative integers, got \(Value.formatNumber(d))")
      }
      return Int(d)
    }
  }

  /// Formats a Float compactly: integral values without a fraction.
  static func format(_ x: Float) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    if x == x.rounded(), Swift.abs(x) < 1e7 { return String(Int(x)) }
    // Six significant digits, like NumPy's default print precision for float32.
    var s = String(format: "%.6g", Double(x))
    if s.contains("."), !s.contains("e") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    return s
  }
}

// MARK: - Argument helpers

extension Arguments {
  /// A tensor argument; numbers and nested lists are converted.
  func tensor(_ name: String) throws -> Tensor {
    try TensorConvert.tensor(from: try value(name), function: function.name, parameter: name)
  }

  /// An optional tensor argument (nil when absent or nil).
  func optionalTensor(_ name: String) throws -> Tensor? {
    guard let v = optionalValue(name), !v.isNil else { return nil }
    return try TensorConvert.tensor(from: v, function: function.name, parameter: name)
  }

  /// A shape argument.
  func shape(_ name: String) throws -> [Int] {
    try TensorConvert.shape(from: try value(name), function: function.name, parameter: name)
  }

  /// An optional number (nil when absent or nil).
  func optionalNumber(_ name: String) throws -> Double? {
    guard let v = optionalValue(name), !v.isNil else { return nil }
    guard case .number(let d) = v else { throw typeError(name, expected: "number", got: v) }
    return d
  }

  /// An optional integer (nil when absent or nil).
  func optionalInt(_ name: String) throws -> Int? {
    guard let v = optionalValue(name), !v.isNil else { return nil }
    return try int(name)
  }

  /// An optional string (nil when absent or nil).
  func optionalString(_ name: String) throws -> String? {
    guard let v = optionalValue(name), !v.isNil else { return nil }
    return try string(name)
  }

  /// A positive integer.
  func positiveInt(_ name: String) throws -> Int {
    let n = try int(name)
    guard n >= 1 else { throw LangError(.value, "\(function.name)(\(name):): expected a positive integer, got \(n)") }
    return n
  }

  /// A host object of type `T` (`expected` names it in the error).
  func object<T: HostObject>(_ name: String, as: T.Type, expected: String) throws -> T {
    let v = try value(name)
    guard case .object(let o) = v, let t = o as? T else { throw typeError(name, expected: expected, got: v) }
    return t
  }

  /// A list of integers.
  func intList(_ name: String) throws -> [Int] {
    let items = try sequence(name)
    return try items.map { x in
      guard case .number(let d) = x, d == d.rounded(), abs(d) < 1e9 else {
        throw LangError(.type, "\(function.name)(\(name):): expected a list of integers, got an element \(x.repr)")
      }
      return Int(d)
    }
  }
}
