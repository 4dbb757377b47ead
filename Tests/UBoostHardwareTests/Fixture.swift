import Foundation
import XCTest

// MARK: - Golden fixtures (copied from ../shared/golden, next to the package root, with their headers)

enum Fixture {
  /// A required fixture that is not in the test bundle: the test fails, naming it.
  struct Missing: Error, CustomStringConvertible {
    var name: String
    var description: String { "golden fixture Tests/UBoostHardwareTests/Fixtures/\(name).json is missing" }
  }

  static func url(_ name: String) throws -> URL {
    guard let u = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
      throw Missing(name: name)
    }
    return u
  }
  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: try url(name))
    guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw NSError(domain: "fixture", code: 1)
    }
    return o
  }
}

func num(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }

/// Asserts |a - b| <= rel * |b| + abs.
func assertClose(_ a: Double, _ b: Double, rel: Double, abs absTol: Double = 0, _ msg: @autoclosure () -> String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
  if !(abs(a - b) <= rel * abs(b) + absTol) {
    XCTFail("\(a) != \(b) (rel \(rel)) \(msg())", file: file, line: line)
  }
}
