import UBoostHardware
import UBoostLang
import UBoostNAS
import UBoostPlot
import UBoostTensor

// MARK: - Engine errors as language errors
//
// The engine layers throw their own typed errors. A builtin never lets one escape as a foreign
// Swift error: `Engine.run` converts it into a `LangError` that keeps the engine's message (which
// names shapes, parameters and files) and picks the error class a script's `catch` sees as
// `e.kind`.

enum Engine {
  /// Runs engine code on behalf of builtin `function`, converting engine errors.
  ///
  /// ```swift
  /// let y = try Engine.run("matmul") { try matmul(a, b) }
  /// ```
  @inline(__always)
  static func run<T>(_ function: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw convert(error, function: function) }
  }

  /// The language error for an engine (or already language) error.
  static func convert(_ error: Error, function: String) -> Error {
    switch error {
    case let e as LangError: return e
    case let e as TensorError: return convert(e, function: function)
    case let e as HardwareError: return convert(e, function: function)
    case let e as NASError: return convert(e, function: function)
    case let e as PlotError: return LangError(.value, prefixed(function, e.description))
    default: return LangError(.internal, "\(function)(): \(error)")
    }
  }

  /// `fn(): message`, without repeating a name the engine message already starts with and
  /// without a prefix for operators (whose engine op name says enough).
  static func prefixed(_ function: String, _ message: String) -> String {
    if function.hasPrefix("'") || message.hasPrefix(function + ":") { return message }
    return "\(function)(): \(message)"
  }

  static func convert(_ e: TensorError, function: String) -> LangError {
    switch e {
    case .interrupted:
      // The engine consumed the token when it threw; nothing is left to clear.
      return LangError(.interrupted, "interrupted")
    case .shapeMismatch, .invalidShape:
      return LangError(.value, prefixed(function, e.description))
    case .invalidArgument:
      return LangError(.argument, prefixed(function, e.description))
    case .tooLarge, .outOfMemory, .memoryShortage:
      return LangError(.limit, prefixed(function, e.description))
    case .noGradient:
      return LangError(.value, prefixed(function, e.description))
    }
  }

  static func convert(_ e: HardwareError, function: String) -> LangError {
    switch e {
    case .unreadableFile, .cannotRead, .cannotWrite:
      return LangError(.io, prefixed(function, e.description))
    case .invalidParameter, .missingKey, .outOfRange, .malformedTable, .unsupportedLayer, .fileFormat, .missingKeys:
      return LangError(.value, prefixed(function, e.description))
    }
  }

  static func convert(_ e: NASError, function: String) -> LangError {
    switch e {
    case .dataMissing, .io:
      return LangError(.io, prefixed(function, e.description))
    case .invalidConfig, .badData, .decompression, .nanLoss, .emptyCell, .badArchState, .badCheckpoint, .badInput:
      return LangError(.value, prefixed(function, e.description))
    }
  }

  /// Throws the language's `interrupted` error (consuming the request) when Ctrl-C was requested.
  static func checkInterrupt() throws { try Interrupt.checkpoint() }
}
