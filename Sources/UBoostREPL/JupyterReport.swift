import Foundation

// MARK: - Jupyter report

/// A notebook run as a Jupyter notebook (nbformat 4.5): a Markdown cell with the notebook's
/// title, then for each cell a Markdown heading (when it has a title) and a code cell with its
/// execution count and outputs: `stream` (printed text), `execute_result` (the value),
/// `error`, and `display_data` with `image/svg+xml` and `text/plain` for each plot.
///
/// ```swift
/// let data = try JupyterReport(run: run).data()   // UTF-8 JSON
/// ```
public struct JupyterReport {
  public let run: NotebookRun

  public init(run: NotebookRun) {
    self.run = run
  }

  /// The notebook as a JSON object.
  public var document: [String: Any] {
    var cells: [[String: Any]] = [
      markdownCell(id: "title", "# \(run.notebook.title)\n\nReport of `\(run.notebook.path)`.")
    ]
    for result in run.results {
      if let title = result.cell.title {
        cells.append(markdownCell(id: "title-\(result.cell.index)", "## \(result.cell.index). \(title)"))
      }
      cells.append(codeCell(result))
    }
    return [
      "cells": cells,
      "metadata": [
        "kernelspec": ["name": "uboost", "display_name": "uboost", "language": "uboost"],
        "language_info": ["name": "uboost", "file_extension": ".uboost",
                          "mimetype": "text/x-uboost"],
      ],
      "nbformat": 4,
      "nbformat_minor": 5,
    ]
  }

  /// The notebook as pretty-printed JSON with sorted keys.
  public func data() throws -> Data {
    do {
      return try JSONSerialization.data(
        withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    } catch {
      throw REPLError.cannotWrite(path: run.notebook.path, reason: "JSON: \(error)")
    }
  }

  // MARK: Cells

  private func markdownCell(id: String, _ text: String) -> [String: Any] {
    ["cell_type": "markdown", "id": id, "metadata": [String: Any](), "source": Self.lines(text)]
  }

  private func codeCell(_ result: CellResult) -> [String: Any] {
    var outputs: [[String: Any]] = []
    if !result.output.isEmpty {
      outputs.append(["output_type": "stream", "name": "stdout", "text": Self.lines(result.output)])
    }
    if let display = result.outcome.display, let count = result.executionCount {
      outputs.append(["output_type": "execute_result", "execution_count": count,
                      "data": ["text/plain": Self.lines(display)],
                      "metadata": [String: Any]()])
    }
    if let error = result.errorText {
      let first = error.split(separator: "\n").first.map(String.init) ?? error
      outputs.append(["output_type": "error",
                      "ename": result.outcome.interrupted ? "Interrupted" : "Error",
                      "evalue": first,
                      "traceback": error.split(separator: "\n", omittingEmptySubsequences: false)
                        .map(String.init)])
    }
    for plot in result.plots {
      outputs.append(["output_type": "display_data",
                      "data": ["image/svg+xml": Self.lines(plot.svg), "text/plain": [plot.name]],
                      "metadata": [String: Any]()])
    }
    var cell: [String: Any] = [
      "cell_type": "code", "id": "cell-\(result.cell.index)", "metadata": [String: Any](),
      "outputs": outputs, "source": Self.lines(result.cell.source),
    ]
    cell["execution_count"] = result.executionCount.map { $0 as Any } ?? NSNull()
    return cell
  }

  /// Jupyter's multi-line string form: lines that keep their `\n` (the last may lack one).
  static func lines(_ text: String) -> [String] {
    var out: [String] = []
    var current = ""
    for c in text {
      current.append(c)
      if c == "\n" {
        out.append(current)
        current = ""
      }
    }
    if !current.isEmpty { out.append(current) }
    return out
  }
}
