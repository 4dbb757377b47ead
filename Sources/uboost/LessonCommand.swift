import ArgumentParser
import Foundation
import UBoostBuiltins
import UBoostREPL

// MARK: - uboost lesson [NAME]

struct LessonCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lesson",
    abstract: "Step-by-step lessons (uboost lesson lists them; uboost lesson smooth-ceil teaches the smooth ceiling).",
    discussion: "At each pause: Enter goes on, b goes back, q quits. Lessons are .uboost notebooks in stdlib/lessons/.")

  @ArgumentParser.Argument(help: "The lesson to run; without it, the list of lessons.")
  var name: String?

  @Flag(name: .long, help: "Run straight through without pausing.")
  var noPause = false

  @Option(name: .long, help: "Also write the lesson as a Markdown page (pictures as SVG files next to it).")
  var markdown: String?

  @OptionGroup var engine: EngineOptions

  func run() throws {
    try engine.apply()
    let session = try Session()
    if markdown != nil { PlotCapture.terminal = false }
    let status = LessonCommandLine.run(name: name, pause: !noPause, backend: session.backend,
                                       markdownPath: markdown)
    if status != 0 { throw ExitCode(status) }
  }
}
