import Foundation
import UBoostLang
import UBoostNAS

// MARK: - The engine's state, one per interpreter

/// Everything the engine remembers between builtin calls, owned by one interpreter: where its
/// charts and warnings go, which warnings it already showed, where progress goes, and the data
/// sets it loaded. Builtins reach it through `a.interpreter.engine`; front ends (the REPL
/// session, the notebook and lesson runners, the CLI, a sweep worker) set the sinks on *their*
/// interpreter's context. Two interpreters in one process never see each other's state.
///
/// The language knows nothing of it: the context lives in the interpreter's opaque
/// `extensions` store, made on first use.
///
/// ```swift
/// let interp = try Builtins.makeInterpreter()
/// interp.engine.plots.sink = { name, svg in saved[name] = svg }
/// interp.engine.warnings.sink = { print("warning:", $0) }
/// interp.engine.progress.enabled = false
/// ```
///
/// Not here, on purpose: the tape's grad mode is per *thread* (`GradMode`; every interpreter
/// evaluates on a thread of its own), and `Tensor.maxElements` and the thread count
/// (`Parallel.threads`) are process configuration: they describe the machine (memory, cores)
/// the one process runs on, are set once from the command line, and a per-interpreter value
/// would not make two interpreters share the cores any better.
public final class EngineContext {
  /// Where charts go.
  public var plots = PlotCapture()
  /// Engine warnings (each distinct message once for this interpreter).
  public let warnings = Warnings()
  /// Progress bars and log lines of `search`, `train` and friends.
  public var progress = ProgressOutput()
  /// Data sets this interpreter loaded (decoded once, kept while the interpreter lives).
  let datasets = DataCache()

  public init() {}
}

extension Interpreter {
  /// This interpreter's engine context (made on first use).
  public var engine: EngineContext { extensions.get(EngineContext.self) { EngineContext() } }
}
