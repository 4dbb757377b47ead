import Foundation
import UBoostLang

// MARK: - The interpreter against CPython on the same small programs

/// `uboost bench lang`: runs each program in uboost (in-process, timed around `run`) and in
/// `python3` (timed inside Python with `perf_counter`, so neither side pays start-up), median of
/// `reps` runs, and prints the ratio uboost/python (below 1 means uboost is faster).
enum LangBenchmark {
  struct Program {
    let name: String
    let uboost: String
    let python: String
  }

  static let programs: [Program] = [
    Program(name: "fib(25)",
            uboost: "fn fib(n) = if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\nfib(25)",
            python: "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(25)"),
    Program(name: "loop 10^6",
            uboost: "var s = 0\nvar i = 0\nwhile i < 1000000 { s += i\n i += 1 }\ns",
            python: "s = 0\ni = 0\nwhile i < 1000000:\n    s += i\n    i += 1"),
    Program(name: "for-range 10^6",
            uboost: "var s = 0\nfor i in 0..<1000000 { s += i * 2 }\ns",
            python: "s = 0\nfor i in range(1000000):\n    s += i * 2"),
    Program(name: "list build 10^5",
            uboost: "var xs = []\nfor i in 0..<100000 { append(xs, i * i) }\nlen(xs)",
            python: "xs = []\nfor i in range(100000):\n    xs.append(i * i)\nlen(xs)"),
    Program(name: "record access 10^6",
            uboost: "let r = {rows: 128, cols: 128, batch: 64}\nvar s = 0\nfor i in 0..<1000000 { s += r.rows + r.cols }\ns",
            python: "r = {'rows': 128, 'cols': 128, 'batch': 64}\ns = 0\nfor i in range(1000000):\n    s += r['rows'] + r['cols']"),
  ]

  static func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : s[s.count / 2]
  }

  static func timeUboost(_ p: Program, reps: Int) throws -> Double {
    var times: [Double] = []
    for _ in 0..<reps {
      let interp = Interpreter(output: { _ in }, loadStdlib: false)
      let t0 = DispatchTime.now().uptimeNanoseconds
      _ = try interp.run(source: p.uboost, file: "<bench>")
      times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return median(times)
  }

  static func timePython(_ p: Program, reps: Int) -> Double? {
    let code = """
      import time, statistics
      src = \(pythonStringLiteral(p.python))
      ts = []
      for _ in range(\(reps)):
          g = {}
          t0 = time.perf_counter(); exec(src, g); ts.append(time.perf_counter() - t0)
      print(statistics.median(ts))
      """
    let proc = Process()
    proc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    proc.arguments = ["python3", "-c", code]
    let pipe = Pipe()
    proc.standardOutput = pipe
    proc.standardError = FileHandle.nullDevice
    do { try proc.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    proc.waitUntilExit()
    guard proc.terminationStatus == 0 else { return nil }
    return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }

  static func pythonStringLiteral(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n") + "\""
  }

  static func run(reps: Int = 5) throws -> String {
    var out = "uboost interpreter vs python3 (median of \(reps) runs, program time only)\n\n"
    out += "| program | uboost (s) | python3 (s) | uboost / python |\n|---|---|---|---|\n"
    for p in programs {
      let u = try timeUboost(p, reps: reps)
      let py = timePython(p, reps: reps)
      let ratio = py.map { String(format: "%.2f", u / $0) } ?? "n/a (python3 not found)"
      out += "| \(p.name) | \(String(format: "%.4f", u)) | \(py.map { String(format: "%.4f", $0) } ?? "-") | \(ratio) |\n"
    }
    return out
  }
}
