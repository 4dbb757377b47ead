import Foundation

// MARK: - Report files

/// Writes a ``NotebookRun`` as a report, choosing the format by the file extension:
/// `.md` (Markdown, plots as SVG files next to it) or `.ipynb` (Jupyter, plots inline).
///
/// ```swift
/// try ReportWriter.write(run, to: "out/report.md")   // also out/report-cell3-1.svg, ...
/// ```
public enum ReportWriter {
  /// Refuses a report path before any cell runs: an extension other than `.md` / `.ipynb`, a
  /// directory that does not exist or cannot be written, an existing file that cannot be replaced.
  public static func checkWritable(_ path: String) throws {
    switch (path as NSString).pathExtension.lowercased() {
    case "md", "markdown", "ipynb": break
    default: throw REPLError.unsupportedReportFormat(path: path)
    }
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
      throw REPLError.cannotWrite(path: path, reason: "the directory \(dir) does not exist")
    }
    guard access(dir, W_OK) == 0 else { throw REPLError.cannotWrite(path: path, reason: "the directory \(dir) is not writable") }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
      if isDir.boolValue { throw REPLError.cannotWrite(path: path, reason: "it is a directory") }
    }
  }

  public static func write(_ run: NotebookRun, to path: String) throws {
    switch (path as NSString).pathExtension.lowercased() {
    case "md", "markdown":
      let report = MarkdownReport(run: run, reportPath: path)
      for file in report.plotFiles {
        try writeText(file.svg, to: file.path)
      }
      try writeText(report.markdown, to: path)
    case "ipynb":
      try writeData(try JupyterReport(run: run).data(), to: path)
    default:
      throw REPLError.unsupportedReportFormat(path: path)
    }
  }

  static func writeText(_ text: String, to path: String) throws {
    try writeData(Data(text.utf8), to: path)
  }

  static func writeData(_ data: Data, to path: String) throws {
    do {
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw REPLError.cannotWrite(path: path, reason: reason(error))
    }
  }

  /// A short reason for a Foundation file error (the POSIX message when there is one).
  static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError,
       underlying.domain == NSPOSIXErrorDomain, let message = strerror(Int32(underlying.code)) {
      return String(cString: message)
    }
    if ns.domain == NSCocoaErrorDomain, ns.code == NSFileWriteNoPermissionError {
      return "Permission denied"
    }
    if ns.domain == NSCocoaErrorDomain, ns.code == NSFileNoSuchFileError {
      return "No such file or directory"
    }
    return ns.localizedDescription
  }
}

// MARK: - Shared text helpers

extension CellResult {
  /// The cell heading: `1. Title` or `Cell 1`.
  var heading: String {
    if let title = cell.title { return "\(cell.index). \(title)" }
    return "Cell \(cell.index)"
  }

  /// Printed output followed by the value display, as one text.
  var shownText: String {
    var text = output
    if let display = outcome.display {
      if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
      text += display + "\n"
    }
    return text
  }

  /// The error text (including an interrupt without message), or nil.
  var errorText: String? {
    if let error = outcome.error { return error }
    return outcome.interrupted ? "interrupted" : nil
  }
}
