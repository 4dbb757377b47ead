// MARK: - Errors

/// Failures of REPL meta commands, history files and notebook reports. Each has a message
/// fit to show the user.
///
/// ```swift
/// do { _ = try Notebook(contentsOf: "missing.uboost") } catch { print(error) }
/// // cannot read 'missing.uboost': No such file or directory
/// ```
public enum REPLError: Error, CustomStringConvertible, Equatable {
  case cannotRead(path: String, reason: String)
  case cannotWrite(path: String, reason: String)
  case unknownCommand(String)
  case usage(command: String, usage: String)
  case noSuchCell(index: Int, count: Int, path: String)
  case unsupportedReportFormat(path: String)

  public var description: String {
    switch self {
    case let .cannotRead(path, reason): return "cannot read '\(path)': \(reason)"
    case let .cannotWrite(path, reason): return "cannot write '\(path)': \(reason)"
    case let .unknownCommand(name): return "unknown command ':\(name)' (try :help)"
    case let .usage(command, usage): return "usage: :\(command) \(usage)"
    case let .noSuchCell(index, count, path):
      return "'\(path)' has \(count) cell\(count == 1 ? "" : "s"); there is no cell \(index)"
    case let .unsupportedReportFormat(path):
      return "cannot tell the report format of '\(path)': use a .md or .ipynb file name"
    }
  }
}
