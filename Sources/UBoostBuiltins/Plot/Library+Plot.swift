import Foundation
import UBoostLang
import UBoostNAS
import UBoostPlot

// MARK: - The plot library

enum PlotLibrary {
  static let common = "file = nil, title: string = \"\", xlabel: string = \"\", ylabel: string = \"\", width = nil, height = nil"
  /// Axis options of line and scatter plots.
  static let axisOptions = "xlog: bool = false, ylog: bool = false, log = nil, xlim = nil, ylim = nil"

  static let library = BuiltinLibrary(
    name: "plot",
    doc: "Charts: drawn in the terminal (Unicode), or written to file: as SVG (.dot/.txt for graphs and text). Every chart is also handed to the notebook's plot sink.",
    entries: [
      BuiltinFunction("plot", "what, from = nil, to = nil, points: int = 200, x = nil, names = nil, " + axisOptions + ", " + common,
                      "Line plot of a function, a list of functions or a record name -> function (sampled from..to), of a list/1-D tensor of values or a record name -> values (against x:), or a heat map of a 2-D tensor / search result's alphas. Legend: record keys, function names or names:. xlog:/ylog: (or log: \"x\", \"y\", \"xy\") use log10 axes, xlim:/ylim: [low, high] fix the ranges. width:/height: are columns/lines in the terminal, and size the SVG (8 and 20 px each: default 80 x 20 = 640 x 400 px).") { a in
        try emit(try lineOrHeat(a), a)
      },
      BuiltinFunction("heatmap", "matrix, rows = nil, cols = nil, values: bool = true, " + common,
                      "Heat map of a matrix (list of lists or 2-D tensor) with optional row/column labels.") { a in
        let (m, rl, cl) = try matrix(try a.value("matrix"), a, "matrix")
        let rows = try labels(a, "rows") ?? rl ?? []
        let cols = try labels(a, "cols") ?? cl ?? []
        var hm = try Engine.run("heatmap") {
          try Heatmap(matrix: m, rowLabels: rows, columnLabels: cols, title: try a.string("title"),
                      xLabel: try a.string("xlabel"), yLabel: try a.string("ylabel"))
        }
        hm.showValues = try a.bool("values")
        return try emit(.heatmap(hm), a)
      },
      BuiltinFunction("bars", "values, labels = nil, vertical: bool = false, " + common,
                      "Bar chart of a list of numbers (labels:) or of a record name -> number.") { a in
        let v = try a.value("values")
        var names: [String] = []
        var vals: [Double] = []
        if case .record(let r) = v {
          for (k, x) in r.fields { names.append(k); vals.append(try number(x, a, "values")) }
        } else {
          vals = try numbers(v, a, "values")
          names = try labels(a, "labels") ?? []
        }
        let chart = try Engine.run("bars") {
          try BarChart(labels: names, values: vals, title: try a.string("title"), valueLabel: try a.string("ylabel"),
                       categoryLabel: try a.string("xlabel"), orientation: try a.bool("vertical") ? .vertical : .horizontal)
        }
        return try emit(.bars(chart), a)
      },
      BuiltinFunction("scatter", "x, y, labels = nil, pareto: bool = false, " + axisOptions + ", " + common,
                      "Scatter plot of points (x[i], y[i]); pareto: true marks the front minimizing x and maximizing y.") { a in
        let xs = try numbers(try a.value("x"), a, "x"), ys = try numbers(try a.value("y"), a, "y")
        let ls = try labels(a, "labels") ?? []
        var chart = try Engine.run("scatter") {
          try ScatterPlot(x: xs, y: ys, labels: ls, title: try a.string("title"), xLabel: try a.string("xlabel"),
                          yLabel: try a.string("ylabel"), pareto: try a.bool("pareto") ? ScatterPlot.Pareto() : nil)
        }
        chart.axes = try axes(a)
        return try emit(.scatter(chart), a)
      },
      BuiltinFunction("genotype_graph", "genotype, " + common,
                      "Draws a genotype (or search result) as a cell graph: text in the terminal, SVG or .dot with file:.") { a in
        try emit(.graph(try graph(a)), a)
      },
      BuiltinFunction("draw", "genotype, " + common, "Same as genotype_graph: draw(ms.genotype, file: \"cell.svg\").") { a in
        try emit(.graph(try graph(a)), a)
      },
    ])

  // MARK: Builders

  static func emit(_ chart: Chart, _ a: Arguments) throws -> Value {
    try PlotOutput.emit(chart, file: try a.optionalString("file"), a: a)
  }

