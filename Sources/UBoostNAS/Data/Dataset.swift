import Foundation
import UBoostTensor

// MARK: - In-memory image data set

/// Normalized images (NCHW floats) and integer labels, held in memory.
///
/// ```swift
/// let splits = try FashionMNIST.load()          // 54k train / 6k valid / 10k test
/// let small = splits.train.limited(2000)
/// print(small.count, small.shape)               // 2000 28x28x1
/// ```
public final class Dataset {
  public let name: String
  public let shape: InputShape
  public let classes: Int
  /// count * channels * height * width normalized values.
  public let images: [Float]
  public let labels: [Int]

  /// Number of examples.
  public var count: Int { labels.count }
  /// Values per example.
  public var sampleSize: Int { shape.channels * shape.height * shape.width }

  /// Checks that `images` and `labels` agree with `shape` and `classes`.
  public init(name: String, shape: InputShape, classes: Int, images: [Float], labels: [Int]) throws {
    let per = shape.channels * shape.height * shape.width
    guard per > 0, images.count == per * labels.count else {
      throw NASError.badData(path: name, detail: "\(images.count) values do not make \(labels.count) images of \(shape)")
    }
    guard classes > 0, labels.allSatisfy({ $0 >= 0 && $0 < classes }) else {
      throw NASError.badData(path: name, detail: "labels must be in 0..<\(classes)")
    }
    self.name = name; self.shape = shape; self.classes = classes; self.images = images; self.labels = labels
  }

  /// Builds a data set from raw bytes (CHW per image), normalizing channel c as
  /// (byte/255 - mean[c]) / std[c].
  public static func fromBytes(name: String, pixels: [UInt8], labels: [Int], shape: InputShape, classes: Int,
                               mean: [Float], std: [Float]) throws -> Dataset {
    guard mean.count == shape.channels, std.count == shape.channels, std.allSatisfy({ $0 > 0 }) else {
      throw NASError.invalidConfig("normalization needs \(shape.channels) means and positive stds")
    }
    let plane = shape.height * shape.width
    var out = [Float](repeating: 0, count: pixels.count)
    pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        var i = 0
        while i < src.count {
          let c = (i / plane) % shape.channels
          let m = mean[c], s = 1 / std[c]
          let end = min(i + plane, src.count)
          for j in i..<end { dst[j] = (Float(src[j]) * (1 / 255) - m) * s }
          i = end
        }
      }
    }
    return try Dataset(name: name, shape: shape, classes: classes, images: out, labels: labels)
  }

  /// Examples `range` (clamped to the data set).
  public func subset(_ range: Range<Int>, name: String? = nil) -> Dataset {
    let lo = max(0, min(range.lowerBound, count)), hi = max(lo, min(range.upperBound, count))
    let per = sampleSize
    // Invariants hold by construction, so the unchecked init is safe here.
    return Dataset(unchecked: name ?? self.name, shape: shape, classes: classes,
                   images: Array(images[(lo * per)..<(hi * per)]), labels: Array(labels[lo..<hi]))
  }

  /// The first `n` examples (all when n >= count or n <= 0 means none).
  public func limited(_ n: Int) -> Dataset { subset(0..<max(0, n)) }

  init(unchecked name: String, shape: InputShape, classes: Int, images: [Float], labels: [Int]) {
    self.name = name; self.shape = shape; self.classes = classes; self.images = images; self.labels = labels
  }
}

/// Train / validation / test parts of a data set.
public struct DataSplits {
  public var train: Dataset
  public var valid: Dataset
  public var test: Dataset
  public init(train: Dataset, valid: Dataset, test: Dataset) { self.train = train; self.valid = valid; self.test = test }
}

// MARK: - Fashion-MNIST

