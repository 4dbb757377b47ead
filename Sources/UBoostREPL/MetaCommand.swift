// MARK: - Meta commands

/// A REPL command starting with `:` (not part of the language).
///
/// ```swift
/// try MetaCommand.parse(":type w @ x")        // .type("w @ x")
/// try MetaCommand.parse(":cell \"nb.uboost\" 2") // .cell(path: "nb.uboost", index: 2)
/// try MetaCommand.parse(":q")                 // .quit (unique prefixes are accepted)
/// ```
public enum MetaCommand: Equatable, Sendable {
  case help(String?)
  case type(String)
  case time(String)
  case load(String)
  case cell(path: String, index: Int)
  case vars
  case reset
  case lesson(String)
  case quit

  /// Every command name, for completion and `:help`.
  public static let names = ["help", "type", "time", "load", "cell", "vars", "reset", "lesson",
                             "quit"]

  /// One line per command, for `:help`.
  public static let summary = """
    :help [NAME]      help on NAME, or this overview
    :type EXPR        the type of EXPR
    :time EXPR        evaluate EXPR and show how long it took
    :load FILE        run a .uboost file in this session
    :cell FILE N      run cell N (1-based, cells start with #%%) of FILE
    :vars             list the bindings with their types
    :reset            forget every binding
    :lesson NAME      start a lesson (e.g. smooth-ceil)
    :quit             leave (also Ctrl-D)
    """

  /// Parses a line that starts with `:`.
  public static func parse(_ line: String) throws -> MetaCommand {
    var rest = Substring(line.trimmingCharacters(in: .whitespaces))
    if rest.first == ":" { rest.removeFirst() }
    let word = String(rest.prefix { !$0.isWhitespace })
    let argument = rest.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
    let matches = names.filter { $0.hasPrefix(word) }
    let name: String
    if names.contains(word) {
      name = word
    } else if !word.isEmpty, matches.count == 1, let only = matches.first {
      name = only
    } else {
      throw REPLError.unknownCommand(word)
    }
    switch name {
    case "help": return .help(argument.isEmpty ? nil : argument)
    case "type":
      guard !argument.isEmpty else { throw REPLError.usage(command: name, usage: "EXPR") }
      return .type(argument)
    case "time":
      guard !argument.isEmpty else { throw REPLError.usage(command: name, usage: "EXPR") }
      return .time(argument)
    case "load":
      guard let (path, tail) = splitPath(argument), tail.isEmpty else {
        throw REPLError.usage(command: name, usage: "FILE")
      }
      return .load(path)
    case "cell":
      guard let (path, tail) = splitPath(argument), let index = Int(tail) else {
        throw REPLError.usage(command: name, usage: "FILE N")
      }
      return .cell(path: path, index: index)
    case "vars": return .vars
    case "reset": return .reset
    case "lesson":
      guard !argument.isEmpty else { throw REPLError.usage(command: name, usage: "NAME") }
      return .lesson(argument)
    default: return .quit
    }
  }

  // A path argument: "quoted with spaces" or a bare word. Returns the path and what follows.
  static func splitPath(_ text: String) -> (String, String)? {
    let trimmed = Substring(text.trimmingCharacters(in: .whitespaces))
    if trimmed.first == "\"" {
      let body = trimmed.dropFirst()
      guard let close = body.firstIndex(of: "\"") else { return nil }
      let path = String(body[..<close])
      let tail = body[body.index(after: close)...].trimmingCharacters(in: .whitespaces)
      return path.isEmpty ? nil : (path, tail)
    }
    let path = String(trimmed.prefix { !$0.isWhitespace })
    guard !path.isEmpty else { return nil }
    return (path, trimmed.dropFirst(path.count).trimmingCharacters(in: .whitespaces))
  }
}
