import Foundation
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Installing the engine into the language

/// Options for `Builtins.install`.
///
/// ```swift
/// // Develop the stdlib without regenerating the embedded copy:
/// let opts = BuiltinOptions(stdlibDirectory: URL(fileURLWithPath: "stdlib"))
/// try Builtins.install(into: interp, options: opts)
/// ```
public struct BuiltinOptions {
  /// Load the stdlib (`core.uboost` and the engine-level files) after registering the libraries.
  public var loadStdlib: Bool
  /// A directory whose `*.uboost` files replace the embedded stdlib (default: `$UBOOST_STDLIB`).
  public var stdlibDirectory: URL?
  /// Who runs the script's `sweep(configs, run)`: this process (the default) or a `uboost sweep` command.
  public var sweep: SweepHost

  public init(loadStdlib: Bool = true,
              stdlibDirectory: URL? = ProcessInfo.processInfo.environment["UBOOST_STDLIB"].map { URL(fileURLWithPath: $0) },
              sweep: SweepHost = SweepHost()) {
    self.loadStdlib = loadStdlib
    self.stdlibDirectory = stdlibDirectory
    self.sweep = sweep
  }
}

/// The builtins layer: binds tensors, hardware models, NAS and plots into the language.
///
/// ```swift
/// let interp = Interpreter(loadStdlib: false)
/// try Builtins.install(into: interp)
/// try interp.evaluate("let hw = systolic(rows: 128, cols: 128)\nhw.cost(conv(k: 3, cin: 64, cout: 129, out: [32, 32]))")
/// ```
public enum Builtins {
  /// Every engine library, in registration order (one table per domain).
  public static var libraries: [BuiltinLibrary] { libraries(sweep: SweepHost()) }

  /// The engine libraries with the sweep library bound to `sweep`.
  static func libraries(sweep: SweepHost) -> [BuiltinLibrary] {
    // sgd_step / adam_step and the search session share one interpreter's optimizer state.
    let optimizers = ScriptOptimizers()
    return [TensorLibrary.library, NNLibrary.library(optimizers: optimizers), HardwareLibrary.library, DataLibrary.library,
            NASLibrary.library, SearchLibrary.library(optimizers: optimizers), ArchLibrary.library, PlotLibrary.library,
            SweepLibrary.library(sweep)]
  }

  /// Registers all engine libraries into `interpreter` and loads the stdlib.
  ///
  /// Order: the language stdlib (files not marked `# requires: engine`), then the engine
  /// libraries, then the engine stdlib (presets, losses). No engine library redefines a name
  /// the language defines: the tensor versions of `sum`, `mean`, `exp`, ... are overloads that
  /// a tensor receiver picks (the dispatch rule, UBoostLang's `Dispatch`).
  public static func install(into interpreter: Interpreter, options: BuiltinOptions = BuiltinOptions()) throws {
    MemoryWatchdog.start()
    let files = options.loadStdlib ? try Stdlib.sources(options) : []
    if options.loadStdlib, let dir = options.stdlibDirectory { interpreter.searchPaths.append(dir) }
    try Stdlib.run(files.filter { !$0.1.hasPrefix(Stdlib.engineMarker) }, into: interpreter)
    for lib in libraries(sweep: options.sweep) { interpreter.register(lib) }
    try Stdlib.run(files.filter { $0.1.hasPrefix(Stdlib.engineMarker) }, into: interpreter)
  }

  /// Restores what `install` defined after `Interpreter.reset()` cleared the globals, in the
  /// same order (language stdlib, engine builtins, engine stdlib), without registering the
  /// libraries again: the registry still holds them, so `:help` lists each once.
  ///
  /// ```swift
  /// interp.reset()
  /// try Builtins.reinstall(into: interp)
  /// ```
  public static func reinstall(into interpreter: Interpreter, options: BuiltinOptions = BuiltinOptions()) throws {
    let files = options.loadStdlib ? try Stdlib.sources(options) : []
    try Stdlib.run(files.filter { !$0.1.hasPrefix(Stdlib.engineMarker) }, into: interpreter)
    let engine = Set(libraries(sweep: options.sweep).map(\.name))
    for lib in interpreter.registry.libraries where engine.contains(lib.name) { interpreter.defineNames(of: lib) }
    try Stdlib.run(files.filter { $0.1.hasPrefix(Stdlib.engineMarker) }, into: interpreter)
  }

  /// A fresh interpreter with the engine installed (embedded stdlib, output to `output`).
  public static func makeInterpreter(output: @escaping (String) -> Void = { print($0, terminator: "") },
                                     options: BuiltinOptions = BuiltinOptions()) throws -> Interpreter {
    let interp = Interpreter(output: output, loadStdlib: false)
    try install(into: interp, options: options)
    return interp
  }

  /// The Markdown reference of every builtin (core and engine) and of the stdlib functions:
  /// the content of docs/builtins.md.
  public static func markdownReference() -> String {
    let interp = Interpreter(output: { _ in }, loadStdlib: false)
    try? install(into: interp, options: BuiltinOptions(loadStdlib: true, stdlibDirectory: nil))
    var out = interp.registry.markdown()
    out += """

    ## Conventions of the engine builtins

    - Numbers are doubles; tensors are Float32. `grad(f, x)` passes a number `x` to `f` as a 0-d tensor and
      returns a number; for a tensor `x` it returns a tensor of `x`'s shape. `f` may use any engine op,
      `smooth_ceil` and `hw.cost` included: their analytic derivatives are recorded on the tape.
    - Labels are tensors of class indices (`batch.y`); `cross_entropy` and `accuracy` also take lists.
    - A search loss is a function `loss(out, y)` with `out = {logits, latency, util}` (one-element
      tensors for latency and util) returning a one-element tensor; it runs once per step.
    - Layers take channel counts as numbers or one-element tensors; `hw.cost` then returns tensors for
      `latency_ms`, `util` and `cycles`.
    - Charts print as text without `file:`, and are written as SVG (`.dot`/`.txt` for graphs and text)
      with it; every chart also goes to the notebook's plot sink.
    - Engine errors keep the engine's message: shape errors name the op and the shapes (`value` errors),
      missing files are `io` errors, Ctrl-C is `interrupted`.

    """
    out += "\n## stdlib (written in uboost)\n\nLoaded at start-up from the embedded `stdlib/*.uboost`.\n\n"
    out += "| function | file | description |\n|---|---|---|\n"
    for f in Stdlib.documentedFunctions() {
      out += "| `\(f.signature.replacingOccurrences(of: "|", with: "\\|"))` | \(f.file) | \(f.doc.replacingOccurrences(of: "|", with: "\\|")) |\n"
    }
    return out
  }

  /// Asks the running evaluation (interpreter loops and engine loops alike) to stop: Ctrl-C.
  /// Sets the one interrupt token both layers poll (an atomic store: safe from a signal
  /// handler). The evaluation then fails with the language's `interrupted` error; hosts
  /// should call `clearInterrupt()` before an evaluation starts so no request outlives it.
  ///
  /// ```swift
  /// Builtins.clearInterrupt()
  /// signal(SIGINT) { _ in Builtins.requestInterrupt() }
  /// ```
  public static func requestInterrupt() { Interrupt.request() }

  /// Withdraws a pending interrupt request.
  public static func clearInterrupt() { Interrupt.clear() }
}
