import Foundation
import UBoostLang

// MARK: - Who runs a script's sweep

/// The owner of a session's `sweep(configs, run)` call: the `uboost` command that runs the script
/// decides whether the call runs the configurations itself or only declares them.
///
/// - `.inline` (a plain `uboost FILE`): `sweep` runs every configuration in this process, one
///   after the other, and returns `[{id, config, status, result}]`.
/// - `.collect` (`uboost sweep`, and each configuration's own process): `sweep` checks the
///   configurations, remembers them and the run function, and returns nil; the command then
///   starts the processes, or calls `run` on its one configuration.
///
/// ```swift
/// let host = SweepHost(mode: .collect)
/// let interp = try Builtins.makeInterpreter(options: BuiltinOptions(sweep: host))
/// try interp.run(source: "sweep(grid({seed: [0, 1]}), fn(c) => {loss: c.seed})", file: "s.uboost")
/// host.declaration?.configs.map(\.id)   // two ids
/// ```
public final class SweepHost {
  public enum Mode: Sendable {
    case inline
    case collect
  }

  /// The result fields the report's Pareto plot shows, as the script names them.
  public struct ParetoAxes {
    public var x: String?
    public var y: String?
    /// Whether smaller x (y) is better.
    public var xMinimized = true
    public var yMinimized = false
  }

  /// What a script's `sweep` call declared.
  public struct Declaration {
    /// The configurations in the script's order (ids are unique).
    public let configs: [SweepConfig]
    /// The script function `run(config)`.
    public let run: Value
    /// The Pareto plot's fields (the command line's --x/--y win).
    public let pareto: ParetoAxes
  }

  public let mode: Mode
  /// Set by the script's `sweep` call in `.collect` mode.
  public private(set) var declaration: Declaration?

  public init(mode: Mode = .inline) { self.mode = mode }

  /// Checks and records (or runs) a sweep; the body of the `sweep` builtin.
  func sweep(_ configValues: [Value], run: Value, pareto: ParetoAxes, interpreter: Interpreter) throws -> Value {
    guard !configValues.isEmpty else { throw LangError(.value, "sweep(configs:): the list of configurations is empty") }
    var configs: [SweepConfig] = []
    var seen: [String: Int] = [:]
    for (i, v) in configValues.enumerated() {
      let c: SweepConfig
      do { c = try SweepConfig(v) } catch let e as LangError {
        throw LangError(e.kind, "sweep(configs:): configuration \(i): \(e.message)")
      }
      if let j = seen[c.id] {
        throw LangError(.value, "sweep(configs:): configurations \(j) and \(i) are the same (\(c.json))")
      }
      seen[c.id] = i
      configs.append(c)
    }
    switch mode {
    case .collect:
      guard declaration == nil else { throw LangError(.value, "sweep(): a script declares one sweep; this is the second call") }
      declaration = Declaration(configs: configs, run: run, pareto: pareto)
      return .nil_
    case .inline:
      return .list(try configs.map { c in
        let result = try SweepHost.outputs(of: try interpreter.call(run, [c.value]))
        return .record([("id", .string(c.id)), ("config", c.value), ("status", .string("ok")), ("result", result)])
      })
    }
  }

  /// Checks what `run(config)` returned: a record whose fields are plain values (numbers,
  /// strings such as paths, bools, nil, lists, records).
  public static func outputs(of v: Value) throws -> Value {
    guard case .record(let r) = v else {
      throw LangError(.type, "sweep(run:): run(config) must return a record of numbers, strings or paths, got \(v.typeName)")
    }
    for (k, x) in r.fields {
      do { _ = try x.jsonText() } catch {
        throw LangError(.type, "sweep(run:): field '\(k)' of the result is a \(x.typeName); return numbers, strings, bools or lists (e.g. r.top1, not the network)")
      }
    }
    return v
  }
}
