import CZlib
import Foundation

// MARK: - gzip / zlib decompression

/// Decompression of gzip (and zlib) streams through the system zlib.
///
/// ```swift
/// let raw = try Gzip.decompress(Data(contentsOf: url))
/// ```
public enum Gzip {
  /// True when `data` starts with the gzip magic bytes 1f 8b.
  public static func isGzip(_ data: Data) -> Bool {
    data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
  }

  /// Inflates a gzip or zlib stream (auto-detected; concatenated gzip members are joined).
  /// Throws `NASError.decompression` on corrupt or truncated input.
  public static func decompress(_ input: Data) throws -> Data {
    if input.isEmpty { throw NASError.decompression("empty input") }
    var stream = z_stream()
    // 32 + MAX_WBITS: automatic gzip / zlib header detection.
    var rc = inflateInit2_(&stream, 32 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw NASError.decompression("inflateInit2 failed (\(rc))") }
    defer { inflateEnd(&stream) }
    var out = Data()
    let chunk = 1 << 18
    var buffer = [UInt8](repeating: 0, count: chunk)
    try input.withUnsafeBytes { (src: UnsafeRawBufferPointer) in
      guard let base = src.bindMemory(to: Bytef.self).baseAddress else { return }
      stream.next_in = UnsafeMutablePointer(mutating: base)
      stream.avail_in = uInt(src.count)
      while true {
        rc = buffer.withUnsafeMutableBufferPointer { b -> Int32 in
          stream.next_out = b.baseAddress
          stream.avail_out = uInt(chunk)
          return inflate(&stream, Z_NO_FLUSH)
        }
        let produced = chunk - Int(stream.avail_out)
        if produced > 0 { out.append(contentsOf: buffer[0..<produced]) }
        if rc == Z_STREAM_END {
          // Another gzip member may follow (concatenated .gz files).
          if stream.avail_in > 0 && inflateReset(&stream) == Z_OK { continue }
          break
        }
        if rc == Z_BUF_ERROR && stream.avail_in == 0 {
          throw NASError.decompression("truncated stream (ended after \(out.count) bytes)")
        }
        guard rc == Z_OK else {
          let msg = stream.msg.map { String(cString: $0) } ?? "code \(rc)"
          throw NASError.decompression(msg)
        }
      }
    }
    return out
  }

  /// Compresses `data` into a gzip stream (used by tests and to write small fixtures).
  public static func compress(_ data: Data, level: Int32 = Z_DEFAULT_COMPRESSION) throws -> Data {
    var stream = z_stream()
    var rc = deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                           ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw NASError.decompression("deflateInit2 failed (\(rc))") }
    defer { deflateEnd(&stream) }
    var out = Data()
    let chunk = 1 << 16
    var buffer = [UInt8](repeating: 0, count: chunk)
    var input = [UInt8](data)
    try input.withUnsafeMutableBufferPointer { src in
      stream.next_in = src.baseAddress
      stream.avail_in = uInt(src.count)
      repeat {
        rc = buffer.withUnsafeMutableBufferPointer { b -> Int32 in
          stream.next_out = b.baseAddress
          stream.avail_out = uInt(chunk)
          return deflate(&stream, Z_FINISH)
        }
        let produced = chunk - Int(stream.avail_out)
        if produced > 0 { out.append(contentsOf: buffer[0..<produced]) }
        guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
          throw NASError.decompression("deflate failed (\(rc))")
        }
      } while rc != Z_STREAM_END
    }
    return out
  }
}
