import Foundation
import UBoostTensor

// MARK: - Checkpoints

/// A training checkpoint: network weights, alphas, batch-norm running statistics, the epoch
/// just finished, tau and the stats so far. Written atomically (temp file + rename), so an
/// interrupted run resumes from the last complete epoch. Optimizer momenta are not stored
/// (they restart at zero on resume).
///
/// File layout: "UBCK" magic, UInt32 version, UInt64 header length, JSON header, then the
/// Float32 values (little-endian) of every tensor in header order.
///
/// ```swift
/// try Checkpoint(stage: "micro", epoch: 3, tau: net.tau, stats: stats).save(net, to: "run/micro_checkpoint.bin")
/// let ck = try Checkpoint.load(from: "run/micro_checkpoint.bin", into: net)
/// ```
public struct Checkpoint: Codable {
  public var stage: String
  public var epoch: Int
  public var tau: Float
  public var stats: [EpochStats]
  var counts: [Int] = []

  public init(stage: String, epoch: Int, tau: Float, stats: [EpochStats]) {
    self.stage = stage; self.epoch = epoch; self.tau = tau; self.stats = stats
  }

  static let magic: [UInt8] = Array("UBCK".utf8)

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
    var version = UInt32(1).littleEndian
    var hlen = UInt64(header.count).littleEndian
    data.append(Data(bytes: &version, count: 4))
    data.append(Data(bytes: &hlen, count: 8))
    data.append(header)
    for a in arrays {
      a.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
    }
    try AtomicFile.write(data, to: path)
  }

  /// Reads `path` and copies its values into `net` (which must have the same structure).
  public static func load(from path: String, into net: Supernet) throws -> Checkpoint {
    guard let data = FileManager.default.contents(atPath: path) else { throw NASError.io(path: path, detail: "cannot read the checkpoint") }
    let b = [UInt8](data)
    guard b.count >= 16, Array(b[0..<4]) == magic else { throw NASError.badArchState("\(path) is not a uboost checkpoint") }
    var hlen: UInt64 = 0
    for i in 0..<8 { hlen |= UInt64(b[8 + i]) << (8 * UInt64(i)) }
    guard hlen < UInt64(b.count), 16 + Int(hlen) <= b.count else { throw NASError.badArchState("\(path): truncated header") }
    let header = Data(b[16..<(16 + Int(hlen))])
    let ck: Checkpoint
    do { ck = try JSONDecoder().decode(Checkpoint.self, from: header) } catch {
      throw NASError.badArchState("\(path): bad header (\(error))")
    }
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
    let ts = net.weights + net.alphas
    for (t, v) in zip(ts, values) { t.data = v }
    var i = ts.count
    for bn in net.batchNorms {
      bn.runningMean = values[i]; bn.runningVar = values[i + 1]
      i += 2
    }
    return ck
  }
}
