import Foundation
import UBoostBuiltins
import UBoostLang

// MARK: - The configurations a sweep script declares

/// A sweep script evaluated with its `sweep(configs, run)` call collected instead of run: the
/// parent uses it to know the configurations, each configuration's process to call `run`.
///
/// ```swift
/// let plan = try SweepPlan(file: "examples/sweep.uboost")
/// plan.declaration.configs.map(\.id)
/// ```
struct SweepPlan {
  let file: String
  let session: Session
  let declaration: SweepHost.Declaration

  /// Evaluates `file`; fails with the script's rendered error, or when it declares no sweep.
  /// `showProgress`: whether the evaluation may draw search progress (the parent's plan does not).
  init(file: String, showProgress: Bool = true) throws {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw SweepError("cannot read '\(file)'") }
    let host = SweepHost(mode: .collect)
    let session = try Session(sweep: host, showProgress: showProgress)
    let outcome = session.backend.evaluate(text, file: file, output: printOut)
    if let error = outcome.error { throw SweepError(error) }
    guard let declaration = host.declaration else {
      throw SweepError("\(file) declares no sweep: call sweep(configs, run) in it (see docs/sweeps.md)")
    }
    self.file = file
    self.session = session
    self.declaration = declaration
  }

  /// The configuration with this id.
  func config(id: String) throws -> SweepConfig {
    guard let c = declaration.configs.first(where: { $0.id == id }) else {
      throw SweepError("\(file) has no configuration with id \(id) (the script changed since the sweep started?)")
    }
    return c
  }
}
