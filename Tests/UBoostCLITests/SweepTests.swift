import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `uboost sweep` end to end: a 4-configuration sweep of tiny searches through the local pool and
/// a real Slurm (scripts/test starts one with scripts/slurm-local), a killed configuration, resume.
final class SweepTests: XCTestCase {
  /// Four tiny micro searches (synthetic 8x8 images, one epoch of two steps); `hang` keeps a
  /// configuration busy until the test kills it, once (the marker file makes the retry pass).
  static let script = """
    let data = dataset("synthetic", size: 16, shape: [1, 8, 8], batch: 8)
    fn run(c) {
      if c.hang && !exists("killed-once") {
        write_file("hanging", "yes")
        while true { }
      }
      let net = supernet(cell_space(ops: ["conv3x3", "identity", "zero"]), stem: 4, stacks: [1], input: data, seed: c.seed)
      let ms = search(net, data, hw: systolic(rows: 16, cols: 16, batch: 8), epochs: 1, lat_coef: c.lat_coef)
      let r = evaluate(derive(ms), data)
      {loss: ms.loss, top1: r.top1, latency_ms: r.latency_ms, genotype: str(ms.genotype)}
    }
    let hang = false
    sweep(grid({lat_coef: [0, 0.5], seed: [0, 1]}) |> map(fn(c) => {lat_coef: c.lat_coef, seed: c.seed, hang: hang && c.seed == 1 && c.lat_coef == 0.5}), run,
          x: "latency_ms", y: "top1")
    """

  struct Run { var status: Int32; var out: String; var err: String }

  func tempDir() throws -> String {
    let d = NSTemporaryDirectory() + "/uboost-sweep-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
    return d
  }

