import Foundation
import UBoostLang

// MARK: - The sweep library

enum SweepLibrary {
  /// The library bound to one session's sweep host.
  static func library(_ host: SweepHost) -> BuiltinLibrary {
    BuiltinLibrary(
      name: "sweep",
      doc: "Sweeps of runs: `grid` makes the configurations, `sweep(configs, run)` declares them with the function that runs one. `uboost sweep FILE -o DIR` runs each configuration in its own process (locally or as a Slurm job array, see docs/sweeps.md); a plain `uboost FILE` runs them one after the other in this process.",
      entries: [
        BuiltinFunction("grid", "axes",
                        "Every combination of the values of a record of lists, the last field varying fastest: grid({a: [1, 2], b: [0]}) is [{a: 1, b: 0}, {a: 2, b: 0}].") { a in
          let axes = try a.record("axes")
          var combos: [[(String, Value)]] = [[]]
          for (k, v) in axes.fields {
            let values: [Value]
            switch v {
            case .list(let l): values = l.items
            case .range(let r): values = try r.materialize()
            default: throw LangError(.type, "grid(axes:): field '\(k)' must be a list of values, got \(v.typeName)")
            }
            guard !values.isEmpty else { throw LangError(.value, "grid(axes:): field '\(k)' has no values") }
            guard combos.count * values.count <= 100_000 else {
              throw LangError(.limit, "grid(axes:): more than 100000 combinations")
            }
            combos = combos.flatMap { prefix in values.map { prefix + [(k, $0)] } }
          }
          return .list(combos.map { Value.record($0) })
        },
        BuiltinFunction("sweep", "configs, run",
                        "Declares a sweep: run(config) is called once per configuration (a record) and returns a record of numbers, strings or paths. Under `uboost sweep` it returns nil (the command runs the configurations); otherwise it runs them here and returns [{id, config, status, result}].") { a in
          let configs = try a.sequence("configs")
          let run = try a.callable("run")
          return try host.sweep(configs, run: run, interpreter: a.interpreter)
        },
      ])
  }
}
