// MARK: - Compiler: AST to closures
//
// The AST is compiled once into a tree of Swift closures ("closure compilation"). Every variable
// is resolved here to a frame slot, a heap cell (when a nested function may capture it), a
// capture of the enclosing closure, or a global slot, so running code never looks names up.

/// Per-function compile-time state.
final class FunctionScope {
  struct Local {
    let kind: LocalKind
    let mutable: Bool
  }

  let parent: FunctionScope?
  /// The top-level scope of a script; its outermost declarations are globals.
  let isScript: Bool
  var blocks: [[String: Local]] = [[:]]
  var slotCount = 0
  var cellCount = 0
  var captureIndex: [String: Int] = [:]
  var captureMutable: [Bool] = []
  var captureSources: [CaptureSource] = []
  let capturedNames: Set<String>
  var loopDepth = 0

  init(parent: FunctionScope?, isScript: Bool, capturedNames: Set<String>) {
    self.parent = parent
    self.isScript = isScript
    self.capturedNames = capturedNames
  }

  var declaresGlobals: Bool { isScript && blocks.count == 1 }

  func declare(_ name: String, mutable: Bool) -> LocalKind {
    let kind: LocalKind
    if capturedNames.contains(name) {
      kind = .cell(cellCount)
      cellCount += 1
    } else {
      kind = .slot(slotCount)
      slotCount += 1
    }
    blocks[blocks.count - 1][name] = Local(kind: kind, mutable: mutable)
    return kind
  }

  func findLocal(_ name: String) -> Local? {
    for b in blocks.reversed() { if let l = b[name] { return l } }
    return nil
  }

  /// Index of `name` among this function's captures, adding it (and chaining through enclosing
  /// functions) when it is a local of an enclosing function. Nil means global.
  func findCapture(_ name: String) -> (Int, Bool)? {
    if let i = captureIndex[name] { return (i, captureMutable[i]) }
    guard let p = parent else { return nil }
    let source: CaptureSource
    let mutable: Bool
    if let l = p.findLocal(name) {
      guard case .cell(let c) = l.kind else { return nil }
      source = .cell(c)
      mutable = l.mutable
    } else if let (j, m) = p.findCapture(name) {
      source = .capture(j)
      mutable = m
    } else {
      return nil
    }
    let i = captureSources.count
    captureSources.append(source)
    captureMutable.append(mutable)
    captureIndex[name] = i
    return (i, mutable)
  }
}

/// Boxed binding code (see `ExprBox`).
struct PatternStore {
  let run: (Frame, Value) -> Void
}
struct ThrowingStore {
  let run: (Frame, Value) throws -> Void
}

/// Where a name resolved to.
enum Resolved {
  case local(LocalKind, mutable: Bool)
  case capture(Int, mutable: Bool)
  case global(GlobalSlot)
}

final class Compiler {
  unowned let interp: Interpreter
  let file: SourceFile
  var scope: FunctionScope

  init(interpreter: Interpreter, file: SourceFile, capturedNames: Set<String>) {
    self.interp = interpreter
    self.file = file
    self.scope = FunctionScope(parent: nil, isScript: true, capturedNames: capturedNames)
  }

  func loc(_ p: Pos) -> SourceLocation {
    SourceLocation(file: file, line: Int(p.line), column: Int(p.column))
  }

  func compileError(_ message: String, _ p: Pos) -> LangError {
    LangError(.syntax, message, at: loc(p))
  }

  // MARK: Names

  func resolve(_ name: String) -> Resolved {
    // Top-level script declarations never enter `blocks` (they are globals), so any local found
    // here is a function local or a block local.
    if let l = scope.findLocal(name) { return .local(l.kind, mutable: l.mutable) }
    if let (i, m) = scope.findCapture(name) { return .capture(i, mutable: m) }
    return .global(interp.globalTable.slot(name))
  }

  func pushBlock() { scope.blocks.append([:]) }
  func popBlock() { scope.blocks.removeLast() }

  /// Compiles code that stores a value into a freshly declared name.
  func declare(_ name: String, mutable: Bool) -> (Frame, Value) -> Void {
    if scope.declaresGlobals {
      let g = interp.globalTable.slot(name)
      return { _, v in
        g.value = v
        g.mutable = mutable
      }
    }
    switch scope.declare(name, mutable: mutable) {
    case .slot(let s): return { f, v in f[slot: s] = v }
    case .cell(let c): return { f, v in f.cells[c] = Cell(v) }
    }
  }

  /// Compiles the binding of a pattern (name or tuple) to a value.
  func declare(_ pattern: Pattern, mutable: Bool) throws -> (Frame, Value) throws -> Void {
    switch pattern {
    case .name(let n, _):
      let store = declare(n, mutable: mutable)
      return { f, v in store(f, v) }
    case .tuple(let items, let p):
      let stores = try items.map { ThrowingStore(run: try declare($0, mutable: mutable)) }
      let location = loc(p)
      let n = items.count
      return { f, v in
        guard let elems = try Interpreter.elements(of: v) else {
          throw LangError(.type, "cannot destructure \(v.typeName) into \(n) names", at: location)
        }
        guard elems.count == n else {
          throw LangError(.value, "cannot destructure \(elems.count) values into \(n) names", at: location)
        }
        for i in 0..<n { try stores[i].run(f, elems[i]) }
      }
    }
  }
}

