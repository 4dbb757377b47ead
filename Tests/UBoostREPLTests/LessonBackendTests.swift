import Foundation
import XCTest
import UBoostBuiltins
import UBoostLang
@testable import UBoostREPL

// MARK: - A REPL backend over the real interpreter (test support)

/// The smallest `REPLBackend` over `Interpreter` + `Builtins` that the lesson tests need: it
/// evaluates, shows values with their types and collects plots through its interpreter's `engine.plots`. The
/// command-line tool has its own adapter; this one exists so lessons are tested against the
/// real language and engine, not a fake.
final class InterpreterLessonBackend: REPLBackend {
  let interpreter: Interpreter
  private var plots: [PlotImage] = []
  private let lock = NSLock()

  /// `terminalCharts`: draw charts as text into the output (as `uboost lesson` does in a
  /// terminal); off for documents, which embed the SVG instead.
  init(terminalCharts: Bool) throws {
    interpreter = Interpreter(output: { _ in }, loadStdlib: true)
    try Builtins.install(into: interpreter)
    interpreter.engine.plots.terminal = terminalCharts
    interpreter.engine.plots.size = (width: 72, height: 16)
    interpreter.engine.plots.color = false
    interpreter.engine.plots.sink = { [weak self] name, svg in
      guard let self else { return }
      self.lock.lock()
      self.plots.append(PlotImage(name: name, svg: svg))
      self.lock.unlock()
    }
  }

  func evaluate(_ source: String, file: String, line: Int,
                output: @escaping (String) -> Void) -> EvalOutcome {
    interpreter.output = output
    defer { interpreter.output = { _ in } }
    // Pad with blank lines so diagnostics name the line in the file.
    let padded = String(repeating: "\n", count: max(0, line - 1)) + source
    do {
      let value = try interpreter.run(source: padded, file: file)
      if case .nil_ = value { return EvalOutcome() }
      return EvalOutcome(value: value.repr, type: value.typeName)
    } catch let error as LangError {
      return EvalOutcome(error: error.description, interrupted: error.kind == .interrupted)
    } catch {
      return EvalOutcome(error: "\(error)")
    }
  }

  func isIncomplete(_ source: String) -> Bool { Interpreter.isIncomplete(source) }
  func globalNames() -> [String] { interpreter.globalNames() }
  func help(_ name: String?) -> String { "" }
  func typeOf(_ expression: String) -> EvalOutcome { EvalOutcome() }
  func variables() -> [(name: String, type: String)] { [] }
  func reset() { interpreter.reset() }
  func requestInterrupt() { Builtins.requestInterrupt() }

  func takePlots() -> [PlotImage] {
    lock.lock()
    defer { lock.unlock() }
    let taken = plots
    plots = []
    return taken
  }

  func runLesson(_ name: String, output: @escaping (String) -> Void,
                 pause: @escaping () -> Bool) -> String? {
    LessonRunner.runFromREPL(name, backend: self, output: output, pause: pause)
  }
}

// MARK: - Tests of the adapter itself

final class LessonBackendTests: XCTestCase {
  func testAdapterEvaluatesWithBuiltins() throws {
    let backend = try InterpreterLessonBackend(terminalCharts: false)
    var printed = ""
    let outcome = backend.evaluate("print(ceil(129 / 128))\nsmooth_ceil(1.0) > 1", file: "t", line: 1,
                                   output: { printed += $0 })
    XCTAssertNil(outcome.error)
    XCTAssertEqual(printed, "2\n")
    XCTAssertEqual(outcome.value, "true")
  }

  func testAdapterReportsErrorsAtTheFileLine() throws {
    let backend = try InterpreterLessonBackend(terminalCharts: false)
    let outcome = backend.evaluate("let a = 1\nno_such_name", file: "f.uboost", line: 10, output: { _ in })
    let error = try XCTUnwrap(outcome.error)
    XCTAssertTrue(error.contains("f.uboost:11:"), error)
  }
}
