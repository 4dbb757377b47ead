import Foundation
import XCTest
import UBoostTensor
@testable import UBoostNAS

final class DataTests: XCTestCase {
  var dir = ""
  override func setUp() {
    dir = NSTemporaryDirectory() + "uboost-data-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }
  override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

  func testGzipRoundTripAndCorruption() throws {
    var bytes = [UInt8](repeating: 0, count: 100_000)
    for i in 0..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i * 7 + i / 13) }
    let raw = Data(bytes)
    let gz = try Gzip.compress(raw)
    XCTAssertTrue(Gzip.isGzip(gz))
    XCTAssertLessThan(gz.count, raw.count)
    XCTAssertEqual(try Gzip.decompress(gz), raw)
    XCTAssertThrowsError(try Gzip.decompress(gz.prefix(gz.count / 2)))
    var broken = gz
    broken[20] ^= 0xFF
    XCTAssertThrowsError(try Gzip.decompress(broken))
    XCTAssertThrowsError(try Gzip.decompress(Data()))
  }

  /// Writes a small Fashion-MNIST-like directory (gzip IDX) and loads it.
  func testFashionMNISTReaderOnSmallFiles() throws {
    let n = 12, t = 5
    func images(_ k: Int) -> [UInt8] { (0..<(k * 28 * 28)).map { UInt8($0 % 251) } }
    func labels(_ k: Int) -> [UInt8] { (0..<k).map { UInt8($0 % 10) } }
    let files: [(String, Data)] = [
      ("train-images-idx3-ubyte.gz", IDXReader.encode(shape: [n, 28, 28], bytes: images(n))),
      ("train-labels-idx1-ubyte.gz", IDXReader.encode(shape: [n], bytes: labels(n))),
      ("t10k-images-idx3-ubyte.gz", IDXReader.encode(shape: [t, 28, 28], bytes: images(t))),
      ("t10k-labels-idx1-ubyte.gz", IDXReader.encode(shape: [t], bytes: labels(t))),
    ]
    for (f, d) in files { try Gzip.compress(d).write(to: URL(fileURLWithPath: dir + "/" + f)) }
    let s = try FashionMNIST.load(directory: dir, validation: 2)
    XCTAssertEqual(s.train.count, 10)
    XCTAssertEqual(s.valid.count, 2)
    XCTAssertEqual(s.test.count, 5)
    XCTAssertEqual(s.valid.labels, [0, 1])  // examples 10 and 11
    XCTAssertEqual(s.train.shape, .fashionMNIST)
    // Pixel 1 of image 0 is byte 1: (1/255 - mean) / std.
    XCTAssertEqual(s.train.images[1], (1 / 255 - FashionMNIST.mean) / FashionMNIST.std, accuracy: 1e-6)
    // Truncated data is an error that says what is wrong.
    try IDXReader.encode(shape: [n], bytes: labels(n - 1)).write(to: URL(fileURLWithPath: dir + "/t10k-labels-idx1-ubyte.gz"))
    XCTAssertThrowsError(try FashionMNIST.load(directory: dir, validation: 2)) { e in XCTAssertTrue("\(e)".contains("expected")) }
  }

  func testMissingFashionMNISTSaysHowToInstall() {
    XCTAssertThrowsError(try FashionMNIST.load(directory: dir + "/nothing")) { e in
      XCTAssertTrue("\(e)".contains("apt-get install dataset-fashion-mnist"), "\(e)")
    }
  }

  func testCIFARReaderOnSmallFile() throws {
    var bytes: [UInt8] = []
    for r in 0..<3 {
      bytes.append(UInt8(r + 4))
      bytes += (0..<3072).map { UInt8(($0 + r) % 256) }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: dir + "/data_batch_1.bin"))
    try Gzip.compress(Data(bytes)).write(to: URL(fileURLWithPath: dir + "/test_batch.bin"))
    let (px, lb) = try CIFARReader.read(paths: [dir + "/data_batch_1.bin"])
    XCTAssertEqual(lb, [4, 5, 6])
    XCTAssertEqual(px.count, 3 * 3072)
    XCTAssertEqual(px[3072 + 1024], UInt8((1024 + 1) % 256))  // record 1, green plane, pixel 0
    let s = try CIFAR10.load(directory: dir, trainFiles: ["data_batch_1.bin"], testFiles: ["test_batch.bin"], validation: 1)
    XCTAssertEqual(s.train.count, 2); XCTAssertEqual(s.valid.count, 1); XCTAssertEqual(s.test.count, 3)
    XCTAssertEqual(s.test.images[1024], (Float(1024 % 256) / 255 - CIFAR10.mean[1]) / CIFAR10.std[1], accuracy: 1e-5)
    try Data(bytes.dropLast()).write(to: URL(fileURLWithPath: dir + "/bad.bin"))
    XCTAssertThrowsError(try CIFARReader.read(paths: [dir + "/bad.bin"]))
    bytes[0] = 10
    try Data(bytes).write(to: URL(fileURLWithPath: dir + "/badlabel.bin"))
    XCTAssertThrowsError(try CIFARReader.read(paths: [dir + "/badlabel.bin"]))
  }

  func testLoaderBatchesShuffleLimitAndAugmentation() throws {
    let shape = InputShape(height: 2, width: 3, channels: 1)
    let images = (0..<(10 * 6)).map(Float.init)
    let ds = try Dataset(name: "t", shape: shape, classes: 10, images: images, labels: Array(0..<10))
    let plain = try DataLoader(ds, batch: 4)
    let bs = Array(plain)
    XCTAssertEqual(bs.map(\.y), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    XCTAssertEqual(bs[0].x.shape, [4, 1, 2, 3])
    XCTAssertEqual(Array(bs[1].x.data[0..<6]), (24..<30).map(Float.init))
    var sh = try DataLoader(ds, batch: 3, shuffle: true, seed: 7, limit: 6)
    XCTAssertEqual(sh.batchCount, 2)
    let e0 = Array(sh).flatMap(\.y)
    XCTAssertEqual(e0.count, 6)
    XCTAssertEqual(Array(sh).flatMap(\.y), e0, "same seed and epoch: same order")
    sh.epoch = 1
    XCTAssertNotEqual(Array(sh).flatMap(\.y), e0, "next epoch: new order")
    // Images stay with their labels after shuffling.
    for b in sh { for (i, y) in b.y.enumerated() { XCTAssertEqual(b.x.data[i * 6], Float(y * 6)) } }
    // Flip-only augmentation permutes each row; crop pads with zeros.
    let flip = try DataLoader(ds, batch: 10, seed: 1, augmentation: Augmentation(cropPadding: 0, horizontalFlip: true))
    for b in flip {
      for i in 0..<10 {
        let row = Array(b.x.data[(i * 6)..<(i * 6 + 3)]), orig = (0..<3).map { Float(i * 6 + $0) }
        XCTAssertTrue(row == orig || row == orig.reversed())
      }
    }
    XCTAssertThrowsError(try DataLoader(ds, batch: 0))
    XCTAssertThrowsError(try Dataset(name: "bad", shape: shape, classes: 2, images: images, labels: Array(0..<10)))
  }
}
