// MARK: - Parse-only checking (`uboost check`)

extension Interpreter {
  /// Parses `source` without running it. Returns nil when it parses, else the first syntax error
  /// with every further one the parser recovered to in `more`.
  public static func check(source: String, file: String) -> LangError? {
    let parsed = Parser.parse(SourceFile(name: file, text: source))
    guard var first = parsed.errors.first else { return nil }
    first.more = Array(parsed.errors.dropFirst())
    return first
  }
}
