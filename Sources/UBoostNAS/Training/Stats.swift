import Foundation

// MARK: - Per-epoch statistics

/// What one search or training epoch measured. Hardware figures come from three sources: the
/// smooth model the search optimizes (on the relaxed supernet), the exact-ceiling model and the
/// cycle-level simulator (both on the currently derived architecture).
public struct EpochStats: Codable, Equatable {
  public var stage: String
  public var epoch: Int
  public var tau: Double
  public var trainLoss: Double
  public var trainTop1: Double
  public var trainTop5: Double
  public var validLoss: Double?
  public var validTop1: Double?
  public var validTop5: Double?
  public var latencySmoothMs: Double?
  public var utilSmooth: Double?
  public var latencyExactMs: Double?
  public var utilExact: Double?
  public var latencySimMs: Double?
  public var utilSim: Double?
  public var seconds: Double
  public var genotype: String?
  /// A search epoch's alphas at its end (`AlphaMatrix(net).rows`); nil for training epochs and
  /// in files written before they were kept.
  public var alphas: [[Float]]?

  enum CodingKeys: String, CodingKey {
    case stage, epoch, tau, seconds, genotype, alphas
    case trainLoss = "train_loss", trainTop1 = "train_top1", trainTop5 = "train_top5"
    case validLoss = "valid_loss", validTop1 = "valid_top1", validTop5 = "valid_top5"
    case latencySmoothMs = "runtime_model", utilSmooth = "util_model"
    case latencyExactMs = "runtime_exact", utilExact = "util_exact"
    case latencySimMs = "runtime_csim", utilSim = "util_csim"
  }
}

/// A list of epoch stats written as a JSON array (atomically) after every epoch.
public enum StatsFile {
  public static func write(_ stats: [EpochStats], to path: String) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(try enc.encode(stats), to: path)
  }

  public static func read(from path: String) throws -> [EpochStats] {
    guard let d = FileManager.default.contents(atPath: path) else { throw NASError.io(path: path, detail: "cannot read") }
    do { return try JSONDecoder().decode([EpochStats].self, from: d) } catch {
      throw NASError.badArchState("\(path): not a stats file (\(error))")
    }
  }
}

// MARK: - Running averages

struct RunningMetrics {
  var n = 0
  var loss = 0.0, top1 = 0.0, top5 = 0.0
  mutating func add(count: Int, loss l: Float, top1 a: Float, top5 b: Float) {
    n += count
    loss += Double(l) * Double(count); top1 += Double(a) * Double(count); top5 += Double(b) * Double(count)
  }
  var meanLoss: Double { n > 0 ? loss / Double(n) : 0 }
  var meanTop1: Double { n > 0 ? top1 / Double(n) : 0 }
  var meanTop5: Double { n > 0 ? top5 / Double(n) : 0 }
}
