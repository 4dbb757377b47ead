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
        BuiltinFunction("sweep", "configs, run, x = nil, y = nil, x_better: string = \"min\", y_better: string = \"max\"",
                        "Declares a sweep: run(config) is called once per configuration (a record) and returns a record of numbers, strings or paths; x, y name the result fields of the report's Pareto plot (min or max is better). Under `uboost sweep` it returns nil (the command runs the configurations); otherwise it runs them here and returns [{id, config, status, result}].") { a in
          let configs = try a.sequence("configs")
          let run = try a.callable("run")
          var plot = SweepHost.ParetoAxes(x: try a.optionalString("x"), y: try a.optionalString("y"))
          for (name, keyPath) in [("x_better", \SweepHost.ParetoAxes.xMinimized), ("y_better", \SweepHost.ParetoAxes.yMinimized)] {
            switch try a.string(name) {
            case "min": plot[keyPath: keyPath] = true
            case "max": plot[keyPath: keyPath] = false
            case let other: throw LangError(.value, "sweep(\(name):): expected \"min\" or \"max\", got \"\(other)\"")
            }
          }
          return try host.sweep(configs, run: run, pareto: plot, interpreter: a.interpreter)
        },
      ])
  }
}
