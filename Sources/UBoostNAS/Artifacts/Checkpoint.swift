import Foundation
import UBoostTensor

// MARK: - Checkpoints

/// A training checkpoint: network weights, alphas, batch-norm running statistics, the epoch
/// just finished, tau and the stats so far. Written atomically (temp file + rename), so an
/// interrupted run resumes from the last complete epoch. Optimizer momenta are not stored
/// (they restart at zero on resume). The header also keeps the run's settings (every field of
/// `SearchConfig` / `TrainConfig` except `epochs`, which may grow to train longer): resuming with
/// other settings is refused, listing what differs, instead of silently returning the old run.
///
/// File layout: "UBCK" magic, UInt32 version (2), UInt64 header length, JSON header, then the
/// Float32 values (little-endian) of every tensor in header order. Loading refuses another
/// version, another stage, an epoch outside `0..<100000` or stats that do not match it, naming
/// the file and the field.
///
/// ```swift
/// let settings = Checkpoint.settings(of: cfg)
/// try Checkpoint(stage: "micro", epoch: 3, tau: net.tau, stats: stats, settings: settings).save(net, to: "run/micro_checkpoint.bin")
/// let ck = try Checkpoint.load(from: "run/micro_checkpoint.bin", into: net, stage: "micro", settings: settings)
/// ```
public struct Checkpoint: Codable {
  public var stage: String
  public var epoch: Int
  public var tau: Float
  public var stats: [EpochStats]
  /// The run's settings, `name -> value as text` (see `settings(of:)`).
  public var settings: [String: String]
  var counts: [Int] = []

  public init(stage: String, epoch: Int, tau: Float, stats: [EpochStats], settings: [String: String] = [:]) {
    self.stage = stage; self.epoch = epoch; self.tau = tau; self.stats = stats; self.settings = settings
  }

  static let magic: [UInt8] = Array("UBCK".utf8)
  /// The file format version this build writes and reads.
  public static let version: UInt32 = 2
  /// Epoch numbers beyond this are refused (the configs allow at most 100,000 epochs).
  static let maxEpochs = 100_000

