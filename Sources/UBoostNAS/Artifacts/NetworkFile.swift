import Foundation
import UBoostTensor

// MARK: - Network files (architecture + trained weights)

/// A whole network in one JSON file: what to build (stage, search space, genotype with widths,
/// aggregation, tau) and every value a trained network holds (weights, alphas, batch-norm
/// running statistics), so a loaded network gives the same logits bit for bit.
///
/// Format (`"format": "uboost-network"`, `"version": 1`, documented in docs/nas.md):
///
///     {"format": "uboost-network", "version": 1, "stage": "final",
///      "space": {SearchSpaceConfig}, "genotype": {Genotype} or null, "aggregation": "standard",
///      "tau": 1, "tensors": [{"name": "stem.weight", "shape": [16, 1, 3, 3], "data": "<base64>"}, ...]}
///
/// `data` is the tensor's Float32 values, little-endian, base64-encoded. Tensors come in the
/// order of `Checkpoint.arrays`: weights, alphas, then each batch norm's running mean and variance.
///
/// ```swift
/// try NetworkFile(net).write(to: "run/final_net.json")
/// let back = try NetworkFile.read(from: "run/final_net.json").build()
/// ```
public struct NetworkFile: Codable {
  public struct Entry: Codable, Equatable {
    public var name: String
    public var shape: [Int]
    public var data: Data
  }
  public static let formatName = "uboost-network"
  public static let currentVersion = 1

  public var format: String
  public var version: Int
  public var stage: SearchStage
  public var space: SearchSpaceConfig
  public var genotype: Genotype?
  public var aggregation: AggregationMode
  public var tau: Float
  public var tensors: [Entry]

  /// Everything `net` holds.
  public init(_ net: Supernet) {
    format = NetworkFile.formatName
    version = NetworkFile.currentVersion
    stage = net.stage
    space = net.space
    genotype = net.sourceGenotype
    aggregation = net.aggregation
    tau = net.tau
    tensors = NetworkFile.named(net).map { name, shape, values in
      Entry(name: name, shape: shape, data: values.withUnsafeBufferPointer { Data(buffer: $0) })
    }
  }

  /// `(name, shape, values)` of every stored array, in `Checkpoint.arrays` order.
  static func named(_ net: Supernet) -> [(String, [Int], [Float])] {
    var out: [(String, [Int], [Float])] = []
    for (i, t) in (net.weights + net.alphas).enumerated() { out.append((t.name ?? "tensor\(i)", t.shape, t.data)) }
    for (i, bn) in net.batchNorms.enumerated() {
      out.append(("batch_norm\(i).running_mean", [bn.runningMean.count], bn.runningMean))
      out.append(("batch_norm\(i).running_var", [bn.runningVar.count], bn.runningVar))
    }
    return out
  }

  public func write(to path: String) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    let data: Data
    do { data = try enc.encode(self) } catch { throw NASError.io(path: path, detail: "cannot encode the network: \(error)") }
    try AtomicFile.write(data, to: path)
  }

  public static func read(from path: String) throws -> NetworkFile {
    guard let data = FileManager.default.contents(atPath: path) else { throw NASError.io(path: path, detail: "cannot read the network file") }
    struct Header: Decodable { var format: String?; var version: Int? }
    guard let h = try? JSONDecoder().decode(Header.self, from: data), h.format == formatName else {
      throw NASError.badArchState("\(path) is not a uboost network file (field 'format' must be \"\(formatName)\"; arch-state files load with load_arch)")
    }
    guard h.version == currentVersion else {
      throw NASError.badArchState("\(path): field 'version' is \(h.version.map(String.init) ?? "missing"), this uboost reads version \(currentVersion)")
    }
    do { return try JSONDecoder().decode(NetworkFile.self, from: data) } catch {
      throw NASError.badArchState("\(path): malformed network file (\(NetworkFile.describe(error)))")
    }
  }

  static func describe(_ error: Error) -> String {
    switch error {
    case let DecodingError.keyNotFound(k, c): return "field '\((c.codingPath + [k]).map(\.stringValue).joined(separator: "."))' is missing"
    case let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c), let DecodingError.dataCorrupted(c):
      return "field '\(c.codingPath.map(\.stringValue).joined(separator: "."))': \(c.debugDescription)"
    default: return "\(error)"
    }
  }

  /// Builds the network and copies the stored values into it; `source` names the file in errors.
  public func build(source: String = "<network>") throws -> Supernet {
    guard tau > 0, tau.isFinite else { throw NASError.badArchState("\(source): field 'tau' is \(tau), expected a positive number") }
    let net = try Supernet(space: space, stage: stage, genotype: genotype, aggregation: aggregation)
    net.tau = tau
    let expected = NetworkFile.named(net)
    guard expected.count == tensors.count else {
      throw NASError.badArchState("\(source): \(tensors.count) tensors, the network of this architecture has \(expected.count)")
    }
    var values: [[Float]] = []
    for (e, (name, shape, _)) in zip(tensors, expected) {
      guard e.name == name, e.shape == shape else {
        throw NASError.badArchState("\(source): tensor '\(e.name)' \(e.shape) where the network has '\(name)' \(shape)")
      }
      let n = shape.reduce(1, *)
      guard e.data.count == n * 4 else {
        throw NASError.badArchState("\(source): tensor '\(name)' holds \(e.data.count / 4) values, its shape \(shape) needs \(n)")
      }
      var a = [Float](repeating: 0, count: n)
      a.withUnsafeMutableBytes { dst in e.data.withUnsafeBytes { src in dst.copyMemory(from: src) } }
      guard a.allSatisfy(\.isFinite) else { throw NASError.badArchState("\(source): tensor '\(name)' holds a non-finite value") }
      values.append(a)
    }
    net.restoreState(values)
    return net
  }
}