/// Fashion-MNIST from gzip IDX files (Debian package `dataset-fashion-mnist`).
public enum FashionMNIST {
  public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
  public static let mean: Float = 0.2860
  public static let std: Float = 0.3530
  static let installHint = "Fashion-MNIST is missing: install it with `apt-get install dataset-fashion-mnist` (files train-images-idx3-ubyte.gz etc. in /usr/share/datasets/fashion-mnist)"

  /// Loads the 60k training images split into the first `60000 - validation` (train) and the
  /// last `validation` (valid), plus the 10k test set.
  public static func load(directory: String = defaultDirectory, validation: Int = 6000) throws -> DataSplits {
    func path(_ f: String) throws -> String {
      let p = (directory as NSString).appendingPathComponent(f)
      if FileManager.default.fileExists(atPath: p) { return p }
      let plain = String(p.dropLast(3))
      if FileManager.default.fileExists(atPath: plain) { return plain }
      throw NASError.dataMissing(path: p, hint: installHint)
    }
    let train = try loadPair(images: path("train-images-idx3-ubyte.gz"), labels: path("train-labels-idx1-ubyte.gz"), name: "fashion-mnist/train")
    let test = try loadPair(images: path("t10k-images-idx3-ubyte.gz"), labels: path("t10k-labels-idx1-ubyte.gz"), name: "fashion-mnist/test")
    guard validation >= 0 && validation < train.count else {
      throw NASError.invalidConfig("validation size \(validation) must be in 0..<\(train.count)")
    }
    let cut = train.count - validation
    return DataSplits(train: train.subset(0..<cut, name: "fashion-mnist/train"),
                      valid: train.subset(cut..<train.count, name: "fashion-mnist/valid"), test: test)
  }

  /// Loads one images/labels IDX pair (gzip or plain).
  public static func loadPair(images: String, labels: String, name: String) throws -> Dataset {
    let im = try IDXReader.read(path: images)
    let lb = try IDXReader.read(path: labels)
    guard im.shape.count == 3, lb.shape.count == 1, im.shape[0] == lb.shape[0] else {
      throw NASError.badData(path: images, detail: "images \(im.shape) and labels \(lb.shape) do not match")
    }
    let shape = InputShape(height: im.shape[1], width: im.shape[2], channels: 1)
    return try Dataset.fromBytes(name: name, pixels: im.bytes, labels: lb.bytes.map { Int($0) }, shape: shape,
                                 classes: 10, mean: [mean], std: [std])
  }
}

// MARK: - CIFAR-10

/// CIFAR-10 from its binary batches (`data_batch_1.bin` ... `test_batch.bin`).
public enum CIFAR10 {
  public static let mean: [Float] = [0.4914, 0.4822, 0.4465]
  public static let std: [Float] = [0.2470, 0.2435, 0.2616]

  /// Loads `trainFiles` (split: the last `validation` become valid) and `testFiles` in `directory`.
  public static func load(directory: String,
                          trainFiles: [String] = (1...5).map { "data_batch_\($0).bin" },
                          testFiles: [String] = ["test_batch.bin"], validation: Int = 5000) throws -> DataSplits {
    let p = { (f: String) in (directory as NSString).appendingPathComponent(f) }
    let tr = try CIFARReader.read(paths: trainFiles.map(p))
    let te = try CIFARReader.read(paths: testFiles.map(p))
    let train = try Dataset.fromBytes(name: "cifar10/train", pixels: tr.pixels, labels: tr.labels, shape: .cifar,
                                      classes: 10, mean: mean, std: std)
    let test = try Dataset.fromBytes(name: "cifar10/test", pixels: te.pixels, labels: te.labels, shape: .cifar,
                                     classes: 10, mean: mean, std: std)
    guard validation >= 0 && validation < train.count else {
      throw NASError.invalidConfig("validation size \(validation) must be in 0..<\(train.count)")
    }
    let cut = train.count - validation
    return DataSplits(train: train.subset(0..<cut, name: "cifar10/train"),
                      valid: train.subset(cut..<train.count, name: "cifar10/valid"), test: test)
  }
}
