import Foundation
@testable import UBoostREPL

/// A tiny stand-in language for driving the REPL in tests. Statements, one per line:
///   let NAME = INT            binds
///   let NAME = {a: 1, b: 2}   binds a record (members complete after `.`)
///   print(X)                  prints X (an int or a name) and a newline
///   INT + INT  /  NAME        value shown as "N : Number"
///   fail                      an error mentioning file and line
///   while true {}             loops until interrupted
///   plot NAME                 produces a plot named NAME
/// Input is incomplete while `(`, `[` or `{` outnumber their closers.
final class FakeBackend: REPLBackend {
  private let lock = NSLock()
  private var interruptFlag = false
  private(set) var bindings: [(name: String, value: String, type: String)] = []
  private var plots: [PlotImage] = []
  private(set) var evaluated: [(source: String, file: String, line: Int)] = []
  private(set) var resetCount = 0
  private(set) var lessons: [String] = []
  /// Signalled when an endless loop starts (for interrupt tests).
  let loopStarted = DispatchSemaphore(value: 0)

  func evaluate(_ source: String, file: String, line: Int,
                output: @escaping (String) -> Void) -> EvalOutcome {
    evaluated.append((source, file, line))
    lock.lock(); interruptFlag = false; lock.unlock()
    var last = EvalOutcome()
    var current: [String] = []
    var startOffset = 0
    for (offset, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if current.isEmpty { startOffset = offset }
      current.append(String(raw))
      let stmt = current.joined(separator: "\n").trimmingCharacters(in: .whitespaces)
      if isIncomplete(stmt) { continue }
      current = []
      if stmt.isEmpty { continue }
      last = statement(stmt, file: file, line: line + startOffset, output: output)
      if last.failed { return last }
    }
    if !current.isEmpty {
      return EvalOutcome(error: "\(file):\(line + startOffset):1: error: unexpected end of input")
    }
    return last
  }

  private func statement(_ s: String, file: String, line: Int,
                         output: (String) -> Void) -> EvalOutcome {
    if s.hasPrefix("let ") {
      let parts = s.dropFirst(4).split(separator: "=", maxSplits: 1)
      guard parts.count == 2 else { return EvalOutcome(error: "\(file):\(line):1: error: bad let") }
      let name = parts[0].trimmingCharacters(in: .whitespaces)
      let value = parts[1].trimmingCharacters(in: .whitespaces)
      bindings.removeAll { $0.name == name }
      bindings.append((name, value, value.hasPrefix("{") ? "Record" : "Number"))
      return EvalOutcome()
    }
    if s.hasPrefix("print("), s.hasSuffix(")") {
      let arg = String(s.dropFirst(6).dropLast())
      output((bindings.first { $0.name == arg }?.value ?? arg) + "\n")
      return EvalOutcome()
    }
    if s == "fail" {
      return EvalOutcome(error: "\(file):\(line):1: error: boom\n  fail\n  ^")
    }
    if s.hasPrefix("while true") {
      loopStarted.signal()
      while true {
        lock.lock(); let stop = interruptFlag; lock.unlock()
        if stop { return EvalOutcome(error: "interrupted", interrupted: true) }
        usleep(1000)
      }
    }
    if s.hasPrefix("plot ") {
      let name = String(s.dropFirst(5))
      plots.append(PlotImage(name: name, svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>\(name)</title></svg>"))
      return EvalOutcome()
    }
    let sum = s.split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
    if sum.count == 2, let a = Int(sum[0]), let b = Int(sum[1]) {
      return EvalOutcome(value: "\(a + b)", type: "Number")
    }
    if let n = Int(s) { return EvalOutcome(value: "\(n)", type: "Number") }
    if let b = bindings.first(where: { $0.name == s }) {
      return EvalOutcome(value: b.value, type: b.type)
    }
    return EvalOutcome(error: "\(file):\(line):1: error: unknown name '\(s)'")
  }

  func isIncomplete(_ source: String) -> Bool {
    var depth = 0
    for c in source {
      if "([{".contains(c) { depth += 1 }
      if ")]}".contains(c) { depth -= 1 }
    }
    return depth > 0
  }

  func globalNames() -> [String] {
    bindings.map(\.name) + ["print", "param", "plot", "let", "while"]
  }

  func members(ofExpression expression: String) -> [String] {
    guard let b = bindings.first(where: { $0.name == expression }), b.type == "Record" else { return [] }
    return b.value.dropFirst().dropLast().split(separator: ",").compactMap {
      $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces)
    }
  }

  func help(_ name: String?) -> String {
    name.map { "help for \($0)" } ?? "builtins: print, plot"
  }

  func typeOf(_ expression: String) -> EvalOutcome {
    if let b = bindings.first(where: { $0.name == expression }) { return EvalOutcome(type: b.type) }
    if Int(expression) != nil { return EvalOutcome(type: "Number") }
    return EvalOutcome(error: "unknown name '\(expression)'")
  }

  func variables() -> [(name: String, type: String)] { bindings.map { ($0.name, $0.type) } }

  func reset() {
    bindings = []
    resetCount += 1
  }

  func requestInterrupt() {
    lock.lock(); interruptFlag = true; lock.unlock()
  }

  func takePlots() -> [PlotImage] {
    defer { plots = [] }
    return plots
  }

  func runLesson(_ name: String, output: @escaping (String) -> Void,
                 pause: @escaping () -> Bool) -> String? {
    lessons.append(name)
    guard name == "smooth-ceil" else { return "no lesson named '\(name)'" }
    output("step 1\n")
    guard pause() else { return nil }
    output("step 2\n")
    return nil
  }
}
