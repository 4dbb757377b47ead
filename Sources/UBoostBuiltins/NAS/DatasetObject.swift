import Foundation
import UBoostLang
import UBoostNAS
import UBoostTensor

// MARK: - Data sets and batches

/// A data set with its batching: `for (i, batch) in enumerate(data)`, `len(data)` (batches per
/// epoch), `data.size`, `data.classes`, `data.shape`. Each pass over it is a new epoch with a new
/// (seeded) shuffle when shuffling is on. Batches build their tensors lazily.
///
/// ```
/// let data = dataset("fashion-mnist", split: "train", limit: 2048, batch: 32)
/// for (i, batch) in enumerate(data) { print(i, batch.x.shape, batch.y.shape) }
/// ```
public final class DatasetObject: HostObject {
  public let dataset: Dataset
  let batchSize: Int
  let shuffle: Bool
  let seed: UInt64
  let limit: Int?
  /// Passes made so far (mixed into the shuffle seed).
  var epoch = 0

  init(dataset: Dataset, batch: Int, shuffle: Bool, seed: UInt64, limit: Int?) {
    self.dataset = dataset; self.batchSize = batch; self.shuffle = shuffle; self.seed = seed; self.limit = limit
  }

  /// Examples used per epoch.
  var size: Int { Swift.min(dataset.count, limit ?? dataset.count) }
  /// Batches per epoch.
  var batchCount: Int { (size + batchSize - 1) / batchSize }

  /// The batches of the next epoch.
  func nextEpoch() -> [BatchObject] {
    var idx = Array(0..<dataset.count)
    if shuffle {
      var rng = RandomSource(seed: seed &+ UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15)
      rng.shuffle(&idx)
    }
    epoch += 1
    let used = Array(idx.prefix(size))
    return stride(from: 0, to: used.count, by: batchSize).map { s in
      BatchObject(dataset: dataset, indices: Array(used[s..<Swift.min(s + batchSize, used.count)]))
    }
  }

  public var typeName: String { "Dataset" }
  public var fieldNames: [String] { ["name", "size", "batch", "batches", "classes", "shape"] }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "name": return .string(dataset.name)
    case "size": return .number(Double(size))
    case "batch": return .number(Double(batchSize))
    case "batches": return .number(Double(batchCount))
    case "classes": return .number(Double(dataset.classes))
    case "shape": return .list([dataset.shape.channels, dataset.shape.height, dataset.shape.width].map { .number(Double($0)) })
    default: return nil
    }
  }

  public func iterate() throws -> [Value]? { nextEpoch().map { .object($0) } }
  public func length() -> Int? { batchCount }

  public func describe(width: Int) -> String {
    "dataset(\(Value.string(dataset.name).repr), size: \(size), batch: \(batchSize), batches: \(batchCount))"
  }
}

/// One mini-batch: `batch.x` (images [N, C, H, W]) and `batch.y` (labels, a tensor [N]).
///
/// ```
/// let b = list(data)[0]
/// cross_entropy(net.forward(b.x).logits, b.y)
/// ```
public final class BatchObject: HostObject {
  let dataset: Dataset
  let indices: [Int]
  private var xCache: Tensor?
  private var yCache: Tensor?

  init(dataset: Dataset, indices: [Int]) { self.dataset = dataset; self.indices = indices }

  /// Images [N, C, H, W].
  var x: Tensor {
    if let x = xCache { return x }
    let per = dataset.sampleSize
    var out = [Float](repeating: 0, count: indices.count * per)
    dataset.images.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        guard let s = src.baseAddress, let d = dst.baseAddress else { return }
        for (b, i) in indices.enumerated() { (d + b * per).update(from: s + i * per, count: per) }
      }
    }
    let shape = [indices.count, dataset.shape.channels, dataset.shape.height, dataset.shape.width]
    let t = (try? Tensor(shape: shape, data: out)) ?? Tensor(scalar: 0)
    xCache = t
    return t
  }

  /// Integer labels.
  var labels: [Int] { indices.map { dataset.labels[$0] } }

  /// Labels as a tensor [N] (how scripts see `batch.y`).
  var y: Tensor {
    if let y = yCache { return y }
    let t = (try? Tensor(shape: [indices.count], data: labels.map { Float($0) })) ?? Tensor(scalar: 0)
    yCache = t
    return t
  }

  public var typeName: String { "Batch" }
  public var fieldNames: [String] { ["x", "y", "size"] }

  public func getField(_ name: String) throws -> Value? {
    switch name {
    case "x": return TensorObject.value(x)
    case "y": return TensorObject.value(y)
    case "size": return .number(Double(indices.count))
    default: return nil
    }
  }

  public func length() -> Int? { indices.count }
  public func describe(width: Int) -> String { "batch(size: \(indices.count))" }
}

// MARK: - Loading

/// Loaded data sets, one cache per interpreter (`interpreter.engine.datasets`): Fashion-MNIST
/// decodes once per interpreter, and two interpreters never share (or pin) each other's data.
final class DataCache {
  private var cache: [String: DataSplits] = [:]
  private let lock = NSLock()

  /// How many directories' splits are held (for tests).
  var count: Int { lock.lock(); defer { lock.unlock() }; return cache.count }

  func fashionMNIST(directory: String) throws -> DataSplits {
    try cached("fmnist:" + directory) { try FashionMNIST.load(directory: directory) }
  }

  func cifar10(directory: String) throws -> DataSplits {
    try cached("cifar:" + directory) { try CIFAR10.load(directory: directory) }
  }

  func cached(_ key: String, _ load: () throws -> DataSplits) throws -> DataSplits {
    lock.lock()
    if let s = cache[key] { lock.unlock(); return s }
    lock.unlock()
    let s = try load()
    lock.lock(); cache[key] = s; lock.unlock()
    return s
  }

  /// Random images (normal) with random labels: a data set for quick experiments and tests.
  static func synthetic(size: Int, shape: InputShape, classes: Int, seed: UInt64, split: String) throws -> Dataset {
    var rng = RandomSource(seed: seed &+ UInt64(split.utf8.reduce(0) { $0 &* 31 &+ Int($1) }))
    let per = shape.channels * shape.height * shape.width
    var images = [Float](repeating: 0, count: size * per)
    var labels = [Int](repeating: 0, count: size)
    for i in 0..<size {
      let c = rng.int(below: classes)
      labels[i] = c
      // A class-dependent mean makes the task learnable.
      let shift = Float(c) / Float(max(classes - 1, 1)) - 0.5
      for j in 0..<per { images[i * per + j] = Float(rng.normal()) * 0.5 + shift }
    }
    return try Dataset(name: "synthetic/\(split)", shape: shape, classes: classes, images: images, labels: labels)
  }
}
