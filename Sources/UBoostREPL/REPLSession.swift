import Foundation

// MARK: - Session

/// The REPL's logic without any terminal: collects lines until a statement is complete, runs
/// statements and meta commands against the backend and prints results with their types.
/// The interactive front end, the piped reader and the tests all drive it line by line.
///
/// ```swift
/// let out = CapturedOutput()
/// let session = REPLSession(backend: backend, output: out)
/// session.feed("let a = [1,")     // .needMore
/// session.feed("2]")              // .ready, evaluated
/// session.feed(":quit")           // .quit
/// ```
public final class REPLSession {
  /// What the caller should do after a line.
  public enum LineResult: Equatable, Sendable {
    /// The statement is unfinished: read another line (show the continuation prompt).
    case needMore
    /// The line was handled: read the next statement.
    case ready
    /// `:quit`: leave.
    case quit
  }

  public let backend: REPLBackend
  public let output: REPLOutput
  /// Number of failed statements and commands so far (the piped mode's exit status).
  public private(set) var errorCount = 0
  /// File name used in error messages for typed input.
  public var inputName = "<repl>"
  /// Start an interrupt message on a new line (a terminal has just echoed `^C`).
  public var newlineBeforeInterrupt = false
  /// Called by lessons between steps; returns false when the learner wants to stop.
  public var pauseForLearner: () -> Bool = { true }

  private var pending: [String] = []
  private var pendingStartLine = 1
  private var lineNumber = 0
  private let evaluator: InterruptibleEvaluator

  public init(backend: REPLBackend, output: REPLOutput) {
    self.backend = backend
    self.output = output
    self.evaluator = InterruptibleEvaluator()
  }

  /// True while lines of an unfinished statement are buffered.
  public var isContinuing: Bool { !pending.isEmpty }

  // MARK: Lines

  /// Handles one input line. With `blankLineRuns` (interactive use), a blank line runs an
  /// unfinished statement as it is (so a stray open bracket gives an error instead of an
  /// endless continuation); otherwise blank lines inside a statement are kept.
  @discardableResult
  public func feed(_ line: String, blankLineRuns: Bool = true) -> LineResult {
    // A recalled multi-line history entry arrives as one line with newlines.
    let lineCount = 1 + line.utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
    lineNumber += lineCount
    let blank = line.trimmingCharacters(in: .whitespaces).isEmpty
    if pending.isEmpty {
      if blank { return .ready }
      if line.trimmingCharacters(in: .whitespaces).hasPrefix(":") {
        return runMeta(line)
      }
      pendingStartLine = lineNumber
    } else if blank, blankLineRuns {
      flush()
      return .ready
    }
    pending.append(line)
    let source = pending.joined(separator: "\n")
    if backend.isIncomplete(source) {
      // An unfinished statement followed by a line that cannot continue it (but reads fine on
      // its own): report the statement now and start afresh with the line, instead of
      // swallowing every later line until the end of input.
      if pending.count > 1, backend.cannotContinue(source), !backend.cannotContinue(line) {
        pending.removeLast()
        lineNumber -= lineCount
        flush()
        return feed(line, blankLineRuns: blankLineRuns)
      }
      return .needMore
    }
    flush()
    return .ready
  }

  /// Runs whatever unfinished statement is buffered (at end of input).
  public func flush() {
    guard !pending.isEmpty else { return }
    let source = pending.joined(separator: "\n")
    pending = []
    run(source, file: inputName, line: pendingStartLine)
  }

  /// Forgets the buffered lines of an unfinished statement (Ctrl-C at a continuation prompt).
  public func discardPending() {
    pending = []
  }

  // MARK: Evaluation

  /// Evaluates `source` and prints its output, its value with its type, or its error.
  /// Returns the outcome.
  @discardableResult
  public func run(_ source: String, file: String, line: Int) -> EvalOutcome {
    let printer = StreamPrinter(output: output)
    let backend = self.backend
    let outcome = evaluator.run({
      backend.evaluate(source, file: file, line: line, output: { printer.write($0) })
    }, onInterrupt: { backend.requestInterrupt() })
      ?? EvalOutcome(error: "the evaluation ended without a result")
    printer.finishLine()
    report(outcome)
    return outcome
  }

  private func report(_ outcome: EvalOutcome) {
    if outcome.interrupted, newlineBeforeInterrupt { output.writeError("\n") }
    if let error = outcome.error {
      errorCount += 1
      output.writeError(error.hasSuffix("\n") ? error : error + "\n")
    } else if outcome.interrupted {
      errorCount += 1
      output.writeError("interrupted\n")
    } else if let display = outcome.display {
      output.write(display + "\n")
    }
  }

