import Foundation
import UBoostTensor

// MARK: - Batches

/// One mini-batch: images [N, C, H, W] and their labels.
public struct Batch {
  public var x: Tensor
  public var y: [Int]
  public init(x: Tensor, y: [Int]) { self.x = x; self.y = y }
}

/// Training-time augmentation: random crop after zero padding, random horizontal flip.
public struct Augmentation: Codable, Equatable, Sendable {
  public var cropPadding: Int
  public var horizontalFlip: Bool
  public init(cropPadding: Int = 2, horizontalFlip: Bool = true) {
    self.cropPadding = cropPadding; self.horizontalFlip = horizontalFlip
  }
}

// MARK: - Loader

/// Iterates a `Dataset` in mini-batches, shuffled with a seeded generator (a different but
/// reproducible order every epoch), optionally augmented and limited to the first `limit` examples.
///
/// ```swift
/// var loader = try DataLoader(splits.train, batch: 64, shuffle: true, seed: 1, limit: 5000)
/// for b in loader { print(b.x.shape, b.y.count) }   // [64, 1, 28, 28] 64 ...
/// loader.epoch += 1                                  // next epoch, new order
/// ```
public struct DataLoader: Sequence {
  public let dataset: Dataset
  public let batchSize: Int
  public var shuffle: Bool
  public var seed: UInt64
  public var limit: Int?
  public var augmentation: Augmentation?
  /// Drop a last incomplete batch.
  public var dropLast: Bool
  /// Epoch counter mixed into the shuffle seed.
  public var epoch: Int = 0

  public init(_ dataset: Dataset, batch: Int, shuffle: Bool = false, seed: UInt64 = 0, limit: Int? = nil,
              augmentation: Augmentation? = nil, dropLast: Bool = false) throws {
    guard batch >= 1 && batch <= 65536 else { throw NASError.invalidConfig("batch size must be in 1...65536, got \(batch)") }
    if let l = limit, l < 1 { throw NASError.invalidConfig("limit must be >= 1, got \(l)") }
    if let a = augmentation, a.cropPadding < 0 || a.cropPadding > 64 {
      throw NASError.invalidConfig("crop padding must be in 0...64")
    }
    self.dataset = dataset; self.batchSize = batch; self.shuffle = shuffle; self.seed = seed
    self.limit = limit; self.augmentation = augmentation; self.dropLast = dropLast
  }

  /// Number of examples used per epoch.
  public var exampleCount: Int { Swift.min(dataset.count, limit ?? dataset.count) }

  /// Number of batches per epoch.
  public var batchCount: Int {
    let n = exampleCount
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
  }

  /// The example order of the current epoch.
  public func order() -> [Int] {
    var idx = Array(0..<dataset.count)
    if shuffle {
      var rng = RandomSource(seed: seed &+ UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15)
      rng.shuffle(&idx)
    }
    return Array(idx.prefix(exampleCount))
  }

  public func makeIterator() -> Iterator {
    Iterator(loader: self, order: order(),
             rng: RandomSource(seed: seed ^ 0xA5A5_5A5A &+ UInt64(truncatingIfNeeded: epoch)))
  }

  public struct Iterator: IteratorProtocol {
    let loader: DataLoader
    let order: [Int]
    var rng: RandomSource
    var position = 0

    public mutating func next() -> Batch? {
      let n = order.count
      guard position < n else { return nil }
      let end = Swift.min(position + loader.batchSize, n)
      if loader.dropLast && end - position < loader.batchSize { return nil }
      let idx = Array(order[position..<end])
      position = end
      return loader.makeBatch(idx, rng: &rng)
    }
  }

  /// Assembles the examples `idx` (augmented when configured).
  func makeBatch(_ idx: [Int], rng: inout RandomSource) -> Batch {
    let ds = dataset
    let c = ds.shape.channels, h = ds.shape.height, w = ds.shape.width
    let per = c * h * w
    var out = [Float](repeating: 0, count: idx.count * per)
    var labels = [Int](repeating: 0, count: idx.count)
    ds.images.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for (b, i) in idx.enumerated() {
          labels[b] = ds.labels[i]
          let s = i * per, d = b * per
          guard let aug = augmentation else {
            for j in 0..<per { dst[d + j] = src[s + j] }
            continue
          }
          let p = aug.cropPadding
          let dy = p > 0 ? rng.int(below: 2 * p + 1) - p : 0
          let dx = p > 0 ? rng.int(below: 2 * p + 1) - p : 0
          let flip = aug.horizontalFlip && rng.int(below: 2) == 1
          for ch in 0..<c {
            for y in 0..<h {
              let sy = y + dy
              if sy < 0 || sy >= h { continue }  // padding rows stay 0
              let rowS = s + (ch * h + sy) * w, rowD = d + (ch * h + y) * w
              for x in 0..<w {
                let sx0 = flip ? (w - 1 - x) : x
                let sx = sx0 + dx
                if sx >= 0 && sx < w { dst[rowD + x] = src[rowS + sx] }
              }
            }
          }
        }
      }
    }
    // The element count is idx.count * c * h * w by construction, so the checked init cannot fail.
    return Batch(x: (try? Tensor(shape: [idx.count, c, h, w], data: out)) ?? Tensor(scalar: 0), y: labels)
  }
}
