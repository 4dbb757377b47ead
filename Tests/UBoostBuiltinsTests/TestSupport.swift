import Foundation
import UBoostBuiltins
import UBoostLang

/// Paths and helpers shared by the builtins tests.
enum TestSupport {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let scriptsDir = root.appendingPathComponent("Tests/scripts").resolvingSymlinksInPath()
  static let stdlibDir = root.appendingPathComponent("stdlib")
  static let docsFile = root.appendingPathComponent("docs/builtins.md")

  /// A fresh interpreter with the engine installed, writing to `out`.
  static func interpreter(_ out: @escaping (String) -> Void) -> Interpreter {
    if let i = try? Builtins.makeInterpreter(output: out, options: BuiltinOptions(loadStdlib: true, stdlibDirectory: nil)) {
      i.engine.progress.enabled = false
      i.engine.plots.color = false
      // `import "core.uboost"` finds the stdlib, as in the language's own script tests.
      i.searchPaths.append(stdlibDir)
      return i
    }
    return Interpreter(output: out, loadStdlib: false)
  }

  /// Runs `source` and returns its printed output (throws the script's error).
  static func run(_ source: String) throws -> String {
    final class Sink: @unchecked Sendable { var text = "" }
    let sink = Sink()
    let interp = interpreter { sink.text += $0 }
    try interp.run(source: source, file: "<test>")
    return sink.text
  }

  /// Evaluates `source` and returns the value of its last expression.
  static func eval(_ source: String) throws -> Value {
    let interp = interpreter { _ in }
    return try interp.run(source: source, file: "<test>")
  }
}
