// MARK: - Errors

/// Every failure a script can cause. Carries a kind, a message, the source position, the uboost
/// call stack (innermost first) and, for syntax errors, further errors found in the same parse.
///
/// ```swift
/// do { try interp.run(source: "1 + \"a\"", file: "x.uboost") }
/// catch let e as LangError { print(e) }   // x.uboost:1:3: type error: ... + caret + stack
/// ```
public struct LangError: Error, CustomStringConvertible {
  /// Error classes; `try`/`catch` sees the raw value as `e.kind`.
  public enum Kind: String, CaseIterable {
    case syntax, name, type, value, index, argument, recursion, limit, io, assertion, thrown, interrupted
    case importError = "import"
    case `internal`
  }

  /// One uboost function activation on the way to the error.
  public struct Frame {
    public var function: String
    /// Where the function was called from.
    public var callSite: SourceLocation?
  }

  public var kind: Kind
  public var message: String
  public var location: SourceLocation?
  /// Where stdlib code raised it, when `location` is the user's call into the stdlib.
  public var libraryLocation: SourceLocation?
  public var stack: [Frame] = []
  /// The value given to `throw` (nil for other errors).
  public var thrown: Value?
  /// Further syntax errors of the same parse.
  public var more: [LangError] = []

  public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
    self.kind = kind
    self.message = message
    self.location = location
  }

  /// Can `try`/`catch` intercept it? Interrupts and internal limits always reach the host.
  public var isCatchable: Bool {
    switch kind {
    case .interrupted: return false
    case .syntax, .name, .type, .value, .index, .argument, .recursion, .limit, .io, .assertion, .thrown,
         .importError, .internal:
      return true
    }
  }

  /// `file:line:col: kind error: message`, the source line, a caret, and the call stack.
  public var description: String {
    var out = render()
    for e in more { out += "\n" + e.render() }
    return out
  }

  private func render() -> String {
    let label = kind == .thrown ? "error" : "\(kind.rawValue) error"
    guard let loc = location else {
      return "\(label): \(message)" + renderStack()
    }
    var out = "\(loc): \(label): \(message)"
    let (text, column) = LangError.excerpt(loc.file.line(loc.line), column: loc.column)
    if !text.isEmpty {
      let gutter = String(loc.line)
      let pad = String(repeating: " ", count: gutter.count)
      // Tabs are kept so the caret lines up under the source.
      let prefix = text.unicodeScalars.prefix(max(0, column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
      out += "\n \(pad) |\n \(gutter) | \(text)\n \(pad) | \(prefix)^"
    }
    return out + renderStack()
  }

  /// Longest source line shown under a message; longer lines are cut around the column (so
  /// twenty errors on a megabyte-long line do not print twenty megabytes).
  static let maxShownLine = 160

  /// The part of `line` to show and the caret's column within it.
  static func excerpt(_ line: String, column: Int) -> (String, Int) {
    let scalars = Array(line.unicodeScalars)
    guard scalars.count > maxShownLine else { return (line, column) }
    let c = min(max(column - 1, 0), scalars.count)
    let start = max(0, min(c - maxShownLine / 2, scalars.count - maxShownLine))
    let end = min(scalars.count, start + maxShownLine)
    var shown = String(String.UnicodeScalarView(scalars[start..<end]))
    var col = c - start + 1
    if start > 0 { shown = "…" + shown; col += 1 }
    if end < scalars.count { shown += "…" }
    return (shown, col)
  }

  private func renderStack() -> String {
    let raised = libraryLocation.map { "\nraised in the stdlib at \($0)" } ?? ""
    guard !stack.isEmpty else { return raised }
    var out = raised + "\ncall stack (innermost first):"
    for f in stack.prefix(12) {
      out += "\n  in \(f.function)" + (f.callSite.map { ", called at \($0)" } ?? "")
    }
    if stack.count > 12 { out += "\n  ... \(stack.count - 12) more frames" }
    return out
  }

  /// The record `catch e` binds: `{message, kind, file, line, column, value, stack}`.
  public var asRecord: Value {
    let r = RecordBox([
      ("message", .string(message)),
      ("kind", .string(kind.rawValue)),
      ("file", .string(location?.file.name ?? "")),
      ("line", .number(Double(location?.line ?? 0))),
      ("column", .number(Double(location?.column ?? 0))),
      ("value", thrown ?? .nil_),
      ("stack", .list(stack.map { .string($0.function) })),
    ])
    return .record(r)
  }
}
