import UBoostInterrupt

// MARK: - Compiled code and activation records

/// Compiled expression: evaluates in a frame.
typealias ExprCode = (Frame) throws -> Value
/// Compiled statement: runs in a frame and says how control continues.
typealias StmtCode = (Frame) throws -> Flow

/// Compiled code kept in arrays or optionals is wrapped in these structs so the closures stay at
/// their natural abstraction: a bare closure in a generic container is called through a
/// reabstraction thunk (an extra call plus retain/release) every time.
struct ExprBox {
  let run: ExprCode
}
struct StmtBox {
  let run: StmtCode
}

/// How control leaves a statement.
enum Flow {
  case normal, breakLoop, continueLoop, returnValue
}

/// Carries `break`/`continue`/`return` out of a block used as an expression
/// (`let y = if c { return 1 } else { 2 }`); loops and calls catch it.
struct ControlTransfer: Error {
  let flow: Flow
}

/// A variable captured by a closure; a fresh cell is made each time its declaration runs, so a
/// closure created in a loop body sees that iteration's value.
final class Cell {
  var value: Value
  init(_ value: Value) { self.value = value }
  static let unset = Cell(.nil_)
}

/// The fixed part of a frame.
struct FrameHeader {
  var ret: Value
  var cells: ContiguousArray<Cell>
  var captures: ContiguousArray<Cell>
  let slotCount: Int
}

/// One activation: plain locals in tail-allocated slots (one allocation per call), captured
/// locals in `cells`, the closure's `captures`, and `ret`, the value of the last expression of a
/// value block or the returned value. Slot indexes come from the compiler, never from scripts.
final class Frame: ManagedBuffer<FrameHeader, Value> {
  static func make(slotCount: Int, cellCount: Int, captures: ContiguousArray<Cell>) -> Frame {
    let buffer = Frame.create(minimumCapacity: slotCount) { _ in
      FrameHeader(ret: .nil_, cells: cellCount == 0 ? [] : ContiguousArray(repeating: Cell.unset, count: cellCount),
                  captures: captures, slotCount: slotCount)
    }
    let frame = unsafeDowncast(buffer, to: Frame.self)
    frame.withUnsafeMutablePointerToElements { $0.initialize(repeating: .nil_, count: slotCount) }
    return frame
  }

  deinit {
    withUnsafeMutablePointers { h, e in
      // Element-wise: cheaper than the generic array destroy for the usual handful of slots.
      for i in 0..<h.pointee.slotCount { (e + i).deinitialize(count: 1) }
    }
  }

  /// Drops everything the frame refers to so it can be reused for another call.
  /// `captures`: whether the frame may hold captures (frames of capture-free functions never do).
  @inline(__always) func clear(captures: Bool) {
    withUnsafeMutablePointers { h, e in
      for i in 0..<h.pointee.slotCount {
        // Numbers and bools own nothing: overwrite them without the generic destroy.
        switch e[i] {
        case .nil_: break
        case .number, .bool: (e + i).initialize(to: .nil_)
        case .string, .list, .record, .range, .function, .builtin, .object: e[i] = .nil_
        }
      }
      if case .nil_ = h.pointee.ret {} else { h.pointee.ret = .nil_ }
      if captures { h.pointee.captures = [] }
      if !h.pointee.cells.isEmpty {
        for i in h.pointee.cells.indices { h.pointee.cells[i] = Cell.unset }
      }
    }
  }

  /// Stores an argument into a slot of a frame fresh from `takeFrame` (all slots `nil`), so the
  /// old value needs no destruction.
  @inline(__always) func bindFresh(_ slot: Int, _ v: Value) {
    withUnsafeMutablePointerToElements { ($0 + slot).initialize(to: v) }
  }

  @inline(__always) subscript(slot slot: Int) -> Value {
    get { withUnsafeMutablePointerToElements { $0[slot] } }
    set {
      withUnsafeMutablePointerToElements { p in
        // Overwriting a number or bool needs no generic destroy of the old value.
        switch p[slot] {
        case .nil_, .number, .bool: (p + slot).initialize(to: newValue)
        case .string, .list, .record, .range, .function, .builtin, .object: p[slot] = newValue
        }
      }
    }
  }

  @inline(__always) var ret: Value {
    get { header.ret }
    set { header.ret = newValue }
  }

