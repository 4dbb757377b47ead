import Foundation

// MARK: - CIFAR-10 binary batches

/// Reader of the CIFAR-10 binary format: records of 1 label byte + 3072 pixel bytes
/// (1024 red, 1024 green, 1024 blue; 32x32 row-major). Files may be gzip-compressed.
///
/// ```swift
/// let (images, labels) = try CIFARReader.read(paths: ["data_batch_1.bin"])
/// ```
public enum CIFARReader {
  public static let recordSize = 1 + 3 * 32 * 32

  /// Reads the records of all `paths`: pixel bytes (n * 3072, CHW order) and labels.
  public static func read(paths: [String], classes: Int = 10) throws -> (pixels: [UInt8], labels: [Int]) {
    var pixels: [UInt8] = []
    var labels: [Int] = []
    for path in paths {
      guard FileManager.default.fileExists(atPath: path) else {
        throw NASError.dataMissing(path: path, hint: "CIFAR-10 binary batch missing (download cifar-10-binary.tar.gz and extract it)")
      }
      var data: Data
      do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw NASError.io(path: path, detail: "cannot read: \(error.localizedDescription)")
      }
      if Gzip.isGzip(data) { data = try Gzip.decompress(data) }
      guard data.count > 0, data.count % recordSize == 0 else {
        throw NASError.badData(path: path, detail: "size \(data.count) is not a multiple of the \(recordSize)-byte CIFAR record")
      }
      let b = [UInt8](data)
      let n = b.count / recordSize
      pixels.reserveCapacity(pixels.count + n * (recordSize - 1))
      for r in 0..<n {
        let o = r * recordSize
        let label = Int(b[o])
        guard label < classes else {
          throw NASError.badData(path: path, detail: "record \(r) has label \(label), expected < \(classes)")
        }
        labels.append(label)
        pixels.append(contentsOf: b[(o + 1)..<(o + recordSize)])
      }
    }
    return (pixels, labels)
  }
}
