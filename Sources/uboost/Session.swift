import Foundation
import UBoostBuiltins
import UBoostLang
import UBoostREPL
import UBoostTensor

// MARK: - One interpreter session with the engine installed

/// The interpreter with every builtin library and the stdlib, wrapped for the REPL, notebooks
/// and lessons.
final class Session {
  let interpreter: Interpreter
  let backend: InterpreterBackend

  /// `sweep`: who runs the script's `sweep(configs, run)` (default: the script itself);
  /// `showProgress`: whether search and training draw progress on stderr.
  init(arguments: [String] = [], sweep: SweepHost = SweepHost(), showProgress: Bool = true) throws {
    let options = BuiltinOptions(sweep: sweep)
    interpreter = try Builtins.makeInterpreter(output: printOut, options: options)
    interpreter.engine.progress.enabled = showProgress
    // A fresh list each time: a script that changed `args` does not leak past :reset.
    let args = { Value.list(arguments.map { Value.string($0) }) }
    interpreter.define("args", args())
    backend = InterpreterBackend(interpreter: interpreter)
    backend.interruptHook = { Builtins.requestInterrupt() }
    backend.beforeEvaluation = { Builtins.clearInterrupt() }
    backend.afterReset = { [unowned interpreter] in
      do { try Builtins.reinstall(into: interpreter, options: options) } catch { printError("uboost: reinstalling builtins after :reset failed: \(error)") }
      interpreter.define("args", args())
    }
    let capture = PlotCollector()
    interpreter.engine.plots.sink = { name, svg in capture.add(name: name, svg: svg) }
    backend.plotsProvider = { capture.take() }
    backend.lessonHook = { [unowned backend] name, output, pause in
      LessonRunner.runFromREPL(name, backend: backend, output: output, pause: pause)
    }
    backend.refreshBaseline()
  }

  /// Ctrl-C while a script runs: stop the evaluation (a second Ctrl-C exits at once).
  func installSignalHandler() {
    Builtins.clearInterrupt()  // initialises the token here, never inside the handler
    signal(SIGINT) { _ in
      if Interrupt.isRequested { _exit(130) }
      Builtins.requestInterrupt()
    }
  }
}

/// Plots a session made since the last notebook cell.
final class PlotCollector {
  private var plots: [PlotImage] = []
  private let lock = NSLock()
  func add(name: String, svg: String) { lock.lock(); plots.append(PlotImage(name: name, svg: svg)); lock.unlock() }
  func take() -> [PlotImage] { lock.lock(); defer { plots = []; lock.unlock() }; return plots }
}