  static func lineOrHeat(_ a: Arguments) throws -> Chart {
    let what = try a.value("what")
    let title = try a.string("title"), xl = try a.string("xlabel"), yl = try a.string("ylabel")
    // Heat maps: 2-D tensors and search results.
    if case .object(let o) = what {
      var t: TensorObject?
      if let r = o as? SearchResultObject { t = try r.alphaMatrix() }
      if let x = o as? TensorObject, x.tensor.rank == 2 { t = x }
      if let x = o as? AlphaTableObject { t = try x.labeledTensor() }
      if let t = t {
        let (m, rl, cl) = try matrix(.object(t), a, "what")
        return .heatmap(try Engine.run("plot") {
          try Heatmap(matrix: m, rowLabels: rl ?? [], columnLabels: cl ?? [], title: title, xLabel: xl, yLabel: yl)
        })
      }
    }
    if case .list(let l) = what, let first = l.items.first, case .list = first {
      let (m, _, _) = try matrix(what, a, "what")
      return .heatmap(try Engine.run("plot") { try Heatmap(matrix: m, title: title, xLabel: xl, yLabel: yl) })
    }
    // Functions (named by the record key, else their own name) and value series (against x:).
    var entries: [(name: String, value: Value)] = []
    if what.isCallable {
      entries = [(functionName(what), what)]
    } else if case .list(let l) = what, !l.items.isEmpty, l.items.allSatisfy({ $0.isCallable }) {
      entries = l.items.map { (functionName($0), $0) }
    } else if case .record(let r) = what {
      entries = r.fields.map { ($0.0, $0.1) }
    } else {
      entries = [("", what)]
    }
    let xs: [Double]? = try a.optionalValue("x").flatMap { $0.isNil ? nil : try numbers($0, a, "x") }
    var series: [Series] = []
    for (name, v) in entries {
      if v.isCallable {
        guard let lo = try a.optionalNumber("from"), let hi = try a.optionalNumber("to") else {
          throw LangError(.argument, "plot(): plotting a function needs from: and to:")
        }
        let n = try a.int("points")
        series.append(try Engine.run("plot") {
          try Series.sample({ x in try number(try a.interpreter.call(v, [.number(x)]), a, "what", result: true) },
                            from: lo, to: hi, points: n, name: name)
        })
      } else {
        let ys = try numbers(v, a, "what")
        if let xs = xs {
          guard xs.count == ys.count else {
            throw LangError(.value, "plot(x:): \(xs.count) x values but \(name.isEmpty ? "" : "series '\(name)' has ")\(ys.count) y values")
          }
          series.append(try Engine.run("plot") { try Series(name: name, x: xs, y: ys) })
        } else {
          series.append(Series(name: name, y: ys))
        }
      }
    }
    if let names = try labels(a, "names") {
      guard names.count == series.count else {
        throw LangError(.value, "plot(names:): \(names.count) names for \(series.count) series")
      }
      for i in series.indices { series[i].name = names[i] }
    }
    var chart = LinePlot(series: series, title: title, xLabel: xl, yLabel: yl)
    chart.axes = try axes(a)
    return .line(chart)
  }

  /// xlog:/ylog:/log: and xlim:/ylim: as axis options.
  static func axes(_ a: Arguments) throws -> AxisOptions {
    var xlog = try a.bool("xlog"), ylog = try a.bool("ylog")
    if let v = a.optionalValue("log"), !v.isNil {
      guard case .string(let s) = v, ["x", "y", "xy", "yx"].contains(s) else {
        throw LangError(.value, "\(a.function.name)(log:): expected \"x\", \"y\" or \"xy\", got \(v.repr)")
      }
      xlog = xlog || s.contains("x"); ylog = ylog || s.contains("y")
    }
    func limits(_ name: String) throws -> (Double, Double)? {
      guard let v = a.optionalValue(name), !v.isNil else { return nil }
      let xs = try numbers(v, a, name)
      guard xs.count == 2 else { throw LangError(.value, "\(a.function.name)(\(name):): expected [low, high], got \(v.repr)") }
      return (xs[0], xs[1])
    }
    let xl = try limits("xlim"), yl = try limits("ylim")
    return try Engine.run(a.function.name) { try AxisOptions(xLog: xlog, yLog: ylog, xLimits: xl, yLimits: yl) }
  }

