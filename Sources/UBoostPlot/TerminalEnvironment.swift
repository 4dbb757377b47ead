#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - TerminalEnvironment

/// Facts about the process's standard output used for default rendering parameters.
///
/// ```swift
/// let text = plot.renderTerminal(width: TerminalEnvironment.width(),
///                                height: 20, color: TerminalEnvironment.colorEnabled())
/// ```
public enum TerminalEnvironment {
  /// True when standard output is a terminal.
  public static var isTTY: Bool { isatty(STDOUT_FILENO) == 1 }

  /// Terminal width in columns from `ioctl(TIOCGWINSZ)` when stdout is a terminal, else
  /// `fallback` (80).
  public static func width(fallback: Int = 80) -> Int {
    guard isTTY else { return fallback }
    var size = winsize()
    #if canImport(Darwin)
    let status = ioctl(STDOUT_FILENO, TIOCGWINSZ, &size)
    #else
    let status = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size)
    #endif
    guard status == 0, size.ws_col > 0 else { return fallback }
    return Int(size.ws_col)
  }

  /// True when colours should be used by default: stdout is a terminal and `NO_COLOR` is unset
  /// or empty (https://no-color.org convention).
  public static func colorEnabled() -> Bool {
    if let value = getenv("NO_COLOR"), value.pointee != 0 { return false }
    return isTTY
  }
}
