import Foundation
import UBoostLang

// MARK: - Reading text files with clear errors

enum TextFile {
  /// The UTF-8 contents of `path`, or a ``REPLError/cannotRead(path:reason:)`` that says why.
  static func read(_ path: String) throws -> String {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw REPLError.cannotRead(path: path, reason: "No such file or directory")
    }
    guard !isDirectory.boolValue else {
      throw REPLError.cannotRead(path: path, reason: "Is a directory")
    }
    guard fm.isReadableFile(atPath: path), let data = fm.contents(atPath: path) else {
      throw REPLError.cannotRead(path: path, reason: "Permission denied")
    }
    // Not UTF-8: a positioned error (bytes in comments are tolerated, see `SourceText`).
    return try SourceText.decode(Array(data), name: path)
  }

  /// Splits on `\n` and `\r\n` (Swift treats `\r\n` as one character).
  static func lines(_ text: String) -> [String] {
    text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
      .map(String.init)
  }
}
