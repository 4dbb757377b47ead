import Foundation

// MARK: - Interpreter

/// Runs uboost programs. Globals persist across `run`/`evaluate` calls (the REPL's bindings).
///
/// ```swift
/// let interp = Interpreter()                       // core builtins + stdlib/core.uboost
/// let v = try interp.evaluate("fn sq(x) = x * x\nsq(7)")   // .number(49)
/// interp.register(myEngineLibrary)                 // later registration wins
/// ```
/// Evaluation runs on a dedicated thread with a large stack; recursion is limited to
/// `maxCallDepth` nested calls and additionally guarded by the remaining stack, so no script can
/// overflow the Swift stack.
public final class Interpreter {
  // MARK: State

  let globalTable = GlobalTable()
  /// All builtins registered so far.
  public let registry = BuiltinRegistry()
  /// Per-interpreter state of host layers (the engine's `EngineContext`), opaque to the language.
  public let extensions = InterpreterExtensions()
  /// Directories searched by `import` after the importing file's own directory.
  public var searchPaths: [URL] = []
  /// Maximum number of nested function calls.
  public var maxCallDepth = 10_000
  /// Receives everything the script prints.
  public var output: (String) -> Void
  /// The directory `temp_dir()` returns: by default a fresh directory under the system's
  /// temporary folder, made the first time a script asks for it. The script test runner sets one
  /// per script run.
  public var scratchDirectory: URL {
    get {
      if let d = scratch { return d }
      let d = FileManager.default.temporaryDirectory
        .appendingPathComponent("uboost-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
      scratch = d
      return d
    }
    set { scratch = newValue }
  }
  private var scratch: URL?

  var depth = 0
  /// State of `random()`.
  var random = SplitMix(seed: 42)
  private var imported = Set<String>()
  private var running = false
  private var stackStart: UInt = 0
  /// Stack reserved for the evaluation thread.
  static let stackSize = 512 << 20
  /// Stack left unused as a safety margin (builtins, printing, Swift runtime).
  static let stackMargin = 8 << 20
  private let loadsStdlib: Bool

  /// Creates an interpreter with the core builtin libraries and, if `loadStdlib`, the language
  /// stdlib (`stdlib/*.uboost` not marked `# requires: engine`).
  public init(output: @escaping (String) -> Void = { print($0, terminator: "") }, loadStdlib: Bool = true) {
    self.output = output
    self.loadsStdlib = loadStdlib
    installCore()
  }

  /// Errors from loading the stdlib at start-up (the REPL shows them; they are not fatal).
  public private(set) var startupErrors: [LangError] = []

  private func installCore() {
    for lib in CoreLibraries.all { register(lib) }
    if loadsStdlib, let dir = Interpreter.stdlibDirectory() {
      searchPaths.append(dir)
      do { try loadStdlib(from: dir, includeEngine: false) } catch let e as LangError {
        startupErrors.append(e)
      } catch {
        startupErrors.append(LangError(.internal, "\(error)"))
      }
    }
  }

  // MARK: Running code

  /// Runs a program; returns the value of its last statement when that is an expression.
  /// `firstLine` numbers the source's first line (for a notebook cell inside a larger file).
  @discardableResult
  public func run(source: String, file: String, firstLine: Int = 1, library: Bool = false) throws -> Value {
    let src = SourceFile(name: file, text: source, firstLine: firstLine, isLibrary: library)
    return try onEvaluationThread {
      let code = try self.compileProgram(src)
      let frame = Frame.make(slotCount: code.slots, cellCount: code.cells, captures: [])
      do {
        _ = try code.body(frame)
      } catch let t as ControlTransfer {
        if case .returnValue = t.flow {} else { throw LangError(.syntax, "'break' or 'continue' outside a loop") }
      }
      return frame.ret
    }
  }

  /// REPL entry: like `run` with the file name `<repl>`.
  @discardableResult
  public func evaluate(_ source: String) throws -> Value {
    try run(source: source, file: "<repl>")
  }

  /// Calls a function value (closure or builtin) — how builtins call back into scripts. Each
  /// call polls for Ctrl-C, so a builtin looping over callbacks (`map(xs, abs)`, a sort key)
  /// stops when asked even if the callback is itself a builtin.
  @discardableResult
  public func call(_ callee: Value, _ args: [Value], named: [String: Value] = [:]) throws -> Value {
    try Interrupt.check()
    return try onEvaluationThread { try self.callValue(callee, args, named, at: nil) }
  }

  struct CompiledProgram {
    let body: StmtCode
    let slots: Int
    let cells: Int
  }

  func compileProgram(_ src: SourceFile) throws -> CompiledProgram {
    let parsed = Parser.parse(src)
    if var first = parsed.errors.first {
      first.more = Array(parsed.errors.dropFirst())
      throw first
    }
    let compiler = Compiler(interpreter: self, file: src,
                            capturedNames: CaptureAnalysis.namesInNestedFunctions(parsed.statements))
    let body = try compiler.compileBlock(parsed.statements, valueMode: true, scoped: false)
    return CompiledProgram(body: body, slots: compiler.scope.slotCount, cells: compiler.scope.cellCount)
  }

  /// True when `source` needs more lines: open brackets or string, or the parser ran out of input.
  public static func isIncomplete(_ source: String) -> Bool {
    let r = Parser.parse(SourceFile(name: "<repl>", text: source))
    return r.unbalanced || (r.hitEOF && !r.errors.isEmpty)
  }

  /// True when `source` has a syntax error before its end, which no further lines can fix
  /// (`let a = [1, 2` followed by `print(a)`).
  public static func cannotContinue(_ source: String) -> Bool {
    Parser.parse(SourceFile(name: "<repl>", text: source)).errorBeforeEnd
  }

  // MARK: Globals

  /// All defined globals (builtins included).
  public var globals: [String: Value] {
    var out: [String: Value] = [:]
    for (n, s) in globalTable.slots { if let v = s.value { out[n] = v } }
    return out
  }

  /// Names of defined globals, sorted.
  public func globalNames() -> [String] {
    globalTable.slots.compactMap { $0.value.value == nil ? nil : $0.key }.sorted()
  }

  /// The value of a global, or nil.
  public func lookup(_ name: String) -> Value? { globalTable.lookup(name) }

  /// Defines (or replaces) a global constant.
  public func define(_ name: String, _ value: Value) {
    let s = globalTable.slot(name)
    s.value = value
    s.mutable = false
  }

  /// Registers a builtin library and defines its names as globals (later registration wins).
  public func register(_ library: BuiltinLibrary) {
    registry.register(library)
    defineNames(of: library)
  }

  /// Defines a library's builtins and constants as globals without registering it (again):
  /// how a host restores its libraries' names after `reset()`.
  public func defineNames(of library: BuiltinLibrary) {
    for f in library.entries { define(f.name, .builtin(f)) }
    for c in library.constants { define(c.name, c.value) }
  }

  /// Forgets every user binding and import; re-defines all registered builtins (without
  /// registering them again) and reloads the stdlib this interpreter loaded itself.
  public func reset() {
    for s in globalTable.slots.values { s.value = nil }
    imported = []
    for lib in registry.libraries { defineNames(of: lib) }
    if loadsStdlib, let dir = Interpreter.stdlibDirectory() {
      try? loadStdlib(from: dir, includeEngine: true)
    }
  }

  /// Writes text to the output.
  public func write(_ text: String) { output(text) }

  // MARK: Imports and stdlib

  /// Runs `path` once (later imports of the same file do nothing). Relative paths are resolved
  /// against the importing file's directory, then `searchPaths`, then the working directory.
  public func importFile(_ path: String, relativeTo from: String, at location: SourceLocation? = nil) throws {
    let fm = FileManager.default
    var candidates: [URL] = []
    if path.hasPrefix("/") {
      candidates = [URL(fileURLWithPath: path)]
    } else {
      if !from.hasPrefix("<") {
        candidates.append(URL(fileURLWithPath: from).deletingLastPathComponent().appendingPathComponent(path))
      }
      candidates += searchPaths.map { $0.appendingPathComponent(path) }
      candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent(path))
    }
    guard let url = candidates.first(where: { fm.fileExists(atPath: $0.path) }) else {
      throw LangError(.importError, "cannot find '\(path)' to import (looked in: \(candidates.map { $0.deletingLastPathComponent().path }.joined(separator: ", ")))", at: location)
    }
    let key = url.standardizedFileURL.resolvingSymlinksInPath().path
    if imported.contains(key) { return }
    imported.insert(key)
    let text: String
    do { text = try SourceText.read(path: url.path) } catch var e as LangError {
      if e.kind == .io {
        e = LangError(.importError, e.message, at: location)
      }
      throw e
    }
    let code = try compileProgram(SourceFile(name: url.path, text: text, isLibrary: loadingStdlib))
    let frame = Frame.make(slotCount: code.slots, cellCount: code.cells, captures: [])
    do { _ = try code.body(frame) } catch let t as ControlTransfer {
      if case .returnValue = t.flow {} else { throw t }
    }
  }

