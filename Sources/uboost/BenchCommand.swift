import ArgumentParser
import Foundation
import UBoostBench
import UBoostNAS
import UBoostTensor

// MARK: - uboost bench kernels | search | lang

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Benchmarks that print ratios against baselines measured in the same run.",
    subcommands: [Kernels.self, Search.self, Lang.self])

  struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "GFLOP/s of sgemm 512^3 and of the conv kernels (forward and backward) as fractions of sgemm, at 1 and 2 threads.")
    @Option(help: "Thread counts to measure.") var threads: [Int] = [1, 2]
    @Option(help: ArgumentHelp(
      "Instead of the table: forward + backward ms of this conv by Winograd and by im2col, and what conv2d picks (repeatable).",
      valueName: "N,CIN,COUT,HW,K[,DILATION]"))
    var conv: [String] = []
    func run() throws {
      if !conv.isEmpty {
        for t in threads {
          Parallel.setThreads(max(1, t))
          for spec in conv {
            let v = spec.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
            guard v.count == 5 || v.count == 6, v.allSatisfy({ $0 >= 1 && $0 <= 1 << 20 }) else {
              throw ValidationError("--conv takes N,CIN,COUT,HW,K[,DILATION] (positive integers), got '\(spec)'")
            }
            let r = try KernelBenchmark.compareConv(n: v[0], cin: v[1], cout: v[2], hw: v[3], k: v[4], dilation: v.count == 6 ? v[5] : 1)
            let w = r.winograd.map { String(format: "%.3f", $0) } ?? "-"
            let ratio = r.winograd.map { String(format: "%.2f", $0 / r.im2col) } ?? "-"
            printOut("threads \(t) conv \(spec): winograd \(w) ms, im2col \(String(format: "%.3f", r.im2col)) ms, "
                     + "winograd/im2col \(ratio), conv2d picks \(r.picksWinograd ? "winograd" : "im2col")\n")
          }
        }
        return
      }
      for t in threads {
        Parallel.setThreads(max(1, t))
        printOut("## \(t) thread\(t == 1 ? "" : "s")\n\n" + KernelBenchmark.run() + "\n")
      }
    }
  }

  struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Seconds per search step of the reference-sized supernets, and PyTorch's when python3-torch is installed.")
    @Option(help: "Thread counts.") var threads: [Int] = [1, 2]
    @Option(help: "Batch sizes.") var batches: [Int] = [8, 32]
    @Option(help: "Timed steps per cell (after warm-up).") var steps: Int = 3
    @Option(help: "Warm-up steps per cell.") var warmup: Int = 1
    @Flag(help: "Skip the PyTorch baseline.") var noTorch = false
    @Flag(help: "Also print the table as one JSON line (after the Markdown table), to compare runs.") var json = false
    @Option(help: ArgumentHelp("Measure one cell STAGE,BATCH,THREADS in this process and print a JSON line.", visibility: .hidden))
    var one: String?
    func run() throws {
      if let one {
        let parts = one.split(separator: ",").map(String.init)
        guard parts.count == 3, let stage = SearchStage(rawValue: parts[0]), let b = Int(parts[1]), let t = Int(parts[2]) else {
          throw ValidationError("--one takes STAGE,BATCH,THREADS (e.g. micro,8,1)")
        }
        let r = try SearchBenchmark.measure(stage: stage, batch: b, threads: t, warmup: max(0, warmup), steps: max(1, steps), forwardSteps: 1)
        printOut(r.jsonLine + "\n")
        return
      }
      printOut(try SearchBenchTable.run(threads: threads, batches: batches, warmup: max(0, warmup), steps: max(1, steps),
                                        torchScript: noTorch ? nil : ResourceFiles.torchBench(), json: json))
    }
  }

  struct Lang: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The interpreter against python3 on fib(25), loops, list building and record access.")
    @Option(help: "Runs per program (median reported).") var reps: Int = 5
    func run() throws { printOut(try LangBenchmark.run(reps: max(1, reps))) }
  }
}
