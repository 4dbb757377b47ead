import ArgumentParser
import Foundation
import UBoostBuiltins
import UBoostREPL

// MARK: - uboost lesson [NAME]

struct LessonCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lesson",
    abstract: "Step-by-step lessons (uboost lesson lists them; uboost lesson smooth-ceil teaches the smooth ceiling).",
    discussion: "At each pause: Enter goes on, b goes back, q quits. Afterwards, on a terminal, a REPL keeps the lesson's bindings. Lessons are .uboost notebooks in stdlib/lessons/.")

  @ArgumentParser.Argument(help: "The lesson to run; without it, the list of lessons.")
  var name: String?

  @Flag(name: .long, help: "Run straight through without pausing.")
  var noPause = false

  @Option(name: .long, help: "Also write the lesson as a Markdown page (pictures as SVG files next to it).")
  var markdown: String?

  @Option(name: .long, help: "Start at this step (the earlier steps run without being shown, to make their bindings).")
  var step: Int = 1

  @OptionGroup var engine: EngineOptions

  func run() throws {
    try engine.apply()
    let session = try Session()
    if markdown != nil { session.interpreter.engine.plots.terminal = false }
    // After the lesson the learner keeps its bindings in a REPL, when there is a terminal to
    // type into; otherwise the last screen says that they end here.
    let terminal = isatty(STDIN_FILENO) != 0 && markdown == nil
    let (status, ran) = LessonCommandLine.runLesson(name: name, pause: !noPause, backend: session.backend,
                                                    markdownPath: markdown, firstStep: step,
                                                    afterwards: terminal ? .repl : .exit)
    if ran, terminal {
      let options = REPL.Options(banner: "uboost — the lesson's bindings are defined (:vars lists them), Ctrl-D leaves")
      let replStatus = REPL(backend: session.backend, options: options).run()
      if replStatus != 0 { throw ExitCode(replStatus) }
      return
    }
    if status != 0 { throw ExitCode(status) }
  }
}
