// MARK: - Capture analysis
//
// Before compiling a function body the compiler needs to know which of its locals a nested
// function might capture: those live in heap cells, the rest in plain frame slots. The analysis
// is conservative and by name: every name mentioned inside any nested function literal.

enum CaptureAnalysis {
  /// Names mentioned inside function literals nested anywhere in `stmts`.
  static func namesInNestedFunctions(_ stmts: [Stmt]) -> Set<String> {
    var out = Set<String>()
    for s in stmts { visit(s, inFunction: false, &out) }
    return out
  }

  static func namesInNestedFunctions(_ e: Expr) -> Set<String> {
    var out = Set<String>()
    visit(e, inFunction: false, &out)
    return out
  }

  private static func visit(_ d: FunctionDecl, _ out: inout Set<String>) {
    if let n = d.name { out.insert(n) }
    for p in d.params {
      out.insert(p.name)
      if let e = p.defaultValue { visit(e, inFunction: true, &out) }
    }
    switch d.body {
    case .expression(let e): visit(e, inFunction: true, &out)
    case .block(let b): for s in b { visit(s, inFunction: true, &out) }
    }
  }

  private static func visit(_ p: Pattern, inFunction: Bool, _ out: inout Set<String>) {
    guard inFunction else { return }
    switch p {
    case .name(let n, _): out.insert(n)
    case .tuple(let ps, _): for q in ps { visit(q, inFunction: true, &out) }
    }
  }

  private static func visit(_ s: Stmt, inFunction f: Bool, _ out: inout Set<String>) {
    switch s {
    case .expression(let e): visit(e, inFunction: f, &out)
    case .binding(let p, let e, _, _):
      visit(p, inFunction: f, &out)
      visit(e, inFunction: f, &out)
    case .assign(let t, _, let v, _):
      visit(t, inFunction: f, &out)
      visit(v, inFunction: f, &out)
    case .function(let d):
      if f, let n = d.name { out.insert(n) }
      visit(d, &out)
    case .forIn(let p, let e, let b, _):
      visit(p, inFunction: f, &out)
      visit(e, inFunction: f, &out)
      for x in b { visit(x, inFunction: f, &out) }
    case .whileLoop(let c, let b, _):
      visit(c, inFunction: f, &out)
      for x in b { visit(x, inFunction: f, &out) }
    case .returnValue(let e, _):
      if let e = e { visit(e, inFunction: f, &out) }
    case .throwValue(let e, _):
      visit(e, inFunction: f, &out)
    case .breakLoop, .continueLoop, .importFile:
      break
    }
  }

  private static func visit(_ e: Expr, inFunction f: Bool, _ out: inout Set<String>) {
    switch e {
    case .number, .string, .bool, .nil_:
      break
    case .variable(let n, _):
      if f { out.insert(n) }
    case .interpolation(let parts, _):
      for p in parts { if case .expr(let x) = p { visit(x, inFunction: f, &out) } }
    case .list(let xs, _):
      for x in xs { visit(x, inFunction: f, &out) }
    case .record(let fields, _):
      for (_, x) in fields { visit(x, inFunction: f, &out) }
    case .unary(_, let x, _):
      visit(x, inFunction: f, &out)
    case .binary(_, let a, let b, _), .logical(_, let a, let b, _), .pipe(let a, let b, _), .index(let a, let b, _):
      visit(a, inFunction: f, &out)
      visit(b, inFunction: f, &out)
    case .range(let a, let b, _, let s, _):
      visit(a, inFunction: f, &out)
      visit(b, inFunction: f, &out)
      if let s = s { visit(s, inFunction: f, &out) }
    case .call(let c, let args, _):
      visit(c, inFunction: f, &out)
      for a in args { visit(a.value, inFunction: f, &out) }
    case .field(let x, _, _):
      visit(x, inFunction: f, &out)
    case .slice(let x, let a, let b, _):
      visit(x, inFunction: f, &out)
      if let a = a { visit(a, inFunction: f, &out) }
      if let b = b { visit(b, inFunction: f, &out) }
    case .multiIndex(let x, let items, _):
      visit(x, inFunction: f, &out)
      for item in items {
        switch item {
        case .at(let a): visit(a, inFunction: f, &out)
        case .slice(let a, let b):
          if let a = a { visit(a, inFunction: f, &out) }
          if let b = b { visit(b, inFunction: f, &out) }
        }
      }
    case .function(let d):
      visit(d, &out)
    case .ifElse(let c, let t, let el, _):
      visit(c, inFunction: f, &out)
      for s in t { visit(s, inFunction: f, &out) }
      for s in el ?? [] { visit(s, inFunction: f, &out) }
    case .tryCatch(let b, let n, let h, _):
      if f, let n = n { out.insert(n) }
      for s in b { visit(s, inFunction: f, &out) }
      for s in h { visit(s, inFunction: f, &out) }
    }
  }
}
