import ArgumentParser
import Foundation
import UBoostLang
import UBoostREPL
import UBoostTensor

// MARK: - uboost [FILE] / -e / REPL

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a .uboost script, evaluate -e source, or open the REPL (the default command).")

  @Option(name: .customShort("e"), help: "Evaluate this source text, print its value, and exit.")
  var expression: String?

  @ArgumentParser.Argument(help: "The script to run; without it (and without -e) the REPL opens.")
  var file: String?

  @ArgumentParser.Argument(parsing: .captureForPassthrough, help: "Arguments for the script (its `args` list).")
  var scriptArguments: [String] = []

  @OptionGroup var engine: EngineOptions

  func run() throws {
    try engine.apply()
    let session = try Session(arguments: scriptArguments)
    if let expression {
      let outcome = session.backend.evaluate(expression, file: "<-e>", output: printOut)
      if let error = outcome.error { printError(error); throw ExitCode(1) }
      if let shown = outcome.value { printOut(shown + "\n") }
      return
    }
    if let file {
      let text: String
      do { text = try SourceText.read(path: file) } catch {
        printError("\(error)")
        throw ExitCode(1)
      }
      session.installSignalHandler()
      defer { if let note = Parallel.poolStatistics.contentionNote { printError(note) } }
      let outcome = session.backend.evaluate(text, file: file, output: printOut)
      if let error = outcome.error { printError(error); throw ExitCode(outcome.interrupted ? 130 : 1) }
      return
    }
    let status = REPL(backend: session.backend).run()
    if status != 0 { throw ExitCode(status) }
  }
}

// MARK: - uboost check FILE...

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check", abstract: "Parse scripts without running them; report every syntax error.")

  @ArgumentParser.Argument(help: "Scripts to check.")
  var files: [String]

  func run() throws {
    var failed = false
    for f in files {
      let text: String
      do { text = try SourceText.read(path: f) } catch {
        printError("\(error)"); failed = true; continue
      }
      if let problem = Interpreter.check(source: text, file: f) {
        printError(problem.description); failed = true
      } else {
        printOut("\(f): ok\n")
      }
    }
    if failed { throw ExitCode(1) }
  }
}
