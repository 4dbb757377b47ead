// MARK: - Backend protocol

/// What the REPL, the piped reader and the notebook runner drive: one language session.
///
/// The REPL never parses or evaluates the language itself. It hands complete statements to
/// ``evaluate(_:file:line:output:)``, asks ``isIncomplete(_:)`` whether to keep reading lines,
/// and asks for names and members to complete. An adapter over the language interpreter
/// implements this protocol; tests use a fake.
///
/// Threading: ``evaluate(_:file:line:output:)``, ``typeOf(_:)`` and ``runLesson(_:output:pause:)``
/// run on a worker thread (with a large stack) while the calling thread waits; no two calls
/// overlap. ``requestInterrupt()`` is called from the waiting thread *while* an evaluation runs,
/// so it must be thread-safe (set an atomic flag that the interpreter polls, e.g. on every loop
/// iteration and call) and the evaluation should then end soon (within ~1 s) with
/// `EvalOutcome(error: "interrupted", interrupted: true)`. Bindings made before the interrupt
/// must stay intact.
///
/// ```swift
/// final class MyBackend: REPLBackend { ... }
/// let status = REPL(backend: MyBackend()).run()
/// ```
public protocol REPLBackend: AnyObject {
  /// Runs `source` (one or more complete statements). Text the program prints is passed to
  /// `output` as it is produced (not buffered to the end). `file` and `line` name where the
  /// source starts, for error messages (`<repl>` for typed input).
  func evaluate(_ source: String, file: String, line: Int,
                output: @escaping (String) -> Void) -> EvalOutcome

  /// True when `source` ends inside an open bracket, string or block, so the REPL should read
  /// another line before evaluating. Must not evaluate anything.
  func isIncomplete(_ source: String) -> Bool
  /// True when `source` has a syntax error that more lines cannot fix (so a statement left
  /// unfinished is reported at the first line that cannot continue it).
  func cannotContinue(_ source: String) -> Bool

  /// Every name visible at top level, for TAB completion: bindings, builtins and keywords.
  func globalNames() -> [String]

  /// Field and method names of the value of `expression` (a name or a dotted path such as
  /// `hw` or `out.cfg`), for completion after `.`. Must not run user code with side effects;
  /// return `[]` when the expression is not a plain path or has no members.
  func members(ofExpression expression: String) -> [String]

  /// Help text: for `name`, its signature and description; for `nil`, an overview of the
  /// language's builtins. The REPL adds the list of meta commands itself.
  func help(_ name: String?) -> String

  /// The static or dynamic type of `expression` without side effects where possible;
  /// `EvalOutcome.type` carries the answer, `error` a diagnostic.
  func typeOf(_ expression: String) -> EvalOutcome

  /// Current top-level bindings with their type names, in definition order.
  func variables() -> [(name: String, type: String)]

  /// Forgets every user binding (builtins and the standard library stay).
  func reset()

  /// Asks the running evaluation to stop. Thread-safe; a no-op when nothing runs.
  func requestInterrupt()

  /// Plots produced since the previous call (each as SVG text), then forgets them. The notebook
  /// runner calls it after every cell to embed the cell's plots.
  func takePlots() -> [PlotImage]

  /// Runs the lesson `name` (`:lesson NAME`). The lesson writes through `output` and calls
  /// `pause` between steps, which waits for the learner and returns false when the learner
  /// wants to stop. Returns an error message (e.g. unknown lesson) or nil.
  func runLesson(_ name: String, output: @escaping (String) -> Void,
                 pause: @escaping () -> Bool) -> String?
}

// MARK: - Defaults

extension REPLBackend {
  /// `evaluate` starting at line 1.
  public func evaluate(_ source: String, file: String,
                       output: @escaping (String) -> Void) -> EvalOutcome {
    evaluate(source, file: file, line: 1, output: output)
  }

  public func members(ofExpression expression: String) -> [String] { [] }
  public func cannotContinue(_ source: String) -> Bool { false }
  public func takePlots() -> [PlotImage] { [] }
  public func runLesson(_ name: String, output: @escaping (String) -> Void,
                        pause: @escaping () -> Bool) -> String? {
    "lessons are not available in this session"
  }
}

// MARK: - Values passed back

/// The result of evaluating one piece of source.
///
/// ```swift
/// EvalOutcome(value: "[[1, 2], [3, 4]]", type: "Tensor[2,2]")   // prints "[[1, 2], [3, 4]] : Tensor[2,2]"
/// EvalOutcome()                                                // a statement: prints nothing
/// EvalOutcome(error: "<repl>:1:5: error: unknown name 'x'\n  1 + x\n      ^")
/// ```
public struct EvalOutcome: Equatable, Sendable {
  /// The value's rendering, already formatted by the backend; nil for statements and unit.
  public var value: String?
  /// The value's type name (e.g. `Tensor[2,3]`, `Number`); nil when unknown.
  public var type: String?
  /// A formatted diagnostic (file:line:col, source line, caret, call stack); nil on success.
  public var error: String?
  /// True when the evaluation stopped because of ``REPLBackend/requestInterrupt()``.
  public var interrupted: Bool
  /// A remark printed on the line after the value (e.g. that the display was abbreviated).
  public var note: String?

  public init(value: String? = nil, type: String? = nil, error: String? = nil,
              interrupted: Bool = false) {
    self.value = value
    self.type = type
    self.error = error
    self.interrupted = interrupted
  }

  /// `value : Type` as the REPL prints it, or nil when there is nothing to show.
  public var display: String? {
    guard let value else { return nil }
    let shown = (type?.isEmpty ?? true) ? value : "\(value) : \(type!)"
    return note.map { shown + "\n" + $0 } ?? shown
  }

  /// True when the evaluation failed (including an interrupt).
  public var failed: Bool { error != nil || interrupted }
}

/// One plot produced by the program, as SVG text.
public struct PlotImage: Equatable, Sendable {
  /// A short name (e.g. the file name the program asked for, `util.svg`, or `plot-3`).
  public var name: String
  /// The complete SVG document.
  public var svg: String

  public init(name: String, svg: String) {
    self.name = name
    self.svg = svg
  }
}