  /// Starts `uboost args` in `cwd`; `whileRunning` is called every 0.2 s until it ends; killed
  /// (and the test failed) after `timeout` seconds.
  @discardableResult
  func uboost(_ args: [String], cwd: String, timeout: Double = 240, whileRunning: (() -> Void)? = nil) throws -> Run {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try CLITests.binary())
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd)
    let out = cwd + "/.out-\(UUID().uuidString)", err = cwd + "/.err-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: out, contents: nil)
    FileManager.default.createFile(atPath: err, contents: nil)
    p.standardOutput = FileHandle(forWritingAtPath: out)
    p.standardError = FileHandle(forWritingAtPath: err)
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning {
      if Date() > deadline {
        kill(-p.processIdentifier, SIGKILL)
        p.terminate()
        XCTFail("uboost \(args.joined(separator: " ")) still running after \(Int(timeout)) s; stderr: \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
        break
      }
      whileRunning?()
      usleep(200_000)
    }
    p.waitUntilExit()
    return Run(status: p.terminationStatus, out: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
               err: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
  }

  func runs(_ dir: String) throws -> [[String: Any]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/sweep.json"))
    let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return try XCTUnwrap(json["runs"] as? [[String: Any]])
  }

  /// id, config, status and result of each run, as canonical JSON text (times and attempts differ).
  func comparable(_ dir: String) throws -> [String] {
    try runs(dir).map { r in
      let keep = ["id": r["id"] ?? NSNull(), "config": r["config"] ?? NSNull(), "status": r["status"] ?? NSNull(), "result": r["result"] ?? NSNull()]
      return String(decoding: try JSONSerialization.data(withJSONObject: keep, options: [.sortedKeys]), as: UTF8.self)
    }
  }

  func record(_ dir: String, _ id: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/runs/\(id)/result.json"))
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  // MARK: - Local

  func testLocalSweepWritesRecordsReportAndResumes() throws {
    let d = try tempDir()
    try Self.script.write(toFile: d + "/s.uboost", atomically: true, encoding: .utf8)
    let r = try uboost(["sweep", "s.uboost", "-o", "out", "--jobs", "2", "--threads", "1"], cwd: d)
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.err.contains("4 to run") && r.err.contains("4/4 finished (0 failed)"), r.err)
    let all = try runs(d + "/out")
    XCTAssertEqual(all.count, 4)
    XCTAssertEqual(Set(all.compactMap { $0["id"] as? String }).count, 4)
    for run in all {
      XCTAssertEqual(run["status"] as? String, "ok", "\(run)")
      let result = try XCTUnwrap(run["result"] as? [String: Any], "\(run)")
      XCTAssertNotNil(result["loss"] as? Double)
      XCTAssertNotNil(result["genotype"] as? String)
      let id = try XCTUnwrap(run["id"] as? String)
      let rec = try record(d + "/out", id)
      XCTAssertEqual(rec["exit_status"] as? Int, 0)
      XCTAssertEqual(rec["attempts"] as? Int, 1)
      XCTAssertFalse((rec["host"] as? String ?? "").isEmpty, "the record names the machine")
      XCTAssertGreaterThan(rec["seconds"] as? Double ?? 0, 0)
    }
    let report = try String(contentsOfFile: d + "/out/report.md", encoding: .utf8)
    XCTAssertTrue(report.contains("| id | lat_coef | seed | hang | status |"), report)
    XCTAssertTrue(report.contains("pareto.svg") && report.contains("latency_ms vs top1"), "the script's sweep(x:, y:): \(report)")
    XCTAssertTrue(report.contains("lower latency_ms, higher top1"), report)
    XCTAssertTrue(try String(contentsOfFile: d + "/out/pareto.svg", encoding: .utf8).contains("<svg"))

    // Re-running the finished sweep runs nothing again.
    let before = try comparable(d + "/out")
    let stamps = try all.map { try FileManager.default.attributesOfItem(atPath: "\(d)/out/runs/\($0["id"] as? String ?? "")/result.json")[.modificationDate] as? Date }
    let again = try uboost(["sweep", "s.uboost", "-o", "out", "--x", "loss", "--y", "top1", "--x-better", "max"], cwd: d)
    XCTAssertEqual(again.status, 0, again.err)
    XCTAssertTrue(again.err.contains("4 finished, 0 failed twice (skipped), 0 to run"), again.err)
    XCTAssertEqual(try comparable(d + "/out"), before)
    let after = try all.map { try FileManager.default.attributesOfItem(atPath: "\(d)/out/runs/\($0["id"] as? String ?? "")/result.json")[.modificationDate] as? Date }
    XCTAssertEqual(after, stamps, "no result.json was rewritten")
    XCTAssertTrue(try String(contentsOfFile: d + "/out/report.md", encoding: .utf8).contains("higher loss, higher top1"), "--x/--y override the script's")

    // A changed configuration gets a new id; the unchanged ones are kept.
    try Self.script.replacingOccurrences(of: "lat_coef: [0, 0.5]", with: "lat_coef: [0, 0.25]")
      .write(toFile: d + "/s.uboost", atomically: true, encoding: .utf8)
    let changed = try uboost(["sweep", "s.uboost", "-o", "out", "--jobs", "2", "--threads", "1"], cwd: d)
    XCTAssertEqual(changed.status, 0, changed.err)
    XCTAssertTrue(changed.err.contains("2 finished, 0 failed twice (skipped), 2 to run"), changed.err)
    let ids = Set(try runs(d + "/out").compactMap { $0["id"] as? String })
    XCTAssertEqual(ids.intersection(Set(all.compactMap { $0["id"] as? String })).count, 2)
  }

  func testKilledConfigurationIsRecordedAndTheRestKept() throws {
    let d = try tempDir()
    var killed: String?
    // The same sweep with one configuration that spins until killed.
    try Self.script.replacingOccurrences(of: "let hang = false", with: "let hang = true")
      .write(toFile: d + "/h.uboost", atomically: true, encoding: .utf8)
    let fm = FileManager.default
    let h = try uboost(["sweep", "h.uboost", "-o", "hout", "--jobs", "2", "--threads", "1"], cwd: d, timeout: 180) {
      guard killed == nil, fm.fileExists(atPath: d + "/hanging"),
            let dirs = try? fm.contentsOfDirectory(atPath: d + "/hout/runs") else { return }
      for id in dirs {
        guard let config = try? String(contentsOfFile: "\(d)/hout/runs/\(id)/config.json", encoding: .utf8), config.contains("\"hang\": true"),
              let pid = try? String(contentsOfFile: "\(d)/hout/runs/\(id)/worker.pid", encoding: .utf8),
              let p = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
        kill(p, SIGKILL)
        killed = id
      }
    }
    let id = try XCTUnwrap(killed, "the hanging configuration was found and killed: \(h.err)")
    XCTAssertEqual(h.status, 1, "a failed configuration fails the sweep: \(h.err)")
    XCTAssertTrue(h.err.contains("4/4 finished (1 failed)"), h.err)
    let all = try runs(d + "/hout")
    XCTAssertEqual(all.filter { $0["status"] as? String == "ok" }.count, 3, "the other configurations are kept")
    let failed = try XCTUnwrap(all.first { $0["id"] as? String == id })
    XCTAssertEqual(failed["status"] as? String, "failed")
    XCTAssertTrue(failed["result"] is NSNull)
    let rec = try record(d + "/hout", id)
    XCTAssertEqual(rec["signal"] as? Int, 9)
    XCTAssertEqual(rec["exit_status"] as? Int, 137)
    XCTAssertTrue((rec["error"] as? String ?? "").contains("signal 9"), "\(rec)")
    XCTAssertTrue(try String(contentsOfFile: d + "/hout/report.md", encoding: .utf8).contains("## Failures"))

    // Re-running retries the failed configuration once (it passes now) and nothing else.
    fm.createFile(atPath: d + "/killed-once", contents: Data())
    let retry = try uboost(["sweep", "h.uboost", "-o", "hout", "--threads", "1"], cwd: d)
    XCTAssertEqual(retry.status, 0, retry.err)
    XCTAssertTrue(retry.err.contains("3 finished, 0 failed twice (skipped), 1 to run"), retry.err)
    XCTAssertEqual(try record(d + "/hout", id)["attempts"] as? Int, 2)
    XCTAssertEqual(try runs(d + "/hout").filter { $0["status"] as? String == "ok" }.count, 4)
  }

  func testSweepErrors() throws {
    let d = try tempDir()
    try "let x = 1\n".write(toFile: d + "/none.uboost", atomically: true, encoding: .utf8)
    let none = try uboost(["sweep", "none.uboost", "-o", "out"], cwd: d)
    XCTAssertEqual(none.status, 1)
    XCTAssertTrue(none.err.contains("declares no sweep"), none.err)
    try "sweep(grid({a: [1]}), fn(c) => {x: c.a + nope})\n".write(toFile: d + "/bad.uboost", atomically: true, encoding: .utf8)
    let bad = try uboost(["sweep", "bad.uboost", "-o", "out", "--jobs", "1"], cwd: d)
    XCTAssertEqual(bad.status, 1, bad.err)
    let run = try XCTUnwrap(try runs(d + "/out").first)
    XCTAssertEqual(run["status"] as? String, "failed")
    let rec = try record(d + "/out", try XCTUnwrap(run["id"] as? String))
    XCTAssertEqual(rec["exit_status"] as? Int, 1)
    XCTAssertTrue((rec["stderr_tail"] as? String ?? "").contains("bad.uboost:1:"), "\(rec)")
    XCTAssertTrue((rec["error"] as? String ?? "").contains("nope"), "the error line names the problem: \(rec)")
    XCTAssertNotEqual(try uboost(["sweep", "bad.uboost", "-o", "out", "--jobs", "0"], cwd: d).status, 0)
  }

  // MARK: - Slurm

  /// The same sweep through a real Slurm job array gives the local backend's results. Runs when
  /// UBOOST_TEST_SLURM=1 (scripts/test sets it and starts scripts/slurm-local); then a missing or
  /// broken Slurm fails the test.
  func testSlurmSweepMatchesLocal() throws {
    guard ProcessInfo.processInfo.environment["UBOOST_TEST_SLURM"] == "1" else {
      throw XCTSkip("Slurm test off: run scripts/test (it starts scripts/slurm-local), or `eval \"$(scripts/slurm-local up)\"` and set UBOOST_TEST_SLURM=1")
    }
    let d = try tempDir()
    try Self.script.write(toFile: d + "/s.uboost", atomically: true, encoding: .utf8)
    let sinfo = Process()
    sinfo.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    sinfo.arguments = ["sinfo", "-h", "-o", "%T"]
    let pipe = Pipe()
    sinfo.standardOutput = pipe
    try sinfo.run()
    let state = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    sinfo.waitUntilExit()
    guard sinfo.terminationStatus == 0, state.contains("idle") || state.contains("mix") || state.contains("alloc") else {
      XCTFail("Slurm is not usable (sinfo status \(sinfo.terminationStatus), node state '\(state.trimmingCharacters(in: .whitespacesAndNewlines))'): did scripts/slurm-local up fail? SLURM_CONF=\(ProcessInfo.processInfo.environment["SLURM_CONF"] ?? "unset")")
      return
    }

    let local = try uboost(["sweep", "s.uboost", "-o", "local", "--threads", "1", "--jobs", "2"], cwd: d)
    XCTAssertEqual(local.status, 0, local.err)
    let slurm = try uboost(["sweep", "s.uboost", "-o", "slurm", "--backend", "slurm", "--cpus-per-task", "1", "--mem", "1G", "--time", "10:00"],
                           cwd: d, timeout: 300)
    XCTAssertEqual(slurm.status, 0, slurm.err)
    XCTAssertTrue(slurm.err.contains("submitted Slurm job array"), slurm.err)
    let script = try String(contentsOfFile: d + "/slurm/slurm/sweep.sbatch", encoding: .utf8)
    XCTAssertTrue(script.contains("#SBATCH --mem=1G") && script.contains("#SBATCH --time=10:00"), script)
    XCTAssertEqual(try String(contentsOfFile: d + "/slurm/slurm/params.txt", encoding: .utf8).split(separator: "\n").count, 4)
    XCTAssertEqual(try comparable(d + "/slurm"), try comparable(d + "/local"), "Slurm and local runs give the same results")
    XCTAssertEqual(try runs(d + "/slurm").filter { $0["status"] as? String == "ok" }.count, 4)

    // Resume on Slurm too: nothing is submitted again.
    let again = try uboost(["sweep", "s.uboost", "-o", "slurm", "--backend", "slurm"], cwd: d, timeout: 120)
    XCTAssertEqual(again.status, 0, again.err)
    XCTAssertTrue(again.err.contains("0 to run") && !again.err.contains("submitted"), again.err)
  }
}
