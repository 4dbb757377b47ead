#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Output sink

/// Where the REPL writes: results and program output to one stream, diagnostics to another.
///
/// ```swift
/// let out = StandardOutput()
/// out.write("2 : Number\n")
/// ```
public protocol REPLOutput: AnyObject {
  /// Program output, results and command answers.
  func write(_ text: String)
  /// Error messages.
  func writeError(_ text: String)
}

/// Writes to the process's standard output and standard error, flushing after each write so
/// output of long evaluations appears as it is produced.
public final class StandardOutput: REPLOutput {
  public init() {}

  public func write(_ text: String) {
    StandardOutput.put(text, stdout)
    fflush(stdout)
  }

  public func writeError(_ text: String) {
    fflush(stdout)
    StandardOutput.put(text, stderr)
    fflush(stderr)
  }

  /// Writes every byte of `text` (`fputs` would stop at a NUL character the program printed).
  static func put(_ text: String, _ stream: UnsafeMutablePointer<FILE>?) {
    var text = text
    text.withUTF8 { bytes in
      guard let base = bytes.baseAddress else { return }
      _ = fwrite(base, 1, bytes.count, stream)
    }
  }
}

/// Collects everything written, for tests and notebook cells.
public final class CapturedOutput: REPLOutput {
  public private(set) var text = ""
  public private(set) var errors = ""

  public init() {}

  public func write(_ text: String) { self.text += text }
  public func writeError(_ text: String) { errors += text }
}
