// MARK: - Releasing deeply nested values

/// Frees nested lists, records and closures without recursing on the native stack.
///
/// Swift frees a container by releasing its elements, which free theirs: a list nested 3,000,000
/// deep (`x = [x]` in a loop) would take 3,000,000 nested `deinit`s and overflow the stack. The
/// `deinit` of a list, record or closure that holds other containers instead moves its children
/// into a worklist and frees them one at a time: a child that nothing else holds is emptied into
/// the worklist before it is dropped, so its own `deinit` has nothing left to recurse into.
///
/// ```swift
/// var v: Value = .list([])
/// for _ in 0..<3_000_000 { v = .list([v]) }
/// v = .nil_        // constant native stack depth
/// ```
enum Teardown {
  /// Whether `v` may hold further values (and so start a chain of releases).
  @inline(__always) static func ownsValues(_ v: Value) -> Bool {
    switch v {
    case .list, .record, .function: return true
    case .nil_, .number, .bool, .string, .range, .builtin, .object: return false
    }
  }

  /// Whether freeing `items` may recurse: some element is itself a container.
  @inline(__always) static func needsWorklist(_ items: [Value]) -> Bool {
    for v in items where ownsValues(v) { return true }
    return false
  }

  /// Takes the elements of a dying container and frees them iteratively.
  static func release(_ items: inout [Value]) {
    var work = items
    items = []
    drain(&work)
  }

  /// Frees every value in `work`, emptying containers held only by the worklist first.
  static func drain(_ work: inout [Value]) {
    while var v = work.popLast() {
      // Each case drops `v` before the uniqueness test, so the bound box is the one reference
      // the worklist had.
      switch v {
      case .list(var box):
        v = .nil_
        if isKnownUniquelyReferenced(&box) { box.moveItems(into: &work) }
      case .record(var box):
        v = .nil_
        if isKnownUniquelyReferenced(&box) { box.moveValues(into: &work) }
      case .function(var c):
        v = .nil_
        if isKnownUniquelyReferenced(&c) { c.moveCaptured(into: &work) }
      case .nil_, .number, .bool, .string, .range, .builtin, .object:
        break
      }
    }
  }
}

extension ListBox {
  /// Empties the list, handing its elements to `work` (see `Teardown`).
  func moveItems(into work: inout [Value]) {
    work.append(contentsOf: items)
    items = []
  }
}