  // Borrowing accessors: reading a cell does not copy (retain) the array.
  @inline(__always) var cells: ContiguousArray<Cell> {
    _read { yield header.cells }
    _modify { yield &header.cells }
  }

  @inline(__always) var captures: ContiguousArray<Cell> {
    _read { yield header.captures }
  }
}

/// Where a local lives in its frame.
enum LocalKind {
  case slot(Int)
  case cell(Int)
}

/// Where a closure takes each capture from when it is created.
enum CaptureSource {
  case cell(Int)      // a captured local of the enclosing frame
  case capture(Int)   // a capture of the enclosing closure
}

/// The compiled form of a function literal. Immutable once built, so hot paths read its fields
/// without retaining them.
final class FunctionProto {
  let name: String
  let paramNames: [String]
  let paramTargets: [LocalKind]
  let defaults: [ExprBox?]
  let paramIndex: [String: Int]
  let slotCount: Int
  let cellCount: Int
  /// Runs the body and yields the function's value (the expression of `= expr` bodies directly,
  /// a block body's returned or last value through `Frame.ret`).
  let entry: ExprCode
  let captureSources: [CaptureSource]
  let location: SourceLocation
  /// Parameter `i` lives in slot `i` (no parameter is captured by a nested function), so
  /// binding an argument is a plain store.
  let directParams: Bool
  /// Closures of this function carry captures (their frames must hold and drop them).
  let hasCaptures: Bool

  init(name: String, paramNames: [String], paramTargets: [LocalKind], defaults: [ExprBox?],
       slotCount: Int, cellCount: Int, entry: @escaping ExprCode, captureSources: [CaptureSource],
       location: SourceLocation) {
    self.name = name
    self.paramNames = paramNames
    self.paramTargets = paramTargets
    self.defaults = defaults
    self.slotCount = slotCount
    self.cellCount = cellCount
    self.entry = entry
    self.captureSources = captureSources
    self.location = location
    var idx: [String: Int] = [:]
    for (i, n) in paramNames.enumerated() { idx[n] = i }
    self.paramIndex = idx
    var direct = true
    for (i, t) in paramTargets.enumerated() {
      if case .slot(let s) = t, s == i { continue }
      direct = false
    }
    self.directParams = direct
    self.hasCaptures = !captureSources.isEmpty
    pool = .allocate(capacity: FunctionProto.poolCapacity)
  }

  deinit {
    for i in 0..<poolCount { pool[i].release() }
    pool.deallocate()
  }

  // MARK: Frame pool
  //
  // Frames of finished calls are reused by later calls (frames never outlive their call:
  // closures capture cells, not frames). A call in flight owns its frame as an unmanaged +1
  // reference and hands it back with `recycle`, so taking and returning a frame costs no
  // retain/release or array bookkeeping. Code using the frame borrows it with
  // `_withUnsafeGuaranteedRef`.

  /// Calls of this function running through borrowing call sites (see `compileCall`).
  var activations = 0

  static let poolCapacity = 64
  private let pool: UnsafeMutablePointer<Unmanaged<Frame>>
  private var poolCount = 0

  /// A cleared frame owned (+1) by the caller, who must pass it to `recycle` exactly once.
  @inline(__always) func takeFrame(captures: ContiguousArray<Cell>) -> Unmanaged<Frame> {
    if poolCount > 0 {
      poolCount -= 1
      let u = pool[poolCount]
      if hasCaptures { u._withUnsafeGuaranteedRef { $0.header.captures = captures } }
      return u
    }
    return .passRetained(Frame.make(slotCount: slotCount, cellCount: cellCount, captures: captures))
  }

  /// Clears a frame taken with `takeFrame` and keeps it for the next call (or frees it).
  @inline(__always) func recycle(_ u: Unmanaged<Frame>) {
    let keep = hasCaptures
    u._withUnsafeGuaranteedRef { $0.clear(captures: keep) }
    if poolCount < FunctionProto.poolCapacity {
      pool[poolCount] = u
      poolCount += 1
    } else {
      u.release()
    }
  }

  @inline(__always) func setParam(_ frame: Frame, _ i: Int, _ v: Value) {
    if directParams { frame[slot: i] = v; return }
    switch paramTargets[i] {
    case .slot(let s): frame[slot: s] = v
    case .cell(let c): frame.cells[c] = Cell(v)
    }
  }
}

