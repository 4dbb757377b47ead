import Foundation

// MARK: - IDX files (MNIST / Fashion-MNIST format)

/// Reader of IDX files (big-endian header: 0, 0, type, rank, then rank UInt32 sizes, then data).
/// Only unsigned-byte data (type 0x08) is supported, which is what (Fashion-)MNIST uses.
///
/// ```swift
/// let labels = try IDXReader.read(path: "t10k-labels-idx1-ubyte.gz")   // gz is decompressed
/// print(labels.shape)   // [10000]
/// ```
public enum IDXReader {
  /// A parsed IDX array of bytes.
  public struct Array: Sendable {
    public var shape: [Int]
    public var bytes: [UInt8]
  }

  /// Reads and parses `path` (decompressing it when it is gzip).
  public static func read(path: String) throws -> Array {
    guard FileManager.default.fileExists(atPath: path) else {
      throw NASError.dataMissing(path: path, hint: "the file does not exist")
    }
    let raw: Data
    do { raw = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw NASError.io(path: path, detail: "cannot read: \(error.localizedDescription)")
    }
    let data = Gzip.isGzip(raw) ? try Gzip.decompress(raw) : raw
    return try parse(data, path: path)
  }

  /// Parses IDX bytes (`path` only names the source in errors).
  public static func parse(_ data: Data, path: String = "<memory>") throws -> Array {
    let b = [UInt8](data)
    guard b.count >= 4 else { throw NASError.badData(path: path, detail: "shorter than an IDX header") }
    guard b[0] == 0, b[1] == 0 else { throw NASError.badData(path: path, detail: "not an IDX file (bad magic)") }
    guard b[2] == 0x08 else { throw NASError.badData(path: path, detail: "IDX type 0x\(String(b[2], radix: 16)) is not unsigned bytes") }
    let rank = Int(b[3])
    guard rank >= 1 && rank <= 4 else { throw NASError.badData(path: path, detail: "IDX rank \(rank) not in 1...4") }
    let headerSize = 4 + 4 * rank
    guard b.count >= headerSize else { throw NASError.badData(path: path, detail: "truncated IDX header") }
    var shape: [Int] = []
    var count = 1
    for i in 0..<rank {
      let o = 4 + 4 * i
      let d = Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
      shape.append(d)
      let (p, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow, p <= 1 << 32 else { throw NASError.badData(path: path, detail: "IDX sizes \(shape) are too large") }
      count = p
    }
    guard b.count - headerSize >= count else {
      throw NASError.badData(path: path, detail: "expected \(count) data bytes for shape \(shape), found \(b.count - headerSize)")
    }
    return Array(shape: shape, bytes: Swift.Array(b[headerSize..<(headerSize + count)]))
  }

  /// Serializes bytes as an IDX file (tests write small files with it).
  public static func encode(shape: [Int], bytes: [UInt8]) -> Data {
    var out: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
    for d in shape { out += [UInt8((d >> 24) & 255), UInt8((d >> 16) & 255), UInt8((d >> 8) & 255), UInt8(d & 255)] }
    return Data(out + bytes)
  }
}
