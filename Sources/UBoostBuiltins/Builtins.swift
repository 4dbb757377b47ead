import Foundation
import UBoostLang
import UBoostTensor

// MARK: - Installing the engine into the language

/// Options for `Builtins.install`.
public struct BuiltinOptions {
  /// Load the stdlib (`core.uboost` and the engine-level files) after registering the libraries.
  public var loadStdlib: Bool
  /// A directory whose `*.uboost` files replace the embedded stdlib (default: `$UBOOST_STDLIB`).
  public var stdlibDirectory: URL?

  public init(loadStdlib: Bool = true,
              stdlibDirectory: URL? = ProcessInfo.processInfo.environment["UBOOST_STDLIB"].map { URL(fileURLWithPath: $0) }) {
    self.loadStdlib = loadStdlib
    self.stdlibDirectory = stdlibDirectory
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
  public static var libraries: [BuiltinLibrary] {
    [TensorLibrary.library, NNLibrary.library, HardwareLibrary.library, DataLibrary.library, NASLibrary.library, PlotLibrary.library]
  }

  /// Registers all engine libraries into `interpreter` and loads the stdlib.
  public static func install(into interpreter: Interpreter, options: BuiltinOptions = BuiltinOptions()) throws {
    for lib in libraries { interpreter.register(lib) }
  }

  /// Asks the running evaluation (interpreter loops and engine loops alike) to stop: Ctrl-C.
  public static func requestInterrupt() {
    Interrupt.request()
    EngineInterrupt.request()
  }

  /// Withdraws a pending interrupt request in both layers.
  public static func clearInterrupt() {
    Interrupt.clear()
    EngineInterrupt.clear()
  }
}