  /// Set while `loadStdlib` runs: the files it imports are library code.
  var loadingStdlib = false

  /// Loads every `*.uboost` file in `dir` (sorted by name). Files whose first line is
  /// `# requires: engine` are skipped unless `includeEngine`.
  public func loadStdlib(from dir: URL, includeEngine: Bool) throws {
    let fm = FileManager.default
    let files = ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".uboost") }.sorted()
    var errors: [LangError] = []
    loadingStdlib = true
    defer { loadingStdlib = false }
    for name in files {
      let url = dir.appendingPathComponent(name)
      guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
      if !includeEngine, text.hasPrefix("# requires: engine") { continue }
      // One broken file does not keep the others from loading.
      do { try run(source: "import \(Value.quote(url.path))", file: "<stdlib>") } catch let e as LangError {
        errors.append(e)
      }
    }
    if var first = errors.first {
      first.more += errors.dropFirst()
      throw first
    }
  }

  /// Where the stdlib lives: `$UBOOST_STDLIB`, `<bin>/../../stdlib`, `<bin>/stdlib`,
  /// `<bin>/../share/uboost/stdlib`, or `./stdlib`.
  public static func stdlibDirectory() -> URL? {
    let fm = FileManager.default
    var candidates: [URL] = []
    if let env = ProcessInfo.processInfo.environment["UBOOST_STDLIB"] {
      candidates.append(URL(fileURLWithPath: env))
    }
    let exe = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
    let bin = exe.resolvingSymlinksInPath().deletingLastPathComponent()
    candidates.append(bin.appendingPathComponent("../../stdlib"))
    candidates.append(bin.appendingPathComponent("stdlib"))
    candidates.append(bin.appendingPathComponent("../share/uboost/stdlib"))
    candidates.append(bin.appendingPathComponent("../../../stdlib"))
    candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("stdlib"))
    for c in candidates {
      if fm.fileExists(atPath: c.appendingPathComponent("core.uboost").path) { return c.standardizedFileURL }
    }
    return nil
  }

  // MARK: Stack

  /// Runs `body` on the evaluation thread (a large-stack thread), or directly when already there.
  func onEvaluationThread<T>(_ body: @escaping () throws -> T) throws -> T {
    if running { return try body() }
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread { [self] in
      running = true
      depth = 0
      stackStart = Interpreter.stackAddress()
      box.result = Result { try body() }
      globalTable.graveyard.closures.removeAll()
      running = false
      done.signal()
    }
    thread.stackSize = Interpreter.stackSize
    thread.start()
    done.wait()
    guard let r = box.result else { throw LangError(.internal, "evaluation thread did not finish") }
    return try r.get()
  }

  @inline(never)
  static func stackAddress() -> UInt {
    var marker: UInt8 = 0
    return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
  }

  /// Bytes of stack used since evaluation started.
  func stackUsed() -> Int {
    let here = Interpreter.stackAddress()
    return stackStart > here ? Int(stackStart - here) : 0
  }

  @inline(__always)
  func stackIsLow() -> Bool {
    stackUsed() > Interpreter.stackSize - Interpreter.stackMargin
  }
}

/// Carries a result out of the evaluation thread.
final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, Error>?
}
