import Foundation
import UBoostTensor

// MARK: - Arch-state files (the reference schema)

/// The reference's `ms_arch_state.json` / `cs_arch_state.json`: block name (`midstage1/xp_t1`)
/// -> `{"layer_alphas": [...]}` or `{"channel_alphas": [...], "out_range": {"start", "stop", "step"}}`.
///
/// ```swift
/// let state = ArchState(net)                        // from a supernet
/// try state.write(to: "run/ms_arch_state.json")
/// let back = try ArchState.read(from: "run/ms_arch_state.json")
/// try back.apply(to: net)                           // alphas restored
/// ```
public struct ArchState: Equatable {
  public struct Entry: Equatable {
    public var layerAlphas: [Double]?
    public var channelAlphas: [Double]?
    public var outRange: ChannelChoices?
  }
  public var blocks: [String: Entry]

  public init(blocks: [String: Entry]) { self.blocks = blocks }

  /// The current alphas of `net` (micro: `midstageK/edge` for each alpha set; channel:
  /// `midstageN/conv` with its range).
  public init(_ net: Supernet) {
    var b: [String: Entry] = [:]
    for (s, set) in net.edgeAlphas.enumerated() {
      for (e, a) in zip(net.edgeList, set) {
        b["midstage\(s + 1)/\(e.name)"] = Entry(layerAlphas: a.data.map(Double.init), channelAlphas: nil, outRange: nil)
      }
    }
    for s in net.channelSearches {
      b[s.name] = Entry(layerAlphas: nil, channelAlphas: s.alpha.data.map(Double.init), outRange: s.choices)
    }
    blocks = b
  }

  // MARK: JSON

  /// JSON text with sorted keys.
  public func jsonData() throws -> Data {
    var obj: [String: Any] = [:]
    for (k, e) in blocks {
      var d: [String: Any] = [:]
      if let a = e.layerAlphas { d["layer_alphas"] = a }
      if let a = e.channelAlphas { d["channel_alphas"] = a }
      if let r = e.outRange { d["out_range"] = ["start": r.start, "stop": r.stop, "step": r.step] }
      obj[k] = d
    }
    return try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
  }

