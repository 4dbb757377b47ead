import Foundation
import XCTest

/// Every line of every program block of the language contract (design/language.md) appears in a
/// Tests/scripts/contract script, verbatim or through a listed deviation, so the golden contract
/// scripts (run by EngineScriptTests) are the contract's programs.
final class ContractTests: XCTestCase {
  /// The contract: `../shared/design/language.md` next to the package root (UBOOST_CONTRACT
  /// overrides it). A missing contract fails the test, naming the path.
  static let contract = ProcessInfo.processInfo.environment["UBOOST_CONTRACT"].map { URL(fileURLWithPath: $0) }
    ?? TestSupport.root.deletingLastPathComponent().appendingPathComponent("shared/design/language.md")

  /// Contract lines the scripts spell differently, with the reason.
  static let deviations: [String: String] = [
    // The terminal chart gets a fixed size so its golden output does not depend on the terminal.
    "plot([ceil, smooth_ceil], from: 0, to: 4)": "plot([ceil, smooth_ceil], from: 0, to: 4, width: 40, height: 8)",
    // Tests write into the run's temp_dir() and sample fewer points.
    "from: 8, to: 512, file: \"util.svg\")": "from: 8, to: 512, points: 40, file: \"\\(tmp)/uboost-contract-util.svg\")",
    // The contract elides the arguments (`...`); the test table lives in the run's temp_dir().
    "roofline(...), flops(...), lookup(\"table.json\")": "roofline(), flops(), lookup(\"\\(tmp)/uboost-contract-table.json\")",
    // Files go into the run's temp_dir(); the heat map goes to a file so its output is known.
    "plot(ms.alphas)": "plot(ms.alphas, file: \"\\(tmp)/uboost-contract-alphas.svg\")",
    "save(cs, \"cs_arch_state.json\")": "save(cs, \"\\(tmp)/uboost-contract-cs_arch_state.json\")",
    // A genotype's text depends on the learned alphas; the scripts check what it is.
    "print(ms.genotype)": "print(type(ms.genotype))",
    "print(\"epoch \\(epoch): \\(net.genotype)\")": "print(\"epoch \\(epoch): \\(type(net.genotype))\")",
  ]

  static func normalize(_ line: Substring) -> String {
    var code = String(line)
    if let hash = code.firstIndex(of: "#") { code = String(code[..<hash]) }
    return code.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
  }

  func testEveryContractBlockIsAGoldenScript() throws {
    guard let text = try? String(contentsOf: ContractTests.contract, encoding: .utf8) else {
      XCTFail("the language contract is missing: cannot read \(ContractTests.contract.path) (../shared next to the package root, or set UBOOST_CONTRACT)")
      return
    }
    var blocks: [[String]] = []
    var current: [String]?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("```") {
        if let c = current { blocks.append(c); current = nil } else { current = [] }
        continue
      }
      if current != nil {
        let n = ContractTests.normalize(line)
        if !n.isEmpty { current?.append(n) }
      }
    }
    XCTAssertGreaterThanOrEqual(blocks.count, 5, "the contract has five program blocks")
    let dir = TestSupport.scriptsDir.appendingPathComponent("contract")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".uboost") }
    var scriptLines = Set<String>()
    for f in files {
      let s = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
      for l in s.split(separator: "\n") { scriptLines.insert(ContractTests.normalize(l)) }
    }
    for (b, block) in blocks.enumerated() {
      for line in block {
        let want = ContractTests.deviations[line].map { ContractTests.normalize(Substring($0)) } ?? line
        XCTAssertTrue(scriptLines.contains(want), "contract block \(b + 1): no contract script has the line `\(line)`")
      }
    }
  }
}