  // MARK: Meta commands

  private func runMeta(_ line: String) -> LineResult {
    do {
      switch try MetaCommand.parse(line) {
      case let .help(name): help(name)
      case let .type(expr): type(of: expr)
      case let .time(expr): time(expr)
      case let .load(path):
        let text = try Self.read(path)
        run(text, file: path, line: 1)
      case let .cell(path, index):
        let cell = try Notebook(contentsOf: path).cell(index)
        run(cell.source, file: path, line: cell.line)
      case .vars: vars()
      case .reset:
        backend.reset()
        output.write("all bindings forgotten\n")
      case let .lesson(name): lesson(name)
      case .quit: return .quit
      }
    } catch let error as REPLError {
      errorCount += 1
      output.writeError("\(error)\n")
    } catch {
      errorCount += 1
      output.writeError("\(error)\n")
    }
    return .ready
  }

  private func help(_ name: String?) {
    if let name {
      // `:help :load` explains a command; any other name goes to the language.
      if name.hasPrefix(":") {
        let bare = String(name.dropFirst())
        let lines = MetaCommand.summary.split(separator: "\n")
          .filter { $0.hasPrefix(":" + bare) }
        output.write((lines.isEmpty ? "no command :\(bare)" : lines.joined(separator: "\n")) + "\n")
        return
      }
      output.write(Self.line(backend.help(name)))
    } else {
      output.write("Commands:\n\(MetaCommand.summary)\n")
      output.write("Keys: arrows edit and recall history, Ctrl-R searches it, TAB completes,\n"
                   + "Ctrl-C stops an evaluation or clears the line, Ctrl-D leaves.\n")
      let text = backend.help(nil)
      if !text.isEmpty { output.write("\n" + Self.line(text)) }
    }
  }

  private func type(of expr: String) {
    let backend = self.backend
    let outcome = evaluator.run({ backend.typeOf(expr) },
                                onInterrupt: { backend.requestInterrupt() })
      ?? EvalOutcome(error: "the type could not be determined")
    if let error = outcome.error {
      errorCount += 1
      output.writeError(Self.line(error))
    } else {
      output.write("\(expr) : \(outcome.type ?? "?")\n")
    }
  }

  private func time(_ expr: String) {
    let start = DispatchTime.now().uptimeNanoseconds
    let outcome = run(expr, file: inputName, line: 1)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if !outcome.failed { output.write("time: \(Self.formatDuration(seconds))\n") }
  }

  private func vars() {
    let list = backend.variables()
    guard !list.isEmpty else {
      output.write("no bindings\n")
      return
    }
    let width = list.map(\.name.count).max() ?? 0
    for (name, type) in list {
      output.write(name.padding(toLength: width, withPad: " ", startingAt: 0) + " : \(type)\n")
    }
  }

  private func lesson(_ name: String) {
    let printer = StreamPrinter(output: output)
    let backend = self.backend
    let pause = pauseForLearner
    let message = evaluator.run({
      backend.runLesson(name, output: { printer.write($0) }, pause: pause)
    }, onInterrupt: { backend.requestInterrupt() }) ?? nil
    printer.finishLine()
    if let message {
      errorCount += 1
      output.writeError(Self.line(message))
    }
  }

  // MARK: Helpers

  static func read(_ path: String) throws -> String {
    try TextFile.read(path)
  }

  static func line(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }

  /// `12.3 ms` below a second, `2.35 s` above.
  public static func formatDuration(_ seconds: Double) -> String {
    seconds < 1 ? String(format: "%.1f ms", seconds * 1000) : String(format: "%.2f s", seconds)
  }
}

// MARK: - Streaming program output

/// Forwards program output as it arrives (from the worker thread) and remembers whether the
/// last character was a newline, so the value or error that follows starts on its own line.
final class StreamPrinter: @unchecked Sendable {
  private let output: REPLOutput
  private let lock = NSLock()
  private var atLineStart = true

  init(output: REPLOutput) {
    self.output = output
  }

  func write(_ text: String) {
    guard !text.isEmpty else { return }
    lock.lock()
    defer { lock.unlock() }
    output.write(text)
    atLineStart = text.hasSuffix("\n")
  }

  func finishLine() {
    lock.lock()
    defer { lock.unlock() }
    if !atLineStart { output.write("\n") }
    atLineStart = true
  }
}