  /// Parses the reference schema.
  public static func parse(_ data: Data, source: String = "<memory>") throws -> ArchState {
    guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw NASError.badArchState("\(source) is not a JSON object")
    }
    func doubles(_ v: Any?, _ what: String) throws -> [Double]? {
      guard let v = v else { return nil }
      guard let arr = v as? [Any] else { throw NASError.badArchState("\(source): \(what) is not an array") }
      return try arr.enumerated().map { i, x in
        guard let n = ArchState.number(x) else {
          throw NASError.badArchState("\(source): \(what)[\(i)] is \(ArchState.describe(x)), expected a number")
        }
        guard n.isFinite else { throw NASError.badArchState("\(source): \(what)[\(i)] is not finite") }
        return n
      }
    }
    func integer(_ r: [String: Any], _ key: String, _ what: String) throws -> Int {
      guard let x = r[key] else { throw NASError.badArchState("\(source): \(what).\(key) is missing") }
      guard let n = ArchState.number(x) else {
        throw NASError.badArchState("\(source): \(what).\(key) is \(ArchState.describe(x)), expected an integer")
      }
      guard n == n.rounded(), abs(n) <= 1e9 else {
        throw NASError.badArchState("\(source): \(what).\(key) is \(n), expected an integer in -1e9...1e9")
      }
      return Int(n)
    }
    var blocks: [String: Entry] = [:]
    for (k, v) in obj {
      guard let d = v as? [String: Any] else { throw NASError.badArchState("\(source): block \(k) is not an object") }
      var e = Entry(layerAlphas: try doubles(d["layer_alphas"], "\(k).layer_alphas"),
                    channelAlphas: try doubles(d["channel_alphas"], "\(k).channel_alphas"), outRange: nil)
      if let r = d["out_range"] {
        guard let r = r as? [String: Any] else {
          throw NASError.badArchState("\(source): \(k).out_range needs integer start, stop, step")
        }
        e.outRange = try ChannelChoices(start: try integer(r, "start", "\(k).out_range"), stop: try integer(r, "stop", "\(k).out_range"),
                                        step: try integer(r, "step", "\(k).out_range"))
      }
      if e.layerAlphas == nil && e.channelAlphas == nil {
        throw NASError.badArchState("\(source): block \(k) has neither layer_alphas nor channel_alphas")
      }
      if e.channelAlphas != nil && e.outRange == nil {
        throw NASError.badArchState("\(source): block \(k) has channel_alphas but no out_range")
      }
      blocks[k] = e
    }
    return ArchState(blocks: blocks)
  }

  /// A JSON number as a Double; nil for anything else, booleans included (JSONSerialization
  /// hands both out as NSNumber).
  static func number(_ x: Any) -> Double? {
    guard let n = x as? NSNumber, type(of: n) != type(of: NSNumber(value: true)) else { return nil }
    return n.doubleValue
  }

  static func describe(_ x: Any) -> String {
    if let n = x as? NSNumber, type(of: n) == type(of: NSNumber(value: true)) { return "a boolean (\(n.boolValue))" }
    if x is String { return "a string" }
    if x is NSNull { return "null" }
    if x is [Any] { return "a list" }
    if x is [String: Any] { return "an object" }
    return "\(x)"
  }

  public static func read(from path: String) throws -> ArchState {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw NASError.io(path: path, detail: "cannot read the arch-state file")
    }
    return try parse(data, source: path)
  }

  public func write(to path: String) throws { try AtomicFile.write(try jsonData(), to: path) }

  // MARK: Applying

  /// Copies the alphas into `net`; throws when a block is missing or has the wrong size. With a
  /// shared micro search only `midstage1/...` blocks are needed (the reference's layout).
  public func apply(to net: Supernet) throws {
    for (s, set) in net.edgeAlphas.enumerated() {
      for (e, a) in zip(net.edgeList, set) {
        let key = "midstage\(s + 1)/\(e.name)"
        guard let v = blocks[key]?.layerAlphas else { throw NASError.badArchState("missing layer_alphas for \(key)") }
        guard v.count == a.count else {
          throw NASError.badArchState("\(key) has \(v.count) layer alphas, the network has \(a.count) ops")
        }
        a.data = v.map { Float($0) }
      }
    }
    for cs in net.channelSearches {
      guard let e = blocks[cs.name], let v = e.channelAlphas else {
        throw NASError.badArchState("missing channel_alphas for \(cs.name)")
      }
      guard v.count == cs.alpha.count, e.outRange?.widths == cs.widths else {
        throw NASError.badArchState("\(cs.name): \(v.count) channel alphas over \(e.outRange.map { "\($0.start)...\($0.stop) step \($0.step)" } ?? "?") do not match the network's \(cs.widths.count) widths \(cs.choices.start)...\(cs.choices.stop) step \(cs.choices.step)")
      }
      cs.alpha.data = v.map { Float($0) }
    }
  }

  /// Genotype from micro layer alphas alone (argmax, pruned), given the op order and nodes.
  public func microGenotype(ops: [CandidateOp], nodes: Int) throws -> Genotype {
    var sets: [Int: [String: CandidateOp]] = [:]
    for (k, e) in blocks {
      guard let a = e.layerAlphas else { continue }
      let parts = k.split(separator: "/")
      guard parts.count == 2, parts[0].hasPrefix("midstage"), let idx = Int(parts[0].dropFirst(8)) else {
        throw NASError.badArchState("block name \(k) is not midstageN/edge")
      }
      guard a.count == ops.count else { throw NASError.badArchState("\(k): \(a.count) alphas for \(ops.count) ops") }
      var best = 0
      for j in 0..<a.count where a[j] > a[best] { best = j }
      sets[idx, default: [:]][String(parts[1])] = ops[best]
    }
    guard !sets.isEmpty else { throw NASError.badArchState("no layer_alphas blocks") }
    var cells: [CellGenotype] = []
    for idx in sets.keys.sorted() {
      var c = CellGenotype(ops: sets[idx] ?? [:])
      try c.prune(nodes: nodes, cellName: "midstage\(idx)")
      cells.append(c)
    }
    return Genotype(cells: cells)
  }
}

// MARK: - Atomic writes

/// Writes files atomically: into a temporary file beside the target, then renamed over it, so a
/// crash never leaves a half-written checkpoint or JSON.
public enum AtomicFile {
  /// Creates `dir` if needed and checks that files can be written into it: called before a
  /// search or training starts, so an unwritable `dir:` fails at once, not after the first epoch.
  ///
  /// ```swift
  /// try AtomicFile.prepareDirectory("run")
  /// ```
  public static func prepareDirectory(_ dir: String) throws {
    do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
      throw NASError.io(path: dir, detail: "cannot create the output directory: \(error.localizedDescription)")
    }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
      throw NASError.io(path: dir, detail: "the output directory is not a directory")
    }
    guard access(dir, W_OK) == 0 else { throw NASError.io(path: dir, detail: "the output directory is not writable") }
  }

  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
      try data.write(to: tmp)
      if rename(tmp.path, url.path) != 0 {
        let err = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: tmp)
        throw NASError.io(path: path, detail: "rename failed: \(err)")
      }
    } catch let e as NASError {
      throw e
    } catch {
      throw NASError.io(path: path, detail: "cannot write: \(error.localizedDescription)")
    }
  }
}