  static func functionName(_ f: Value) -> String {
    switch f {
    case .builtin(let b): return b.name
    case .function(let c): return c.name.hasPrefix("<") ? "" : c.name
    default: return ""
    }
  }

  static func number(_ v: Value, _ a: Arguments, _ name: String, result: Bool = false) throws -> Double {
    switch v {
    case .number(let d): return d
    case .object(let o):
      if let t = o as? TensorObject, t.tensor.count == 1 { return Double(t.tensor.data[0]) }
    default: break
    }
    if result { throw LangError(.type, "\(a.function.name)(\(name):): the function must return a number, got \(v.typeName)") }
    throw a.typeError(name, expected: "number", got: v)
  }

  static func numbers(_ v: Value, _ a: Arguments, _ name: String) throws -> [Double] {
    if case .object(let o) = v, let t = o as? TensorObject {
      guard t.tensor.rank <= 1 else {
        throw LangError(.value, "\(a.function.name)(\(name):): expected a 1-D tensor, got shape \(t.tensor.shape)")
      }
      return t.tensor.data.map(Double.init)
    }
    guard let items = try Interpreter.elements(of: v) else { throw a.typeError(name, expected: "list of numbers", got: v) }
    return try items.map { try number($0, a, name) }
  }

  static func labels(_ a: Arguments, _ name: String) throws -> [String]? {
    guard let v = a.optionalValue(name), !v.isNil else { return nil }
    return try a.sequence(name).map { $0.description }
  }

  static func matrix(_ v: Value, _ a: Arguments, _ name: String) throws -> ([[Double]], [String]?, [String]?) {
    if case .object(let o as AlphaTableObject) = v { return try matrix(.object(try o.labeledTensor()), a, name) }
    if case .object(let o) = v, let t = o as? TensorObject {
      guard t.tensor.rank == 2 else {
        throw LangError(.value, "\(a.function.name)(\(name):): expected a 2-D tensor, got shape \(t.tensor.shape)")
      }
      let cols = t.tensor.shape[1]
      let rows = (0..<t.tensor.shape[0]).map { i in (0..<cols).map { Double(t.tensor.data[i * cols + $0]) } }
      return (rows, t.rowLabels, t.columnLabels)
    }
    guard let items = try Interpreter.elements(of: v) else { throw a.typeError(name, expected: "matrix (list of lists or 2-D tensor)", got: v) }
    return (try items.map { try numbers($0, a, name) }, nil, nil)
  }

  /// The cell graph of a genotype: inputs `c_k-1` (xp) and `c_k-2` (xpp), nodes `t1...`, edges
  /// labelled with their ops (and widths), and the output.
  static func graph(_ a: Arguments) throws -> GraphPicture {
    let v = try a.value("genotype")
    let g: Genotype
    switch v {
    case .object(let o as GenotypeObject): g = o.genotype
    case .object(let o as SearchResultObject): g = try Engine.run(a.function.name) { try o.supernet.net.genotype }
    case .object(let o as SupernetObject): g = try Engine.run(a.function.name) { try o.net.genotype }
    default: throw a.typeError("genotype", expected: "genotype or search result", got: v)
    }
    var pic = GraphPicture(title: try a.string("title"))
    for (ci, cell) in g.cells.enumerated() {
      let p = g.cells.count > 1 ? "cell\(ci + 1)/" : ""
      // Nodes that a live edge touches, in order.
      var used = Set<Int>()
      for (name, op) in cell.ops where op != .zero {
        for part in name.components(separatedBy: "_") where part.hasPrefix("t") {
          if let t = Int(part.dropFirst()) { used.insert(t) }
        }
      }
      let maxNode = used.max() ?? 0
      try Engine.run(a.function.name) {
        try pic.addNode(p + "xpp", label: "c_{k-2}")
        try pic.addNode(p + "xp", label: "c_{k-1}")
        for t in used.sorted() { try pic.addNode(p + "t\(t)", label: "t\(t)") }
        try pic.addNode(p + "out", label: "c_{k}")
        for (edge, op) in cell.ops.sorted(by: { $0.key < $1.key }) where op != .zero {
          let parts = edge.components(separatedBy: "_")
          guard parts.count == 2 else { continue }
          let width = cell.widths[edge].map { " (\($0))" } ?? ""
          try pic.addEdge(from: p + parts[0], to: p + parts[1], label: op.rawValue + width)
        }
        if maxNode > 0 { try pic.addEdge(from: p + "t\(maxNode)", to: p + "out") }
      }
    }
    return pic
  }
}
