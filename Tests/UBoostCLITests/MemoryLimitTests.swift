import Foundation
import XCTest

/// Allocations beyond the memory available (here: `ulimit -v`) are refused with how much was
/// asked and how much is available; they used to end in "Fatal error: failed to allocate".
extension CLITests {
  /// Runs uboost under `ulimit -v kilobytes`.
  func uboostUnderLimit(kilobytes: Int, _ args: [String]) throws -> Run {
    let quoted = try ([Self.binary()] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "ulimit -v \(kilobytes) && exec " + quoted.joined(separator: " ")]
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return Run(status: p.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
  }

  func testAllocationsBeyondTheMemoryLimitAreErrors() throws {
    let limit = 3_000_000  // kB of address space: enough to start, far from 8 GiB
    let z = try uboostUnderLimit(kilobytes: limit, ["-e", "let r = try { zeros([65536, 32768]) } catch e { e.message }; print(r)"])
    XCTAssertEqual(z.status, 0, z.err)
    XCTAssertTrue(z.out.contains("a tensor of shape [65536, 32768] needs 8.0 GiB, only"), z.out + z.err)
    XCTAssertTrue(z.out.contains("of memory is available"), z.out)
    let s = try uboostUnderLimit(kilobytes: limit, ["-e", "supernet(cell_space(), stem: 2000, stacks: [1, 1, 1])"])
    XCTAssertEqual(s.status, 1, s.err)
    XCTAssertFalse(s.err.contains("Fatal error"), s.err)
    XCTAssertTrue(s.err.contains("limit error: supernet: a micro network of about"), s.err)
    // The amount left depends on the machine's free memory at that moment (it was 821 MiB once,
    // under load), so only the message's shape is pinned, not its unit.
    XCTAssertTrue(s.err.range(of: #"only [0-9.]+ ([KMG]iB|bytes) of memory is available"#, options: .regularExpression) != nil, s.err)
    // Millions of small values (a closure chain that keeps growing) once ended in the allocator's
    // fatal error (SIGSEGV while printing it); the watchdog stops the statement with a positioned error.
    let grow = try uboostUnderLimit(kilobytes: limit, ["-e", "var f = fn() = 0\nwhile true { let g = f; f = fn() = g }"])
    XCTAssertEqual(grow.status, 1, grow.err)
    XCTAssertFalse(grow.err.contains("Fatal error") || grow.err.contains("crashed"), grow.err)
    XCTAssertTrue(grow.err.contains("limit error: out of memory"), grow.err)
    XCTAssertTrue(grow.err.contains(":2:1: limit error: out of memory"), grow.err)
    // Below the limit everything still works.
    let ok = try uboostUnderLimit(kilobytes: limit, ["-e", "print(sum(zeros([1024, 1024]) + 1))"])
    XCTAssertEqual(ok.out, "tensor(1048576)\n", ok.err)
  }
}
