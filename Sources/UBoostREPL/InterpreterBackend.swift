import Foundation
import UBoostLang

// MARK: - The real backend: a uboost interpreter session

/// Adapts a language `Interpreter` (with whatever libraries the host installed) to the
/// ``REPLBackend`` protocol that the REPL, the notebook runner and lessons drive.
///
/// ```swift
/// let interp = Interpreter()
/// Builtins.install(into: interp)
/// let status = REPL(backend: InterpreterBackend(interpreter: interp)).run()
/// ```
public final class InterpreterBackend: REPLBackend {
  public let interpreter: Interpreter
  /// Called (from the waiting thread) on Ctrl-C; the default asks the language to stop.
  public var interruptHook: () -> Void = { Interrupt.request() }
  /// Returns and forgets plots made since the last call (installed by the host).
  public var plotsProvider: () -> [PlotImage] = { [] }
  /// Runs a lesson (installed by the host); returns an error message or nil.
  public var lessonHook: ((String, @escaping (String) -> Void, @escaping () -> Bool) -> String?)?
  /// Called before every evaluation (the host clears engine interrupt flags there).
  public var beforeEvaluation: () -> Void = { Interrupt.clear() }
  /// Called after `:reset` cleared the bindings (the host re-installs its libraries there).
  public var afterReset: () -> Void = {}

  /// Names defined before the user typed anything (builtins, stdlib): hidden from `:vars`.
  private var baseline: Set<String>
  /// User bindings in definition order.
  private var order: [String] = []

  public init(interpreter: Interpreter) {
    self.interpreter = interpreter
    baseline = Set(interpreter.globalNames())
  }

  /// Re-reads the baseline (after the host installed more libraries).
  public func refreshBaseline() { baseline = Set(interpreter.globalNames()); order = [] }

  // MARK: Evaluation

  public func evaluate(_ source: String, file: String, line: Int,
                       output: @escaping (String) -> Void) -> EvalOutcome {
    beforeEvaluation()
    let saved = interpreter.output
    interpreter.output = output
    defer { interpreter.output = saved; noteNewBindings() }
    // Cells start at `line` of their file: pad so positions in errors are the file's.
    let padded = String(repeating: "\n", count: max(0, line - 1)) + source
    do {
      let v = try interpreter.run(source: padded, file: file)
      return Self.outcome(for: v)
    } catch let e as LangError {
      return EvalOutcome(error: e.description, interrupted: e.kind == .interrupted)
    } catch {
      return EvalOutcome(error: "error: \(error)")
    }
  }

  /// Elements of a list (fields of a record) the REPL shows before abbreviating.
  static let displayItems = 1000

  /// How a value is shown after evaluation: nothing for `nil`, else `value : Type`. Lists and
  /// records longer than `displayItems` are abbreviated, and the display says so (`str` and
  /// `print` always give everything).
  static func outcome(for v: Value) -> EvalOutcome {
    if v.isNil { return EvalOutcome() }
    var text: String
    var note: String?
    switch v {
    case .object(let o): text = o.describe(width: 100)
    case .string: text = v.repr
    case .nil_, .number, .bool, .list, .record, .range, .function, .builtin:
      let (shown, abbreviated) = v.displayRepr(maxItems: displayItems)
      text = shown
      if abbreviated {
        note = "(display abbreviated to \(displayItems) elements per list or record; print(x) or str(x) shows all)"
      }
    }
    var outcome = EvalOutcome(value: text, type: v.typeName)
    outcome.note = note
    return outcome
  }

  private func noteNewBindings() {
    let known = Set(order)
    for n in interpreter.globalNames() where !baseline.contains(n) && !known.contains(n) { order.append(n) }
  }

  public func isIncomplete(_ source: String) -> Bool { Interpreter.isIncomplete(source) }

  public func cannotContinue(_ source: String) -> Bool { Interpreter.cannotContinue(source) }

  // MARK: Introspection

  public func globalNames() -> [String] {
    interpreter.globalNames() + Self.keywords
  }

  static let keywords = ["let", "var", "fn", "if", "else", "for", "in", "while", "break", "continue",
                         "return", "try", "catch", "throw", "import", "true", "false", "nil", "step"]

  public func members(ofExpression expression: String) -> [String] {
    let parts = expression.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard let first = parts.first, var value = interpreter.lookup(first) else { return [] }
    for p in parts.dropFirst() {
      guard let next = Self.field(of: value, p) else { return [] }
      value = next
    }
    switch value {
    case .record(let r): return r.keys
    case .object(let o): return o.fieldNames
    case .nil_, .number, .bool, .string, .list, .range, .function, .builtin: return []
    }
  }

