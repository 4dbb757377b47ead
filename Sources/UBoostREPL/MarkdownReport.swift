import Foundation

// MARK: - Markdown report

/// A notebook run as Markdown: the notebook's name as the title, then for each cell its
/// heading, its code, its output and value, its error, and its plots (saved as SVG files next
/// to the report and linked as images).
///
/// ```swift
/// let report = MarkdownReport(run: run, reportPath: "out/report.md")
/// report.markdown        // the document
/// report.plotFiles       // [(path: "out/report-cell2-1.svg", svg: "<svg ...")]
/// ```
public struct MarkdownReport {
  public struct PlotFile: Equatable, Sendable {
    /// Where the SVG goes (next to the report).
    public var path: String
    /// The link used in the Markdown (the file name).
    public var link: String
    public var svg: String
  }

  public private(set) var markdown = ""
  public private(set) var plotFiles: [PlotFile] = []

  public init(run: NotebookRun, reportPath: String) {
    let directory = (reportPath as NSString).deletingLastPathComponent
    let base = ((reportPath as NSString).lastPathComponent as NSString).deletingPathExtension
    var md = "# \(run.notebook.title)\n\n"
    md += "Report of `\(run.notebook.path)`: \(run.results.count) cell"
    md += run.results.count == 1 ? "" : "s"
    md += run.failed ? ", with errors.\n" : ".\n"
    for result in run.results {
      md += "\n## \(result.heading)\n\n"
      md += Self.fenced(result.cell.source, language: "uboost")
      let shown = result.shownText
      if !shown.isEmpty {
        md += "\nOutput:\n\n" + Self.fenced(shown, language: "text")
      }
      if let error = result.errorText {
        md += "\n**Error:**\n\n" + Self.fenced(error, language: "text")
      }
      for (k, plot) in result.plots.enumerated() {
        let name = "\(base)-cell\(result.cell.index)-\(k + 1).svg"
        let path = directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
        plotFiles.append(PlotFile(path: path, link: name, svg: plot.svg))
        let alt = plot.name.replacingOccurrences(of: "]", with: "\\]")
        let link = name.contains(" ") ? "<\(name)>" : name
        md += "\n![\(alt)](\(link))\n"
      }
    }
    markdown = md
  }

  /// `text` in a code fence longer than any backtick run inside it.
  static func fenced(_ text: String, language: String) -> String {
    var longest = 0
    var run = 0
    for c in text {
      run = c == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    let body = text.hasSuffix("\n") ? text : text + "\n"
    return "\(fence)\(language)\n\(body)\(fence)\n"
  }
}
