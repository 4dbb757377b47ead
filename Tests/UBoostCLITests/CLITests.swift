import Foundation
import XCTest

/// Drives the built `uboost` binary (`.build/debug/uboost`, or `$UBOOST_BINARY`) as a user would.
final class CLITests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func binary() throws -> String {
    let fm = FileManager.default
    if let p = ProcessInfo.processInfo.environment["UBOOST_BINARY"], fm.isExecutableFile(atPath: p) { return p }
    for c in [".build/debug/uboost", ".build/release/uboost"] {
      let p = root.appendingPathComponent(c).path
      if fm.isExecutableFile(atPath: p) { return p }
    }
    XCTFail("the uboost binary is not built (swift build first)")
    throw XCTSkip("no binary")
  }

  struct Run { var status: Int32; var out: String; var err: String }

  @discardableResult
  func uboost(_ args: [String], stdin: String? = nil, cwd: String? = nil, env: [String: String] = [:]) throws -> Run {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try Self.binary())
    p.arguments = args
    var e = ProcessInfo.processInfo.environment
    e["UBOOST_HISTORY"] = NSTemporaryDirectory() + "/uboost-cli-test-history"
    for (k, v) in env { e[k] = v }
    p.environment = e
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so a chatty child cannot block on a full pipe.
    var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return Run(status: p.terminationStatus, out: String(decoding: outData, as: UTF8.self),
               err: String(decoding: errData, as: UTF8.self))
  }

  func tempDir() throws -> String {
    let d = NSTemporaryDirectory() + "/uboost-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
    return d
  }

  // MARK: - Bench

  func testBenchKernelsConvComparesOneConv() throws {
    let r = try uboost(["bench", "kernels", "--threads", "1", "--conv", "2,8,8,8,3", "--conv", "1,8,8,6,5,2"])
    XCTAssertEqual(r.status, 0, r.err)
    let lines = r.out.split(separator: "\n")
    XCTAssertEqual(lines.count, 2, r.out)
    XCTAssertTrue(lines[0].hasPrefix("threads 1 conv 2,8,8,8,3: winograd "), r.out)
    XCTAssertTrue(lines[0].contains("conv2d picks im2col"), r.out)  // 8 tiles: the weight transforms dominate
    for bad in ["2,8,8,8", "2,8,8,8,3,x", "0,8,8,8,3", "2,8,8,8,3,1,1", "2,,8,8,3"] {
      let e = try uboost(["bench", "kernels", "--conv", bad])
      XCTAssertNotEqual(e.status, 0, bad)
      XCTAssertTrue(e.err.contains("--conv takes N,CIN,COUT,HW,K[,DILATION]"), "\(bad): \(e.err)")
    }
    let big = try uboost(["bench", "kernels", "--conv", "1048576,1048576,8,64,3"])
    XCTAssertNotEqual(big.status, 0)
    XCTAssertFalse(big.err.contains("Fatal error"), big.err)
  }

  func testBenchKernelsGivesTheMachineCeilingAtTwoThreads() throws {
    let r = try uboost(["bench", "kernels", "--threads", "1", "--threads", "2"])
    XCTAssertEqual(r.status, 0, r.err)
    let parts = r.out.components(separatedBy: "## 2 threads")
    XCTAssertEqual(parts.count, 2, r.out)
    XCTAssertFalse(parts[0].contains("machine ceiling"), r.out)  // nothing to compare at 1 thread
    XCTAssertTrue(parts[0].contains("sgemm 512^3") && parts[0].contains("depthwise 5x5 bwd (dx+dw)"), r.out)
    let line = parts[1].split(separator: "\n").first { $0.hasPrefix("machine ceiling at 2 threads: ") }
    let l = try XCTUnwrap(line, r.out)
    // "...: 1.62x for 2 independent 1-thread SGEMM streams, 1.41x triad bandwidth"
    let factors = l.split(separator: " ").filter { $0.hasSuffix("x") || $0.hasSuffix("x,") }
      .compactMap { Double($0.replacingOccurrences(of: "x", with: "").replacingOccurrences(of: ",", with: "")) }
    XCTAssertEqual(factors.count, 2, String(l))
    for f in factors { XCTAssertTrue(f > 0.3 && f < 2.6, String(l)) }  // two streams: about 1-2x one stream
  }

  // MARK: - Help

  func testHelpForEveryCommand() throws {
    let commands: [[String]] = [[], ["run"], ["check"], ["notebook"], ["lesson"], ["hw"], ["hw", "validate"],
                                ["hw", "ceil-table"], ["hw", "scalesim"], ["hw", "dataflow-table"], ["bench"], ["bench", "kernels"], ["bench", "search"],
                                ["bench", "lang"], ["doc"], ["doc", "builtins"], ["arch"], ["arch", "cost"], ["sweep"]]
    for c in commands {
      let r = try uboost(c + ["--help"])
      XCTAssertEqual(r.status, 0, "\(c) --help: \(r.err)")
      XCTAssertTrue(r.out.contains("USAGE"), "\(c) --help prints usage")
    }
    let top = try uboost(["--help"])
    for sub in ["check", "notebook", "lesson", "hw", "bench", "sweep"] { XCTAssertTrue(top.out.contains(sub), sub) }
    let sweep = try uboost(["sweep", "--help"])
    for option in ["--backend", "--jobs", "--threads", "--cpus-per-task", "--mem", "--time", "--partition", "--x", "--y"] {
      XCTAssertTrue(sweep.out.contains(option), "sweep --help lists \(option)")
    }
    XCTAssertFalse(top.out.contains("sweep-task"), "the per-configuration command is hidden")
  }

  // MARK: - Running code

  func testEvaluateExpression() throws {
    let r = try uboost(["-e", "let xs = [1, 2, 3]\nxs |> map(fn(x) => x * x) |> sum"])
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertEqual(r.out, "14\n")
  }

  func testScriptWithArgumentsAndErrorsWithCaret() throws {
    let d = try tempDir()
    let ok = d + "/ok.uboost"
    try "print(\"args: \\(args)\")\nprint(len(args))\n".write(toFile: ok, atomically: true, encoding: .utf8)
    let r = try uboost([ok, "a", "b"])
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertEqual(r.out, "args: [\"a\", \"b\"]\n2\n")

    let bad = d + "/bad.uboost"
    try "fn f(x) = x + nope\nlet y = 1\nf(y)\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let e = try uboost([bad])
    XCTAssertEqual(e.status, 1)
    XCTAssertTrue(e.err.contains("bad.uboost:1:15"), e.err)
    XCTAssertTrue(e.err.contains("^"), e.err)
  }

  func testRuntimeErrorShowsCallStack() throws {
    let d = try tempDir()
    let bad = d + "/stack.uboost"
    try "fn inner(x) = x[5]\nfn outer(x) = inner(x)\nouter([1, 2])\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let e = try uboost([bad])
    XCTAssertEqual(e.status, 1)
    XCTAssertTrue(e.err.contains("stack.uboost:1:"), e.err)
    XCTAssertTrue(e.err.contains("inner") && e.err.contains("outer"), "call stack shown: \(e.err)")
  }

  func testMissingFileIsAnError() throws {
    let r = try uboost(["/nonexistent/x.uboost"])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("cannot read"), r.err)
  }

  func testEngineErrorsAreMessagesNotCrashes() throws {
    let r = try uboost(["-e", "tensor([[1, 2], [3, 4]]) @ tensor([[1, 2, 3]])"])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("matmul"), r.err)
    let t = try uboost(["--threads", "0", "-e", "1"])
    XCTAssertNotEqual(t.status, 0)
  }

  func testCheckReportsEverySyntaxError() throws {
    let d = try tempDir()
    let f = d + "/two.uboost"
    try "let a = (1 +\nlet b = 2\nfn g( { }\nlet c = 3\n".write(toFile: f, atomically: true, encoding: .utf8)
    let r = try uboost(["check", f])
    XCTAssertEqual(r.status, 1)
    XCTAssertGreaterThanOrEqual(r.err.components(separatedBy: "syntax error").count - 1, 2, r.err)
    let g = d + "/good.uboost"
    try "let a = 1\nprint(a)\n".write(toFile: g, atomically: true, encoding: .utf8)
    let ok = try uboost(["check", g])
    XCTAssertEqual(ok.status, 0, ok.err)
    XCTAssertFalse(ok.out.contains("1\n"), "check does not run the script")
  }

  func testPipedREPL() throws {
    let r = try uboost([], stdin: "let x = 20\nfn f(y) {\n  y + x\n}\nprint(f(22))\n")
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.contains("42"), r.out)
    let e = try uboost([], stdin: "print(111)\nundefined_name\nprint(222)\n")
    XCTAssertEqual(e.status, 1, "exit status reflects errors")
    XCTAssertTrue(e.out.contains("111") && e.out.contains("222"), "the session goes on after an error: \(e.out)")
  }

  func testPipedREPLReportsAnUnclosedBracketAndGoesOn() throws {
    let r = try uboost([], stdin: "let a = [1, 2\nprint(111)\nprint(222)\n")
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.out, "111\n222\n")
    XCTAssertTrue(r.err.contains("<stdin>:1:14: syntax error: expected ']'"), r.err)
  }

  func testPipedREPLWritesNULBytes() throws {
    let r = try uboost([], stdin: "print(\"a\\0b\")\nprint(\"c\")\n")
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertEqual(r.out, "a\u{0}b\nc\n")
  }

  /// `:reset` restores the session as it started: each library once in `:help`, `args` defined,
  /// engine builtins over language names (`mean`) still dispatching both ways, user names gone.
  func testResetTwiceRestoresTheStartingSession() throws {
    let script = """
      :help
      print("--")
      let mine = 1
      :reset
      :reset
      :help
      print("--")
      print(args, mean([1, 2, 3]), mean(tensor([1, 3])).item())
      mine
      """
    let r = try uboost([], stdin: script + "\n")
    XCTAssertTrue(r.err.contains("undefined variable 'mine'"), r.err)
    XCTAssertEqual(r.err.components(separatedBy: "error").count, 2, "one error only: \(r.err)")
    let parts = r.out.components(separatedBy: "--\n")
    XCTAssertEqual(parts.count, 3, r.out)
    guard parts.count == 3 else { return }
    let before = parts[0]
    XCTAssertEqual(parts[1].components(separatedBy: "all bindings forgotten\n").count, 3, parts[1])
    let after = parts[1].replacingOccurrences(of: "all bindings forgotten\n", with: "")
    XCTAssertEqual(after, before, ":help changed after :reset")
    let libraryLines = after.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(": ") }
      .map { $0.split(separator: ":")[0].trimmingCharacters(in: .whitespaces) }
    XCTAssertGreaterThan(libraryLines.count, 5, after)
    XCTAssertEqual(libraryLines.count, Set(libraryLines).count, "a library is listed twice: \(after)")
    XCTAssertEqual(parts[2], "[] 2 2\n")
  }

  func testHelpCoversStdlibFunctionsAndMethods() throws {
    let r = try uboost([], stdin: ":help paper_hw\n:help tiny_supernet\nlet hw = paper_hw()\n:help hw.cost\n")
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.contains("paper_hw(ceiling: \"corrected\")\n  The reference accelerator"), r.out)
    XCTAssertTrue(r.out.contains("tiny_supernet(data, ops: ["), r.out)
    XCTAssertTrue(r.out.contains("hw.cost: method of"), r.out)
    XCTAssertTrue(r.out.contains("cost(layer"), r.out)
  }

  func testInvalidUTF8IsPositionedAndToleratedInComments() throws {
    let d = try tempDir()
    let bad = d + "/bad.uboost"
    var bytes = Array("print(1)\nlet s = \"caf".utf8) + [0xE9] + Array("\"\n".utf8)
    try Data(bytes).write(to: URL(fileURLWithPath: bad))
    let r = try uboost(["run", bad])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("bad.uboost:2:13: syntax error: invalid UTF-8 byte 0xE9"), r.err)
    let ok = d + "/comment.uboost"
    bytes = Array("# caf".utf8) + [0xE9] + Array(" (Latin-1)\nprint(2) # na".utf8) + [0xEF] + Array("ve\n".utf8)
    try Data(bytes).write(to: URL(fileURLWithPath: ok))
    let c = try uboost(["run", ok])
    XCTAssertEqual(c.status, 0, c.err)
    XCTAssertEqual(c.out, "2\n")
  }

  func testLessonFromAStepSaysWhatHappensToItsBindings() throws {
    let r = try uboost(["lesson", "smooth-ceil", "--no-pause", "--step", "8"])
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.contains("Steps 1 to 7 ran without being shown"), r.out)
    XCTAssertTrue(r.out.contains("Step 8 of 8"), r.out)
    XCTAssertFalse(r.out.contains("Step 7 of 8"), r.out)
    XCTAssertTrue(r.out.contains("Its bindings end with this command (standard input is not a terminal"), r.out)
    let bad = try uboost(["lesson", "smooth-ceil", "--step", "0"])
    XCTAssertEqual(bad.status, 1)
    XCTAssertTrue(bad.err.contains("there is no step 0"), bad.err)
  }

  // MARK: - Notebooks, lessons, docs

  func testNotebookMarkdownAndJupyter() throws {
    let d = try tempDir()
    let nb = d + "/nb.uboost"
    try """
      #%% Setup
      let hw = systolic(rows: 128, cols: 128)
      print("ready")
      #%% A plot
      plot(fn(c) => hw.cost(conv(k: 3, cin: 128, cout: c, out: [8, 8]), exact: true).util, from: 8, to: 300)
      #%% An error
      1 + nope
      """.write(toFile: nb, atomically: true, encoding: .utf8)
    let md = try uboost(["notebook", nb, "-o", d + "/report.md"])
    XCTAssertEqual(md.status, 1, "a failing cell makes the run fail")
    let text = try String(contentsOfFile: d + "/report.md", encoding: .utf8)
    XCTAssertTrue(text.contains("Setup") && text.contains("ready") && text.contains("nope"), text)
    let svgs = try FileManager.default.contentsOfDirectory(atPath: d).filter { $0.hasSuffix(".svg") }
    XCTAssertFalse(svgs.isEmpty, "plots saved next to the report")
    XCTAssertTrue(svgs.contains { text.contains($0) }, "report links its plot")

    let nb2 = try uboost(["notebook", nb, "-o", d + "/report.ipynb", "--cell", "2"])
    XCTAssertEqual(nb2.status, 0, nb2.err)
    let data = try Data(contentsOf: URL(fileURLWithPath: d + "/report.ipynb"))
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    XCTAssertEqual(json?["nbformat"] as? Int, 4)
    let cells = (json?["cells"] as? [[String: Any]]) ?? []
    let code = cells.filter { ($0["cell_type"] as? String) == "code" }
    XCTAssertEqual(code.count, 2, "--cell 2 runs cells 1..2")
    XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("image/svg+xml"))
  }

  func testLessonListAndRunWithoutPause() throws {
    let l = try uboost(["lesson"])
    XCTAssertEqual(l.status, 0, l.err)
    XCTAssertTrue(l.out.contains("smooth-ceil"))
    let r = try uboost(["lesson", "smooth-ceil", "--no-pause"])
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.contains("ceil"), r.out)
    let u = try uboost(["lesson", "no-such-lesson", "--no-pause"])
    XCTAssertNotEqual(u.status, 0)
  }

  func testBuiltinsDocCommand() throws {
    // docs/builtins.md is kept equal to this output by UBoostBuiltinsTests.GeneratedFilesTests.
    let r = try uboost(["doc", "builtins"])
    XCTAssertEqual(r.status, 0, r.err)
    for name in ["## core", "## tensor", "## hardware", "## nas", "`smooth_ceil(", "`search(", "`plot("] {
      XCTAssertTrue(r.out.contains(name), name)
    }
  }

  func testHardwareCeilTable() throws {
    let r = try uboost(["hw", "ceil-table"])
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.contains("reference") && r.out.contains("corrected"), r.out)
  }

  // MARK: - SCALE-Sim files

  static let scaleSimCfg = """
    [general]
    run_name = t

    [architecture_presets]
    ArrayHeight:    16
    ArrayWidth:     16
    IfmapSramSzkB:   64
    FilterSramSzkB:  64
    OfmapSramSzkB:   64
    Dataflow : ws
    Bandwidth : 10

    [run_presets]
    InterfaceBandwidth: CALC

    """
  static let scaleSimCsv = """
    Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
    Conv1, 18, 18, 3, 3, 16, 32, 1,
    DPdw, 10, 10, 3, 3, 2, 1, 1,

    """

  /// `uboost hw scalesim --json`: one object per SCALE-Sim layer with the COMPUTE_REPORT fields
  /// (values of SCALE-Sim 3.0.0 for the same files).
  func testScaleSimJSON() throws {
    let d = try tempDir()
    try Self.scaleSimCfg.write(toFile: d + "/a.cfg", atomically: true, encoding: .utf8)
    try Self.scaleSimCsv.write(toFile: d + "/t.csv", atomically: true, encoding: .utf8)
    let r = try uboost(["hw", "scalesim", "-c", d + "/a.cfg", "-t", d + "/t.csv", "--json"])
    XCTAssertEqual(r.status, 0, r.err)
    let list = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]] ?? []
    XCTAssertEqual(list.map { $0["layer"] as? String ?? "" }, ["Conv1", "DPdwChannel_0", "DPdwChannel_1"])
    for o in list {
      XCTAssertEqual(Set(o.keys), ["layer", "total_cycles", "stall_cycles", "overall_util", "mapping_efficiency", "compute_util"])
    }
    XCTAssertEqual((list.first?["total_cycles"] as? NSNumber)?.doubleValue, 5435)
    XCTAssertEqual((list.first?["stall_cycles"] as? NSNumber)?.doubleValue, 0)
    XCTAssertEqual((list.first?["overall_util"] as? NSNumber)?.doubleValue ?? 0, 84.7838086476541, accuracy: 1e-9)
    XCTAssertEqual((list.first?["compute_util"] as? NSNumber)?.doubleValue ?? 0, 80.75709779179813, accuracy: 1e-9)
    let os = try uboost(["hw", "scalesim", "-c", d + "/a.cfg", "-t", d + "/t.csv", "--dataflow", "os"])
    XCTAssertEqual(os.status, 0, os.err)
    XCTAssertTrue(os.out.hasPrefix("Layer"), os.out)
    XCTAssertTrue(os.out.contains("5567"), os.out)
    let direct = try uboost(["hw", "scalesim", "-c", d + "/a.cfg", "-t", d + "/t.csv", "--json", "--depthwise", "direct"])
    XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(direct.out.utf8)) as? [Any])?.count, 2)
  }

  func testScaleSimErrors() throws {
    let d = try tempDir()
    try "[architecture_presets]\nArrayHeight: 8\nDataflow: os\n".write(toFile: d + "/bad.cfg", atomically: true, encoding: .utf8)
    try Self.scaleSimCsv.write(toFile: d + "/t.csv", atomically: true, encoding: .utf8)
    let r = try uboost(["hw", "scalesim", "-c", d + "/bad.cfg", "-t", d + "/t.csv"])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("missing required keys ArrayWidth ([architecture_presets])"), r.err)
    XCTAssertTrue(r.out.isEmpty, r.out)
    try Self.scaleSimCfg.write(toFile: d + "/a.cfg", atomically: true, encoding: .utf8)
    try (ScaleSimHeader.text + "c1, 8, 8, 3, 3, 4\n").write(toFile: d + "/bad.csv", atomically: true, encoding: .utf8)
    let t = try uboost(["hw", "scalesim", "-c", d + "/a.cfg", "-t", d + "/bad.csv"])
    XCTAssertEqual(t.status, 1)
    XCTAssertTrue(t.err.contains("bad.csv:2:18: layer 'c1': missing column 'Num Filter'"), t.err)
  }
}

enum ScaleSimHeader {
  static let text = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
}