  private static func field(of v: Value, _ name: String) -> Value? {
    switch v {
    case .record(let r): return r[name]
    case .object(let o): return (try? o.getField(name)) ?? nil
    case .nil_, .number, .bool, .string, .list, .range, .function, .builtin: return nil
    }
  }

  /// `:help NAME`: a builtin's signature and doc, a uboost function's declared parameters and
  /// doc comment (stdlib and user functions alike), or for `x.name` the method or field `name`
  /// of the value `x`. Without a name: the builtins by library and the stdlib functions.
  public func help(_ name: String?) -> String {
    if let name, !name.isEmpty {
      if name.contains(".") { return memberHelp(name) }
      if let h = interpreter.registry.help(name) { return h }
      let overloads = interpreter.registry.overloadHelp(name)
      if let v = interpreter.lookup(name) { return Self.help(of: v, named: name) + (overloads.map { "\n" + $0 } ?? "") }
      if let overloads { return overloads }
      return "no builtin or binding named '\(name)'"
    }
    var out = "Builtins by library (:help NAME for one):\n"
    for lib in interpreter.registry.libraries {
      let names = lib.entries.map(\.name).sorted()
      guard !names.isEmpty else { continue }
      out += "  \(lib.name): \(names.joined(separator: ", "))\n"
    }
    let stdlib = baseline.filter { n in
      if case .function? = interpreter.lookup(n) { return true }
      return false
    }.sorted()
    if !stdlib.isEmpty { out += "Functions of the stdlib (written in uboost):\n  \(stdlib.joined(separator: ", "))\n" }
    return out
  }

  static func help(of v: Value, named name: String) -> String {
    switch v {
    case .function(let c):
      let h = c.help
      return c.name == "<anonymous>" ? name + h.dropFirst("<anonymous>".count) : h
    case .builtin(let b): return "\(b.signature)\n  \(b.doc)"
    case .object(let o):
      var out = "\(name): \(o.typeName)"
      if !o.fieldNames.isEmpty { out += "; fields: \(o.fieldNames.joined(separator: ", "))" }
      return out
    case .record(let r): return "\(name): record; fields: \(r.keys.joined(separator: ", "))"
    case .nil_, .number, .bool, .string, .list, .range:
      return "\(name): \(v.typeName)"
    }
  }

  /// `:help hw.cost`: the method or field `cost` of the value `hw` (or, by uniform call
  /// syntax, the global function `cost` called as `hw.cost(...)`).
  private func memberHelp(_ path: String) -> String {
    let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard let first = parts.first, var value = interpreter.lookup(first) else {
      return "no binding named '\(parts.first ?? path)'"
    }
    for (i, p) in parts.enumerated().dropFirst() {
      let last = i == parts.count - 1
      if last, case .object(let o) = value, let m = o.method(p) {
        return "\(path): method of \(o.typeName)\n\(Self.help(of: .builtin(m), named: p))"
      }
      if let next = Self.field(of: value, p) {
        value = next
        continue
      }
      if last, let g = interpreter.lookup(p), g.isCallable {
        return "\(path) calls \(p)(\(parts[..<i].joined(separator: ".")), ...):\n"
          + (interpreter.registry.help(p) ?? Self.help(of: g, named: p))
      }
      return "\(parts[..<i].joined(separator: ".")) (\(value.typeName)) has no method or field '\(p)'"
    }
    return Self.help(of: value, named: path)
  }

  public func typeOf(_ expression: String) -> EvalOutcome {
    do {
      let v = try interpreter.run(source: expression, file: "<repl>")
      return EvalOutcome(type: v.typeName)
    } catch let e as LangError {
      return EvalOutcome(error: e.description, interrupted: e.kind == .interrupted)
    } catch {
      return EvalOutcome(error: "error: \(error)")
    }
  }

  public func variables() -> [(name: String, type: String)] {
    noteNewBindings()
    return order.compactMap { n in interpreter.lookup(n).map { (n, $0.typeName) } }
  }

  public func reset() {
    interpreter.reset()
    afterReset()
    refreshBaseline()
  }

  public func requestInterrupt() { interruptHook() }

  public func takePlots() -> [PlotImage] { plotsProvider() }

  public func runLesson(_ name: String, output: @escaping (String) -> Void,
                        pause: @escaping () -> Bool) -> String? {
    guard let hook = lessonHook else { return "lessons are not available in this session" }
    return hook(name, output, pause)
  }
}
