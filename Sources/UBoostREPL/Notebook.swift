import Foundation

// MARK: - Cells

/// One cell of a notebook: the code between two `#%%` lines.
public struct NotebookCell: Equatable, Sendable {
  /// 1-based position among the notebook's cells.
  public var index: Int
  /// The text after `#%%`, or nil when there is none (or for code before the first `#%%`).
  public var title: String?
  /// The cell's code, without the `#%%` line and without leading/trailing blank lines.
  public var source: String
  /// 1-based line in the file where `source` starts (for error messages).
  public var line: Int

  public init(index: Int, title: String?, source: String, line: Int) {
    self.index = index
    self.title = title
    self.source = source
    self.line = line
  }
}

// MARK: - Notebook

/// A `.uboost` script split into cells by lines starting with `#%%` (an optional title follows
/// on the same line). Code before the first `#%%` forms an untitled first cell when it is not
/// blank.
///
/// ```swift
/// let nb = Notebook(source: "#%% Setup\nlet a = 1\n#%% Show\nprint(a)\n", path: "nb.uboost")
/// nb.cells.map(\.title)   // ["Setup", "Show"]
/// nb.cells[1].line        // 4
/// ```
public struct Notebook: Equatable, Sendable {
  /// The file the notebook came from (used in error messages and report titles).
  public var path: String
  public var cells: [NotebookCell]

  /// The marker that starts a cell.
  public static let marker = "#%%"

  public init(source: String, path: String) {
    self.path = path
    self.cells = Self.split(source)
  }

  /// Reads and splits a file.
  public init(contentsOf path: String) throws {
    self.init(source: try TextFile.read(path), path: path)
  }

  /// The cell with 1-based `index`.
  public func cell(_ index: Int) throws -> NotebookCell {
    guard index >= 1, index <= cells.count else {
      throw REPLError.noSuchCell(index: index, count: cells.count, path: path)
    }
    return cells[index - 1]
  }

  /// A title for the whole notebook: the file name without its extension.
  public var title: String {
    ((path as NSString).lastPathComponent as NSString).deletingPathExtension
  }

  // MARK: Splitting

  private static func split(_ source: String) -> [NotebookCell] {
    let lines = TextFile.lines(source)
    var cells: [NotebookCell] = []
    var title: String?
    var body: [String] = []
    var bodyStart = 1
    var sawMarker = false

    func flush() {
      var first = 0
      var last = body.count
      while first < last, body[first].trimmingCharacters(in: .whitespaces).isEmpty { first += 1 }
      while last > first, body[last - 1].trimmingCharacters(in: .whitespaces).isEmpty { last -= 1 }
      let code = body[first..<last].joined(separator: "\n")
      if sawMarker || !code.isEmpty {
        cells.append(NotebookCell(index: cells.count + 1, title: title, source: code,
                                  line: bodyStart + first))
      }
    }

    for (i, line) in lines.enumerated() {
      if line.hasPrefix(marker) {
        flush()
        sawMarker = true
        let rest = line.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
        title = rest.isEmpty ? nil : rest
        body = []
        bodyStart = i + 2
      } else {
        body.append(line)
      }
    }
    flush()
    return cells
  }
}
