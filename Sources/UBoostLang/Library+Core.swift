import Foundation

// MARK: - Core library: printing, conversion, collections, higher-order functions

/// The builtin libraries of the language core, registered by every `Interpreter`.
public enum CoreLibraries {
  public static var all: [BuiltinLibrary] { [core, math, strings, io] }

  // Shorthand for the tables below.
  typealias B = BuiltinFunction

  public static let core = BuiltinLibrary(name: "core", doc: "Printing, conversion, lists, records and higher-order functions.", entries: [
    B("print", "...values, sep: string = \" \", end: string = \"\\n\"", "Prints values separated by `sep` and followed by `end`.") { a in
      let sep = try a.string("sep")
      let end = try a.string("end")
      a.interpreter.write(a.rest.map { $0.description }.joined(separator: sep) + end)
      return .nil_
    },
    B("repr", "x", "The source-like text of x (strings quoted).") { a in .string(try a.value("x").repr) },
    B("str", "x", "Converts x to a string as print would show it.") { a in .string(try a.value("x").description) },
    B("type", "x", "The type name of x: number, string, bool, nil, list, record, range, function or an engine type.") { a in
      .string(try a.value("x").typeName)
    },
    B("num", "x", "Converts a string, bool or number to a number; errors on malformed text.") { a in
      let x = try a.value("x")
      switch x {
      case .number: return x
      case .bool(let b): return .number(b ? 1 : 0)
      case .string(let s):
        let t = s.trimmingCharacters(in: .whitespaces)
        if let d = Double(t) { return .number(d) }
        switch t {
        case "inf", "+inf": return .number(.infinity)
        case "-inf": return .number(-.infinity)
        case "nan": return .number(.nan)
        default: throw LangError(.value, "num(): cannot convert \"\(s)\" to a number")
        }
      default: throw a.typeError("x", expected: "string, bool or number", got: x)
      }
    },
    B("int", "x: number", "x truncated toward zero.") { a in .number(try a.number("x").rounded(.towardZero)) },
    B("len", "x", "Number of elements of a list, string (characters), record (fields), range or engine value.") { a in
      let x = try a.value("x")
      switch x {
      case .list(let l): return .number(Double(l.items.count))
      case .string(let s): return .number(Double(s.count))
      case .record(let r): return .number(Double(r.count))
      case .range(let r): return .number(Double(r.count))
      case .object(let o):
        if let n = o.length() { return .number(Double(n)) }
        if let items = try o.iterate() { return .number(Double(items.count)) }
        throw LangError(.type, "len(): \(o.typeName) has no length")
      default: throw a.typeError("x", expected: "list, string, record or range", got: x)
      }
    },
    B("range", "start: number, end = nil, step: number = 1", "range(n) is 0..<n; range(a, b, step) is a..<b step step.") { a in
      let s = try a.number("start")
      let e = try a.value("end")
      if case .number(let end) = e { return .range(try RangeValue(start: s, end: end, step: try a.number("step"), inclusive: false)) }
      guard e.isNil else { throw a.typeError("end", expected: "number", got: e) }
      return .range(try RangeValue(start: 0, end: s, step: try a.number("step"), inclusive: false))
    },
    B("step", "from: number, to: number, by: number", "Closed range from, from+by, ... up to and including to (within rounding).") { a in
      .range(try RangeValue(start: try a.number("from"), end: try a.number("to"), step: try a.number("by"), inclusive: true))
    },
    B("list", "xs", "A new list of the elements of xs (a list, range, string, record or iterable engine value).") { a in
      let v = try a.value("xs")
      guard let items = try Interpreter.elements(of: v) else { throw a.typeError("xs", expected: "list", got: v) }
      return .list(items)
    },
    B("enumerate", "xs, start: number = 0", "List of [index, element] pairs.") { a in
      let s = try a.number("start")
      return .list(try a.sequence("xs").enumerated().map { .list([.number(Double($0.offset) + s), $0.element]) })
    },
    B("zip", "...lists", "List of tuples [a_i, b_i, ...], as long as the shortest input.") { a in
      let seqs = try a.rest.map { v -> [Value] in
        guard let e = try Interpreter.elements(of: v) else { throw a.typeError("lists", expected: "list", got: v) }
        return e
      }
      guard let n = seqs.map({ $0.count }).min() else { return .list([]) }
      return .list((0..<n).map { i in .list(seqs.map { $0[i] }) })
    },
    B("map", "xs, f: function", "List of f(x) for each element x.") { a in
      let f = try a.callable("f")
      let xs = try a.sequence("xs")
      var out: [Value] = []
      out.reserveCapacity(xs.count)
      for x in xs { out.append(try a.interpreter.call(f, [x])) }
      return .list(out)
    },
    B("filter", "xs, f: function", "Elements x for which f(x) is true.") { a in
      let f = try a.callable("f")
      var out: [Value] = []
      for x in try a.sequence("xs") where try Ops.truth(try a.interpreter.call(f, [x])) { out.append(x) }
      return .list(out)
    },
    B("reduce", "xs, f: function, initial = nil", "Folds f(acc, x) over xs, starting from initial (or the first element).") { a in
      let f = try a.callable("f")
      var xs = try a.sequence("xs")[...]
      var acc: Value
      if let i = a.optionalValue("initial"), !i.isNil { acc = i } else {
        guard let first = xs.popFirst() else { throw LangError(.value, "reduce(): empty list and no initial value") }
        acc = first
      }
      for x in xs { acc = try a.interpreter.call(f, [acc, x]) }
      return acc
    },
    B("sum", "xs", "Sum of the elements (0 for an empty list); elements may be engine values.") { a in
      var acc = Value.number(0)
      var total = 0.0
      var numeric = true
      for x in try a.sequence("xs") {
        if numeric, case .number(let d) = x { total += d; continue }
        if numeric { acc = .number(total); numeric = false }
        acc = try Ops.binary(.add, acc, x)
      }
      return numeric ? .number(total) : acc
    },
    B("min", "...values, key: function = nil", "Smallest of the arguments, or of the single list argument.") { a in
      try extremum(a, wantMax: false)
    },
    B("max", "...values, key: function = nil", "Largest of the arguments, or of the single list argument.") { a in
      try extremum(a, wantMax: true)
    },
    B("sort", "xs, key: function = nil, reverse: bool = false", "A sorted copy (stable); key(x) gives the sort key.") { a in
      let xs = try a.sequence("xs")
      let keyFn = try a.value("key")
      let keys = keyFn.isNil ? xs : try xs.map { try a.interpreter.call(keyFn, [$0]) }
      // Merge sort via indices keeps the order stable and lets comparison errors surface.
      let idx = try mergeSort(Array(xs.indices)) { i, j in try Ops.less(keys[i], keys[j]) }
      var out = idx.map { xs[$0] }
      if try a.bool("reverse") { out.reverse() }
      return .list(out)
    },
    B("reverse", "xs", "The list (or string) in reverse order.") { a in
      let x = try a.value("xs")
      if case .string(let s) = x { return .string(String(s.reversed())) }
      return .list(try a.sequence("xs").reversed())
    },
    B("keys", "r: record", "Field names of a record, in order.") { a in .list(try a.record("r").keys.map { .string($0) }) },
    B("values", "r: record", "Field values of a record, in order.") { a in .list(try a.record("r").values) },
    B("has", "x, key", "Whether a record has field `key`, a list contains `key`, or a string contains the substring.") { a in
      let x = try a.value("x"), k = try a.value("key")
      switch x {
      case .record(let r):
        guard case .string(let s) = k else { throw a.typeError("key", expected: "string", got: k) }
        return .bool(r[s] != nil)
      case .string(let s):
        guard case .string(let sub) = k else { throw a.typeError("key", expected: "string", got: k) }
        return .bool(sub.isEmpty || s.contains(sub))
      case .object(let o):
        if case .string(let s) = k { return .bool(try o.getField(s) != nil || o.method(s) != nil) }
      default: break
      }
      return .bool(try a.sequence("x").contains { Value.equal($0, k) })
    },
    B("get", "x, key, default = nil", "x[key] for a record or list, or `default` when absent.") { a in
      let x = try a.value("x"), k = try a.value("key"), d = try a.value("default")
      switch (x, k) {
      case (.record(let r), .string(let s)): return r[s] ?? d
      case (.list(let l), .number(let n)):
        guard n == n.rounded(), abs(n) < 9e15 else { return d }
        let i = n < 0 ? Int(n) + l.items.count : Int(n)
        return l.items.indices.contains(i) ? l.items[i] : d
      case (.object(let o), .string(let s)): return try o.getField(s) ?? d
      default: throw a.typeError("x", expected: "record or list", got: x)
      }
    },
    B("append", "xs, ...values", "Appends values to the list in place and returns it.") { a in
      let l = try a.listBox("xs")
      if a.positional.count == 2 {  // the common single-value case, without a slice
        guard l.items.count < Ops.maxElements else { throw Ops.tooBig() }
        l.items.append(a.positional[1])
        return .list(l)
      }
      guard l.items.count + a.rest.count <= Ops.maxElements else { throw Ops.tooBig() }
      l.items.append(contentsOf: a.rest)
      return .list(l)
    },
    B("push", "xs, ...values", "Same as append.") { a in
      let l = try a.listBox("xs")
      guard l.items.count + a.rest.count <= Ops.maxElements else { throw Ops.tooBig() }
      l.items.append(contentsOf: a.rest)
      return .list(l)
    },
    B("extend", "xs, ys", "Appends all elements of ys to the list xs in place and returns xs.") { a in
      let l = try a.listBox("xs")
      let ys = try a.sequence("ys")
      guard l.items.count + ys.count <= Ops.maxElements else { throw Ops.tooBig() }
      l.items.append(contentsOf: ys)
      return .list(l)
    },
    B("pop", "xs", "Removes and returns the last element of a list.") { a in
      let l = try a.listBox("xs")
      guard let x = l.items.popLast() else { throw LangError(.index, "pop(): the list is empty") }
      return x
    },
    B("insert", "xs, index: int, x", "Inserts x before position index (0...len) in place; returns the list.") { a in
      let l = try a.listBox("xs")
      var i = try a.int("index")
      if i < 0 { i += l.items.count }
      guard i >= 0, i <= l.items.count else { throw LangError(.index, "insert(): index \(try a.int("index")) out of range for list of length \(l.items.count)") }
      l.items.insert(try a.value("x"), at: i)
      return .list(l)
    },
    B("remove_at", "xs, index", "Removes and returns the element at index.") { a in
      let l = try a.listBox("xs")
      let i = try Access.position(try a.value("index"), count: l.items.count, what: "list")
      return l.items.remove(at: i)
    },
    B("index_of", "xs, x", "First index of x in a list (or of a substring in a string), or -1.") { a in
      let xs = try a.value("xs"), x = try a.value("x")
      if case .string(let s) = xs, case .string(let sub) = x {
        guard let r = s.range(of: sub) else { return .number(-1) }
        return .number(Double(s.distance(from: s.startIndex, to: r.lowerBound)))
      }
      return .number(Double(try a.sequence("xs").firstIndex { Value.equal($0, x) } ?? -1))
    },
    B("slice", "xs, from = nil, to = nil", "xs[from:to] for lists, strings and ranges (bounds clamp; negative counts from the end).") { a in
      try Access.slice(try a.value("xs"), a.optionalValue("from"), a.optionalValue("to"))
    },
    B("any", "xs, f: function = nil", "Whether some element (or f(element)) is true.") { a in
      let f = try a.value("f")
      for x in try a.sequence("xs") where try Ops.truth(f.isNil ? x : try a.interpreter.call(f, [x])) { return .bool(true) }
      return .bool(false)
    },
    B("all", "xs, f: function = nil", "Whether every element (or f(element)) is true.") { a in
      let f = try a.value("f")
      for x in try a.sequence("xs") where !(try Ops.truth(f.isNil ? x : try a.interpreter.call(f, [x]))) { return .bool(false) }
      return .bool(true)
    },
    B("copy", "x, deep: bool = false", "A copy of a list or record. With deep: nested lists and records are copied too, at any depth; a list or record met twice is copied once, so shared parts stay shared and cycles are kept.") { a in
      let x = try a.value("x")
      return try a.bool("deep") ? deepCopy(x) : shallowCopy(x)
    },
    B("merge", "...records", "A new record with the fields of all records; later ones win.") { a in
      let out = RecordBox()
      for v in a.rest {
        guard case .record(let r) = v else { throw a.typeError("records", expected: "record", got: v) }
        for (k, x) in r.fields { out[k] = x }
      }
      return .record(out)
    },
    B("remove_field", "r: record, name: string", "Removes a field from a record in place; returns the record.") { a in
      let r = try a.record("r")
      r.remove(try a.string("name"))
      return .record(r)
    },
    B("apply", "f: function, args = [], named = {}", "Calls f with a list of positional arguments and a record of named ones.") { a in
      let f = try a.callable("f")
      let args = try a.sequence("args")
      var named: [String: Value] = [:]
      for (k, v) in try a.record("named").fields { named[k] = v }
      return try a.interpreter.callValue(f, args, named, at: nil)
    },
    B("assert", "condition, message: string = \"assertion failed\"", "Raises an assertion error unless condition is true.") { a in
      let c = try a.value("condition")
      if try Ops.truth(c) { return .nil_ }
      throw LangError(.assertion, try a.string("message"))
    },
    B("error", "message", "Raises an error with the given message (a string or record), like throw.") { a in
      let v = try a.value("message")
      var e = LangError(.thrown, v.asString ?? {
        if case .record(let r) = v, let m = r["message"] { return m.description }
        return v.repr
      }())
      e.thrown = v
      throw e
    },
    B("help", "name: string", "Signature and documentation of a builtin or of a uboost function (the stdlib's included: its comment lines).") { a in
      let n = try a.string("name")
      if let h = a.interpreter.registry.help(n) { return .string(h) }
      if case .function(let c)? = a.interpreter.lookup(n) { return .string(c.help) }
      return .string("no builtin or function named '\(n)'")
    },
    B("clock", "", "Seconds elapsed on a monotonic clock (for timing).") { _ in
      .number(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
    },
  ])

  // MARK: Helpers

  static func extremum(_ a: Arguments, wantMax: Bool) throws -> Value {
    var xs = Array(a.rest)
    if xs.count == 1 {
      switch xs[0] {
      case .list(let l): xs = l.items
      case .range(let r): xs = try r.materialize()
      default: break
      }
    }
    guard var best = xs.first else { throw LangError(.value, "\(a.function.name)(): no values") }
    let keyFn = try a.value("key")
    var bestKey = keyFn.isNil ? best : try a.interpreter.call(keyFn, [best])
    for x in xs.dropFirst() {
      let k = keyFn.isNil ? x : try a.interpreter.call(keyFn, [x])
      if case .number(let d) = k, d.isNaN { return k }
      let better = wantMax ? try Ops.less(bestKey, k) : try Ops.less(k, bestKey)
      if better { best = x; bestKey = k }
    }
    return best
  }

  /// Stable merge sort of indices; polls for Ctrl-C every 4096 comparisons (a sort of a
  /// million keys runs seconds without calling back into the script).
  static func mergeSort(_ xs: [Int], _ less: (Int, Int) throws -> Bool) throws -> [Int] {
    var comparisons = 0
    return try mergeSort(xs, less, &comparisons)
  }

  private static func mergeSort(_ xs: [Int], _ less: (Int, Int) throws -> Bool, _ comparisons: inout Int) throws -> [Int] {
    if xs.count <= 1 { return xs }
    let mid = xs.count / 2
    let l = try mergeSort(Array(xs[..<mid]), less, &comparisons), r = try mergeSort(Array(xs[mid...]), less, &comparisons)
    var out: [Int] = []
    out.reserveCapacity(xs.count)
    var i = 0, j = 0
    while i < l.count, j < r.count {
      comparisons &+= 1
      if comparisons & 4095 == 0 { try Interrupt.check() }
      if try less(r[j], l[i]) { out.append(r[j]); j += 1 } else { out.append(l[i]); i += 1 }
    }
    out.append(contentsOf: l[i...])
    out.append(contentsOf: r[j...])
    return out
  }

  static func shallowCopy(_ v: Value) -> Value {
    switch v {
    case .list(let l): return .list(ListBox(l.items))
    case .record(let r): return .record(RecordBox(r.fields))
    default: return v
    }
  }

  /// Copies nested lists and records with a worklist (any depth); each original container maps
  /// to one copy, which keeps sharing and cycles.
  static func deepCopy(_ v: Value) -> Value {
    var copies: [ObjectIdentifier: Value] = [:]
    var pending: [(Value, Value)] = []  // (original, its still empty copy)
    func copy(_ x: Value) -> Value {
      switch x {
      case .list(let l):
        if let c = copies[ObjectIdentifier(l)] { return c }
        let c = Value.list(ListBox())
        copies[ObjectIdentifier(l)] = c
        pending.append((x, c))
        return c
      case .record(let r):
        if let c = copies[ObjectIdentifier(r)] { return c }
        let c = Value.record(RecordBox())
        copies[ObjectIdentifier(r)] = c
        pending.append((x, c))
        return c
      default:
        return x
      }
    }
    let root = copy(v)
    while let (original, target) = pending.popLast() {
      switch (original, target) {
      case (.list(let from), .list(let to)):
        var items: [Value] = []
        items.reserveCapacity(from.items.count)
        for x in from.items { items.append(copy(x)) }
        to.items = items
      case (.record(let from), .record(let to)):
        for (k, x) in from.fields { to[k] = copy(x) }
      default:
        break
      }
    }
    return root
  }

}
