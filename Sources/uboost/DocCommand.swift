import ArgumentParser
import UBoostBuiltins
import UBoostLang

// MARK: - uboost doc builtins

struct DocCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doc", abstract: "Print generated documentation (docs/builtins.md comes from `uboost doc builtins`).",
    subcommands: [BuiltinsDoc.self])

  struct BuiltinsDoc: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "builtins", abstract: "Markdown reference of every builtin, from the builtin tables.")
    func run() throws { printOut(withNewline(Builtins.markdownReference())) }
  }
}
