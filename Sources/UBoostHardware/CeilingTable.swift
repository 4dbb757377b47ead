import Foundation

// MARK: - Smooth-ceiling error table (`uboost hw ceil-table`)

/// Error of each smooth ceiling against `ceil` and its gradient mass, as a text table.
///
/// Columns: max and mean `|f - ceil|` on `x in (0, 12]` sampled every 1/512 excluding points within
/// `away` of an integer jump; `f(k)-k`, the error at the integers; the error at `k + 1/128`
/// (just past a jump); `f(9/128)` (a 3x3 depthwise on 128 rows, ceil 1); and the gradient mass `int f'(x) dx` over one period (ideal 1) with the share
/// of it lying within `away` of the jump.
/// ```swift
/// print(ceilingErrorTable())
/// ```
public func ceilingErrorTable(temperatures: [Double] = [8, 16, 32, 64, 128, 512, 2048], away: Double = 0.1,
                              upTo: Int = 12) -> String {
  var kinds: [CeilingKind] = [.reference]
  for t in temperatures { kinds.append(.sigmoidSum(temperature: t)) }
  for t in temperatures { kinds.append(.corrected(temperature: t)) }
  var lines = ["| ceiling | max abs err (away) | mean abs err (away) | f(k)-k | f(k+1/128)-(k+1) | f(9/128) (ceil 1) | grad mass/step | mass near jump |",
               "|---|---|---|---|---|---|---|---|"]
  let step = 1.0 / 512
  for kind in kinds {
    var maxE = 0.0, sumE = 0.0, count = 0
    var atInt = 0.0, justPast = 0.0
    var x = step
    while x <= Double(upTo) {
      let nearest = x.rounded()
      if abs(x - nearest) > away {
        let e = abs(kind.evaluate(x).value - x.rounded(.up))
        maxE = max(maxE, e)
        sumE += e
        count += 1
      }
      x += step
    }
    // Errors at the integers and just past them, averaged over k = 1..upTo-1.
    for k in 1..<upTo {
      atInt += kind.evaluate(Double(k)).value - Double(k)
      justPast += kind.evaluate(Double(k) + 1.0 / 128).value - Double(k + 1)
    }
    atInt /= Double(upTo - 1)
    justPast /= Double(upTo - 1)
    // Gradient mass over the period (5.5, 6.5] around the jump at 6 (midpoint rule).
    var mass = 0.0, near = 0.0
    let h = 1.0 / 4096
    var t = 5.5 + h / 2
    while t < 6.5 {
      let g = kind.evaluate(t).grad * h
      mass += g
      if abs(t - 6) <= away { near += g }
      t += h
    }
    let share = mass > 0 ? near / mass : 0
    lines.append("| \(kind) | \(f4(maxE)) | \(f4(sumE / Double(max(count, 1)))) | \(f4(atInt)) | \(f4(justPast)) | \(f4(kind.evaluate(9.0 / 128).value)) | \(f4(mass)) | \(f4(share)) |")
  }
  return lines.joined(separator: "\n")
}

func f4(_ x: Double) -> String { String(format: "%.4f", x) }
