import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Entry point

/// The uboost REPL: an interactive line-editing loop on a terminal, or a plain statement
/// reader when standard input is piped.
///
/// ```swift
/// // `uboost` with no arguments:
/// exit(REPL(backend: adapter).run())
/// // `echo 'print(1+1)' | uboost` takes the same path and reads without prompts.
/// ```
public final class REPL {
  /// Settings of a REPL run.
  public struct Options: Sendable {
    /// History file; nil keeps history in memory only. Default: ``History/defaultPath(environment:)``.
    public var historyPath: String?
    /// Entries kept in the history file.
    public var historyCapacity: Int
    /// Force interactive (true) or piped (false) mode; nil decides by whether stdin is a terminal.
    public var interactive: Bool?
    public var prompt: String
    public var continuationPrompt: String
    /// Printed when an interactive session starts; nil prints nothing.
    public var banner: String?

    public init(historyPath: String? = History.defaultPath(), historyCapacity: Int = 1000,
                interactive: Bool? = nil, prompt: String = "uboost> ",
                continuationPrompt: String = "   ...> ",
                banner: String? = "uboost — :help for commands, Ctrl-D to leave") {
      self.historyPath = historyPath
      self.historyCapacity = historyCapacity
      self.interactive = interactive
      self.prompt = prompt
      self.continuationPrompt = continuationPrompt
      self.banner = banner
    }
  }

  public let backend: REPLBackend
  public let options: Options
  private let output: REPLOutput

  public init(backend: REPLBackend, options: Options = Options(),
              output: REPLOutput = StandardOutput()) {
    self.backend = backend
    self.options = options
    self.output = output
  }

  /// Runs until `:quit`, Ctrl-D or the end of piped input. Returns the exit status: 0, or 1
  /// in piped mode when any statement or command failed.
  public func run() -> Int32 {
    let interactive = options.interactive ?? (isatty(STDIN_FILENO) != 0)
    return interactive ? runInteractive() : runPiped(readLine: { Swift.readLine(strippingNewline: true) })
  }

  // MARK: Piped

  /// Reads statements from `readLine` (nil at the end) without prompts or editing; lines
  /// accumulate until the backend says the statement is complete. Returns 1 if anything
  /// failed, else 0.
  public func runPiped(readLine: () -> String?) -> Int32 {
    InterruptTrap.install(exitWhenIdle: true)
    defer { InterruptTrap.uninstall() }
    let session = REPLSession(backend: backend, output: output)
    session.inputName = "<stdin>"
    while let line = readLine() {
      if session.feed(line, blankLineRuns: false) == .quit { break }
    }
    session.flush()
    return session.errorCount > 0 ? 1 : 0
  }

  // MARK: Interactive

  private func runInteractive() -> Int32 {
    let history = History(path: options.historyPath, capacity: options.historyCapacity)
    do {
      try history.load()
    } catch {
      output.writeError("\(error) (history disabled for this file)\n")
    }
    let session = REPLSession(backend: backend, output: output)
    session.newlineBeforeInterrupt = true
    session.pauseForLearner = { [output] in
      output.write("[Return: next step, q: stop] ")
      guard let answer = Swift.readLine() else { return false }
      return answer.trimmingCharacters(in: .whitespaces).lowercased() != "q"
    }
    let engine = CompletionEngine(backend: backend)
    InterruptTrap.install(exitWhenIdle: false)
    defer { InterruptTrap.uninstall() }
    if let banner = options.banner { output.write(banner + "\n") }

    let editor = TerminalLineEditor(history: history, completer: engine.complete)
    let readLine: (String) -> TerminalLineEditor.ReadResult = { prompt in
      if let editor { return editor.read(prompt: prompt) }
      // Fallback when libedit cannot drive the terminal: plain prompts.
      self.output.write(prompt)
      guard let line = Swift.readLine() else { return .endOfInput }
      return .line(line)
    }

    // Lines of the statement being typed: history keeps a statement as one entry, so a
    // multi-line definition is recalled whole.
    var statement: [String] = []
    func remember() {
      guard !statement.isEmpty else { return }
      history.add(statement.joined(separator: "\n"))
      statement = []
      try? history.save()
    }
    loop: while true {
      let prompt = session.isContinuing ? options.continuationPrompt : options.prompt
      switch readLine(prompt) {
      case let .line(line):
        statement.append(line)
        let result = session.feed(line, blankLineRuns: true)
        if !session.isContinuing { remember() }
        if result == .quit { break loop }
      case .interrupted:
        remember()
        session.discardPending()
      case .endOfInput:
        if session.isContinuing {
          remember()
          session.discardPending()
          output.write("\n")
          continue loop
        }
        output.write("\n")
        break loop
      }
    }
    try? history.save()
    return 0
  }
}