/// A function value written in uboost: compiled code plus captured variables.
public final class Closure {
  let proto: FunctionProto
  /// Only `Teardown` changes it (emptying a dying closure).
  private(set) var captures: ContiguousArray<Cell>
  init(proto: FunctionProto, captures: ContiguousArray<Cell>) {
    self.proto = proto
    self.captures = captures
  }

  deinit {
    if !captures.isEmpty {
      var work: [Value] = []
      moveCaptured(into: &work)
      if !work.isEmpty { Teardown.drain(&work) }
    }
  }

  /// Empties the closure: the values of captured variables no one else holds go to `work`.
  func moveCaptured(into work: inout [Value]) {
    var cells = captures
    captures = []
    // `popLast` moves a cell out of the array (or copies it, retained, when the array is
    // shared), so a cell that tests unique is held by nothing else.
    while var cell = cells.popLast() {
      if isKnownUniquelyReferenced(&cell), Teardown.ownsValues(cell.value) {
        work.append(cell.value)
        cell.value = .nil_
      }
    }
  }
  /// The declared name, or `<anonymous>`.
  public var name: String { proto.name }
  /// Parameter names in order.
  public var parameterNames: [String] { proto.paramNames }
  /// `name(a, b: default)` summary.
  public var signature: String {
    "\(proto.name)(" + proto.paramNames.enumerated().map { i, n in
      proto.defaults.indices.contains(i) && proto.defaults[i] != nil ? "\(n): …" : n
    }.joined(separator: ", ") + ")"
  }
}

// MARK: - Globals

/// One global binding. Compiled code holds the slot itself, so reading a global is one load.
final class GlobalSlot {
  let name: String
  /// nil while undefined.
  var value: Value? {
    get { stored }
    set {
      // Call sites borrow the function a global holds without retaining it (see
      // `compileCall`); if it is running, keep it alive until the evaluation ends.
      if case .function? = stored { keepIfRunning() }
      stored = newValue
      version &+= 1
    }
  }
  private var stored: Value?

  @inline(never) private func keepIfRunning() {
    if case .function(let c)? = stored, c.proto.activations > 0 { graveyard.closures.append(c) }
  }
  /// Changes whenever `value` is assigned; call sites use it to reuse what they learned about
  /// the callee last time.
  private(set) var version = 0
  var mutable = false
  private let graveyard: Graveyard
  init(name: String, graveyard: Graveyard) {
    self.name = name
    self.graveyard = graveyard
  }
}

/// Functions unbound from globals while an activation of them was running.
final class Graveyard {
  var closures: [Closure] = []
}

/// Top-level bindings by name.
final class GlobalTable {
  private(set) var slots: [String: GlobalSlot] = [:]
  /// Emptied by the interpreter when an evaluation ends.
  let graveyard = Graveyard()

  /// The slot for `name`, created (undefined) on first use.
  func slot(_ name: String) -> GlobalSlot {
    if let s = slots[name] { return s }
    let s = GlobalSlot(name: name, graveyard: graveyard)
    slots[name] = s
    return s
  }

  func lookup(_ name: String) -> Value? { slots[name]?.value }
}

// MARK: - Interruption

/// The language's view of the one interrupt token (`InterruptToken`, shared with the engine):
/// loops and calls poll it; the evaluation then throws an `interrupted` error (not catchable by
/// `try`), leaving every global binding intact.
///
/// ```swift
/// signal(SIGINT) { _ in Interrupt.request() }
/// ```
public enum Interrupt {
  /// Asks the running evaluation to stop. Safe from any thread or a signal handler.
  public static func request() { InterruptToken.request() }
  /// Withdraws a pending request.
  public static func clear() { InterruptToken.clear() }
  /// Whether a request is pending.
  public static var isRequested: Bool { InterruptToken.isRequested }

  /// For long-running builtins: throws `interrupted` (consuming the request) when one is pending.
  public static func checkpoint() throws { try check() }

  /// Throws (and consumes the request) when one is pending.
  /// `location`: where a memory-shortage stop is reported (a Ctrl-C stop has no position).
  @inline(__always) static func check(at location: SourceLocation? = nil) throws {
    if InterruptToken.take() {
      if let free = InterruptToken.takeShortage() {
        throw LangError(.limit, "out of memory: the process has about \(free >> 20) MiB left, so the evaluation was stopped before the allocator fails (release large values, e.g. set them to nil)", at: location)
      }
      throw LangError(.interrupted, "interrupted")
    }
  }
}
