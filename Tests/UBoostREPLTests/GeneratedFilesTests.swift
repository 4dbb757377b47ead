import Foundation
import XCTest
@testable import UBoostBuiltins
@testable import UBoostREPL

// MARK: - Every generated file, checked by one test

/// The one freshness check of every generated file: each is computed from its sources and
/// compared with the committed copy. `scripts/generate` runs this test with
/// `UBOOST_REGENERATE=1`, which writes what differs instead of failing.
final class GeneratedFilesTests: XCTestCase {
  struct Generated {
    var path: String       // relative to the repository root
    var text: String
  }

  static let root = lessonRepositoryRoot

  static func sources(in dir: String) throws -> [(name: String, source: String)] {
    let url = root.appendingPathComponent(dir)
    let names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".uboost") }.sorted()
    return try names.map { (name: $0, source: try String(contentsOf: url.appendingPathComponent($0), encoding: .utf8)) }
  }

  func testEveryGeneratedFileIsFresh() throws {
    let stdlib = try Self.sources(in: "stdlib")
    let lessons = try Self.sources(in: "stdlib/lessons").map { (name: String($0.name.dropLast(".uboost".count)), source: $0.source) }
    var files = [
      Generated(path: "Sources/UBoostBuiltins/Generated/EmbeddedStdlib.swift", text: StdlibEmbedding.swiftSource(stdlib)),
      Generated(path: "Sources/UBoostREPL/Lesson/EmbeddedLessons.swift", text: LessonEmbedding.swiftSource(lessons)),
      Generated(path: "docs/builtins.md", text: Builtins.markdownReference()),
    ]
    // The lesson's page and pictures, made by running it.
    let backend = try InterpreterLessonBackend(terminalCharts: false)
    let scratch = try makeTemporaryDirectory(self)
    let run = try LessonDocument.generate(lesson: "smooth-ceil", backend: backend,
                                          to: (scratch as NSString).appendingPathComponent("smooth-ceil.md"))
    XCTAssertFalse(run.failed)
    let document = LessonDocument(run: run)
    XCTAssertGreaterThanOrEqual(document.pictures.count, 6)
    files.append(Generated(path: "docs/lessons/smooth-ceil.md", text: document.markdown))
    files += document.pictures.map { Generated(path: "docs/lessons/" + $0.fileName, text: $0.svg) }
    let lessonDocs = Self.root.appendingPathComponent("docs/lessons")
    let stalePictures = ((try? FileManager.default.contentsOfDirectory(atPath: lessonDocs.path)) ?? [])
      .filter { $0.hasPrefix("smooth-ceil-") && $0.hasSuffix(".svg") && !document.pictures.map(\.fileName).contains($0) }

    if ProcessInfo.processInfo.environment["UBOOST_REGENERATE"] == "1" {
      for f in files where committed(f.path).map(Self.normalized) != Self.normalized(f.text) {
        let url = Self.root.appendingPathComponent(f.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try f.text.write(to: url, atomically: true, encoding: .utf8)
        print("wrote \(f.path)")
      }
      for p in stalePictures { try FileManager.default.removeItem(at: lessonDocs.appendingPathComponent(p)) }
      return
    }
    for f in files {
      // A Boolean check: the files are long, and the message says what to do.
      XCTAssertTrue(committed(f.path).map(Self.normalized) == Self.normalized(f.text), "\(f.path) is stale: run scripts/generate")
    }
    XCTAssertEqual(stalePictures, [], "pictures of an older lesson version: run scripts/generate")
    // The binary holds what the files say (a regenerated embedding needs a rebuild).
    XCTAssertTrue(StdlibEmbedding.compiled == Dictionary(uniqueKeysWithValues: stdlib.map { f in
      (f.name, f.source.hasSuffix("\n") ? String(f.source.dropLast()) : f.source)
    }), "the embedded stdlib differs from stdlib/: rebuild after scripts/generate")
    XCTAssertEqual(EmbeddedLessons.files.map(\.name), lessons.map(\.name), "rebuild after scripts/generate")
    for (embedded, file) in zip(EmbeddedLessons.files, lessons) {
      XCTAssertTrue(embedded.source == file.source, "embedded lesson \(file.name) differs: rebuild after scripts/generate")
    }
  }

  func committed(_ path: String) -> String? {
    try? String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
  }

  /// Trailing spaces and final newlines do not count (the lesson page's Markdown line breaks).
  static func normalized(_ text: String) -> String {
    TextFile.lines(text).map { line in
      var l = Substring(line)
      while let last = l.last, last == " " || last == "\t" { l.removeLast() }
      return String(l)
    }.joined(separator: "\n").trimmingCharacters(in: .newlines)
  }
}