  /// The settings of a run as `name -> value` (JSON text of each field), without `epochs`.
  ///
  /// ```swift
  /// Checkpoint.settings(of: SearchConfig())["weightLR"]   // "0.001"
  /// ```
  public static func settings<C: Encodable>(of config: C) -> [String: String] {
    guard let data = try? JSONEncoder().encode(config),
          let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [:] }
    var out: [String: String] = [:]
    for (k, v) in obj where k != "epochs" {
      if let d = try? JSONSerialization.data(withJSONObject: [v], options: [.sortedKeys]), let t = String(data: d, encoding: .utf8) {
        out[k] = String(t.dropFirst().dropLast())
      }
    }
    return out
  }

  /// The settings that differ, as `name: checkpoint value vs current value` (sorted by name).
  /// `names` renames settings for the message (e.g. the script's `lr` for `weightLR`).
  public static func differences(stored: [String: String], current: [String: String], names: [String: String] = [:]) -> [String] {
    Set(stored.keys).union(current.keys).sorted { (names[$0] ?? $0) < (names[$1] ?? $1) }.compactMap { k in
      let a = stored[k] ?? "unset", b = current[k] ?? "unset"
      return a == b ? nil : "\(names[k] ?? k) \(a) in the checkpoint vs \(b) now"
    }
  }

  /// Everything restored, as flat float arrays (weights, alphas, BN means and variances).
  static func arrays(_ net: Supernet) -> [[Float]] {
    var a = net.weights.map(\.data) + net.alphas.map(\.data)
    for bn in net.batchNorms { a.append(bn.runningMean); a.append(bn.runningVar) }
    return a
  }

  /// Writes the checkpoint of `net` to `path` atomically.
  public func save(_ net: Supernet, to path: String) throws {
    var me = self
    let arrays = Checkpoint.arrays(net)
    me.counts = arrays.map(\.count)
    let header = try JSONEncoder().encode(me)
    var data = Data(Checkpoint.magic)
    var version = Checkpoint.version.littleEndian
    var hlen = UInt64(header.count).littleEndian
    data.append(Data(bytes: &version, count: 4))
    data.append(Data(bytes: &hlen, count: 8))
    data.append(header)
    for a in arrays {
      a.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
    }
    try AtomicFile.write(data, to: path)
  }

  /// Reads `path` and copies its values into `net` (which must have the same structure). With
  /// `stage` / `settings`, a checkpoint of another stage or run settings is refused.
  public static func load(from path: String, into net: Supernet, stage: String? = nil, settings: [String: String]? = nil,
                          settingNames: [String: String] = [:]) throws -> Checkpoint {
    guard let data = FileManager.default.contents(atPath: path) else { throw NASError.io(path: path, detail: "cannot read the checkpoint") }
    let b = [UInt8](data)
    guard b.count >= 16, Array(b[0..<4]) == magic else { throw NASError.badArchState("\(path) is not a uboost checkpoint") }
    var version: UInt32 = 0
    for i in 0..<4 { version |= UInt32(b[4 + i]) << (8 * UInt32(i)) }
    guard version == Checkpoint.version else {
      throw NASError.badCheckpoint(path: path, detail: "field 'version' is \(version), this uboost reads checkpoint version \(Checkpoint.version); delete the file to start fresh")
    }
    var hlen: UInt64 = 0
    for i in 0..<8 { hlen |= UInt64(b[8 + i]) << (8 * UInt64(i)) }
    guard hlen < UInt64(b.count), 16 + Int(hlen) <= b.count else { throw NASError.badArchState("\(path): truncated header") }
    let header = Data(b[16..<(16 + Int(hlen))])
    let ck: Checkpoint
    do { ck = try JSONDecoder().decode(Checkpoint.self, from: header) } catch {
      throw NASError.badArchState("\(path): bad header (\(error))")
    }
    try ck.validate(path: path, stage: stage, settings: settings, names: settingNames)
    let targets = arrays(net)
    guard ck.counts == targets.map(\.count) else {
      throw NASError.badArchState("\(path) was written by a network of another structure (\(ck.counts.count) arrays vs \(targets.count))")
    }
    let total = ck.counts.reduce(0, +)
    var offset = 16 + Int(hlen)
    guard b.count - offset == total * 4 else { throw NASError.badArchState("\(path): expected \(total) values, file is truncated") }
    var values: [[Float]] = []
    b.withUnsafeBytes { raw in
      for n in ck.counts {
        var a = [Float](repeating: 0, count: n)
        a.withUnsafeMutableBytes { dst in
          if let base = raw.baseAddress { dst.copyMemory(from: UnsafeRawBufferPointer(start: base + offset, count: n * 4)) }
        }
        values.append(a)
        offset += n * 4
      }
    }
    net.restoreState(values)
    return ck
  }

  /// Refuses headers a run cannot continue from (each message names the file and the field).
  func validate(path: String, stage expected: String?, settings current: [String: String]?, names: [String: String] = [:]) throws {
    func bad(_ m: String) -> NASError { NASError.badCheckpoint(path: path, detail: m) }
    if let e = expected, stage != e { throw bad("field 'stage' is \"\(stage)\", expected \"\(e)\"") }
    guard epoch >= 0, epoch < Checkpoint.maxEpochs else {
      throw bad("field 'epoch' is \(epoch), expected 0..<\(Checkpoint.maxEpochs)")
    }
    guard stats.count == epoch + 1 else { throw bad("field 'stats' has \(stats.count) epochs, field 'epoch' says \(epoch + 1)") }
    guard tau.isFinite, tau > 0 else { throw bad("field 'tau' is \(tau), expected a positive number") }
    guard counts.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else { throw bad("field 'counts' holds an impossible array size") }
    if let cur = current {
      let diff = Checkpoint.differences(stored: settings, current: cur, names: names)
      guard diff.isEmpty else {
        throw bad("field 'settings' differs from this run: \(diff.joined(separator: "; ")); delete the file or use another directory to start fresh")
      }
    }
  }
}
