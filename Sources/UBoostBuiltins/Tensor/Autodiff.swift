import UBoostLang
import UBoostTensor

// MARK: - Differentiating script functions
//
// `grad(f, x)` makes a fresh trainable leaf holding x's values, calls the script function f on
// it (every engine op f uses records on the tape, including smooth ceilings and hardware costs),
// back-propagates the one-element result and returns the leaf's gradient. A number x is passed
// as a 0-d tensor and the derivative comes back as a number.

enum Autodiff {
  static func grad(_ a: Arguments) throws -> Value {
    let f = try a.callable("f")
    let xv = try a.value("x")
    let numberInput: Bool
    let source: Tensor
    switch xv {
    case .number(let d):
      numberInput = true
      source = Tensor(scalar: Float(d))
    default:
      numberInput = false
      source = try a.tensor("x")
    }
    let leaf = try Engine.run("grad") { try Tensor(shape: source.shape, data: source.data) }.trainable()
    let saved = GradMode.isEnabled
    GradMode.isEnabled = true
    defer { GradMode.isEnabled = saved }
    let r = try a.interpreter.call(f, [TensorObject.value(leaf)])
    let g: [Float]
    switch r {
    case .number:
      // The result does not depend on x.
      g = [Float](repeating: 0, count: leaf.count)
    case .object(let o):
      guard let t = o as? TensorObject else {
        throw LangError(.type, "grad(f:): f must return a number or a one-element tensor, got \(r.typeName)")
      }
      guard t.tensor.count == 1 else {
        throw LangError(.value, "grad(f:): f must return a one-element value, got a tensor of shape \(t.tensor.shape) (wrap it in sum(...))")
      }
      if t.tensor.requiresGrad {
        try Engine.run("grad") { try t.tensor.backward() }
        g = leaf.gradData ?? [Float](repeating: 0, count: leaf.count)
      } else {
        g = [Float](repeating: 0, count: leaf.count)
      }
    default:
      throw LangError(.type, "grad(f:): f must return a number or a one-element tensor, got \(r.typeName)")
    }
    if numberInput { return .number(Double(g.first ?? 0)) }
    return TensorObject.value(try Engine.run("grad") { try Tensor(shape: leaf.shape, data: g) })
  }
}
