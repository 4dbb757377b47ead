import Foundation

// MARK: - Lookup table

/// A measured lookup table in the reference schema:
/// `layer -> input size -> "KxK" -> in_ch -> out_ch -> {runtime_csim (ms), util_csim}`.
public struct LookupTable: Sendable {
  public struct Entry: Equatable, Sendable {
    public var runtimeMs: Double
    public var util: Double
  }
  /// `[layer][inputSize][kernel][inCh][outCh]`.
  public var entries: [String: [Int: [String: [Int: [Int: Entry]]]]]
  /// Where the table came from (for messages).
  public var source: String

  /// Parses JSON data in the reference schema; errors name the offending key path.
  public init(data: Data, source: String = "<data>") throws {
    self.source = source
    let root: Any
    do { root = try JSONSerialization.jsonObject(with: data) } catch {
      throw HardwareError.malformedTable(path: source, reason: "not valid JSON (\(error.localizedDescription))")
    }
    guard let layers = root as? [String: Any] else {
      throw HardwareError.malformedTable(path: source, reason: "top level must be an object keyed by layer type")
    }
    func intKey(_ s: String, _ at: String) throws -> Int {
      guard let v = Int(s) else {
        throw HardwareError.malformedTable(path: source, reason: "key '\(s)' under '\(at)' is not an integer")
      }
      return v
    }
    func object(_ v: Any, _ at: String) throws -> [String: Any] {
      guard let o = v as? [String: Any] else {
        throw HardwareError.malformedTable(path: source, reason: "'\(at)' must be an object")
      }
      return o
    }
    var out: [String: [Int: [String: [Int: [Int: Entry]]]]] = [:]
    for (layer, v1) in layers {
      var bySize: [Int: [String: [Int: [Int: Entry]]]] = [:]
      for (size, v2) in try object(v1, layer) {
        let p2 = "\(layer)/\(size)"
        var byKernel: [String: [Int: [Int: Entry]]] = [:]
        for (kernel, v3) in try object(v2, p2) {
          let p3 = "\(p2)/\(kernel)"
          var byIn: [Int: [Int: Entry]] = [:]
          for (inCh, v4) in try object(v3, p3) {
            let p4 = "\(p3)/\(inCh)"
            var byOut: [Int: Entry] = [:]
            for (outCh, v5) in try object(v4, p4) {
              let p5 = "\(p4)/\(outCh)"
              let e = try object(v5, p5)
              guard let rt = (e["runtime_csim"] as? NSNumber)?.doubleValue, rt.isFinite, rt > 0 else {
                throw HardwareError.malformedTable(path: source, reason: "'\(p5)' needs a positive number runtime_csim")
              }
              let u = (e["util_csim"] as? NSNumber)?.doubleValue ?? .nan
              byOut[try intKey(outCh, p4)] = Entry(runtimeMs: rt, util: u)
            }
            if byOut.isEmpty { throw HardwareError.malformedTable(path: source, reason: "'\(p4)' has no out_ch entries") }
            byIn[try intKey(inCh, p3)] = byOut
          }
          if byIn.isEmpty { throw HardwareError.malformedTable(path: source, reason: "'\(p3)' has no in_ch entries") }
          byKernel[kernel] = byIn
        }
        bySize[try intKey(size, layer)] = byKernel
      }
      out[layer] = bySize
    }
    entries = out
  }

  /// Loads a table file: JSON in the reference schema, or CSV when the name ends in `.csv`.
  public init(path: String) throws {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw HardwareError.unreadableFile(path: path, reason: error.localizedDescription)
    }
    if path.lowercased().hasSuffix(".csv") {
      guard let text = String(data: data, encoding: .utf8) else {
        throw HardwareError.malformedTable(path: path, reason: "not UTF-8 text")
      }
      try self.init(csv: text, source: path)
    } else {
      try self.init(data: data, source: path)
    }
  }

  /// Parses a CSV table (an FBNet-style per-op latency table), one measured layer per row:
  /// a header naming the columns `layer` (`Conv2d` / `DepthwiseConv2d`), `input_size`, `kernel`
  /// (`3` or `3x3`), `in_ch`, `out_ch`, `runtime_ms` (or `runtime_csim`) and optionally `util`
  /// (or `util_csim`), in any order; `#` starts a comment line. Errors name the line.
  ///
  /// ```
  /// layer,input_size,kernel,in_ch,out_ch,runtime_ms,util
  /// Conv2d,16,3,32,32,0.0123,0.61
  /// ```
  public init(csv text: String, source: String = "<csv>") throws {
    self.source = source
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
      .enumerated().map { (n: $0.offset + 1, text: $0.element.trimmingCharacters(in: .whitespacesAndNewlines)) }
      .filter { !$0.text.isEmpty && !$0.text.hasPrefix("#") }
    guard !lines.isEmpty else { throw HardwareError.malformedTable(path: source, reason: "the CSV file is empty") }
    let header = lines.removeFirst()
    let names = header.text.split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    func column(_ options: [String], required: Bool = true) throws -> Int? {
      if let i = names.firstIndex(where: { options.contains($0) }) { return i }
      if required {
        throw HardwareError.malformedTable(path: source, reason: "line \(header.n): the header has no \(options.joined(separator: " or ")) column (found: \(names.joined(separator: ", ")))")
      }
      return nil
    }
    guard let cLayer = try column(["layer"]), let cSize = try column(["input_size"]), let cKernel = try column(["kernel"]),
          let cIn = try column(["in_ch"]), let cOut = try column(["out_ch"]),
          let cRuntime = try column(["runtime_ms", "runtime_csim"]) else {
      throw HardwareError.malformedTable(path: source, reason: "incomplete header")
    }
    let cUtil = try column(["util", "util_csim"], required: false)
    var out: [String: [Int: [String: [Int: [Int: Entry]]]]] = [:]
    for line in lines {
      let f = line.text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      guard f.count == names.count else {
        throw HardwareError.malformedTable(path: source, reason: "line \(line.n): \(f.count) fields, the header has \(names.count)")
      }
      func int(_ c: Int, _ what: String) throws -> Int {
        guard let v = Int(f[c]), v >= 1, v <= LayerSpec.maxExtent else {
          throw HardwareError.malformedTable(path: source, reason: "line \(line.n): \(what) '\(f[c])' is not an integer in 1...\(LayerSpec.maxExtent)")
        }
        return v
      }
      let layer = f[cLayer]
      guard layer == "Conv2d" || layer == "DepthwiseConv2d" else {
        throw HardwareError.malformedTable(path: source, reason: "line \(line.n): layer '\(layer)' is not Conv2d or DepthwiseConv2d")
      }
      let size = try int(cSize, "input_size")
      var kernel = f[cKernel]
      if let k = Int(kernel) { kernel = "\(k)x\(k)" }
      let kParts = kernel.split(separator: "x")
      guard kParts.count == 2, kParts.allSatisfy({ Int($0).map { $0 >= 1 && $0 <= LayerSpec.maxExtent } ?? false }) else {
        throw HardwareError.malformedTable(path: source, reason: "line \(line.n): kernel '\(f[cKernel])' is not K or KxK")
      }
      let inCh = try int(cIn, "in_ch"), outCh = try int(cOut, "out_ch")
      guard let rt = Double(f[cRuntime]), rt.isFinite, rt > 0 else {
        throw HardwareError.malformedTable(path: source, reason: "line \(line.n): runtime '\(f[cRuntime])' is not a positive number")
      }
      var util = Double.nan
      if let c = cUtil, !f[c].isEmpty {
        guard let u = Double(f[c]), u.isFinite, u >= 0 else {
          throw HardwareError.malformedTable(path: source, reason: "line \(line.n): util '\(f[c])' is not a number >= 0")
        }
        util = u
      }
      guard out[layer]?[size]?[kernel]?[inCh]?[outCh] == nil else {
        throw HardwareError.malformedTable(path: source, reason: "line \(line.n): a second row for \(layer) \(size) \(kernel) \(inCh) -> \(outCh)")
      }
      out[layer, default: [:]][size, default: [:]][kernel, default: [:]][inCh, default: [:]][outCh] = Entry(runtimeMs: rt, util: util)
    }
    guard !out.isEmpty else { throw HardwareError.malformedTable(path: source, reason: "the CSV file has a header but no rows") }
    entries = out
  }

  /// The in_ch -> out_ch -> entry map for a layer type, input size and kernel; errors name the missing key.
  public func slice(layer: String, inputSize: Int, kernel: String) throws -> [Int: [Int: Entry]] {
    guard let bySize = entries[layer] else { throw HardwareError.missingKey(key: "layer", value: layer, path: "") }
    guard let byKernel = bySize[inputSize] else {
      throw HardwareError.missingKey(key: "input_size", value: String(inputSize), path: layer)
    }
    guard let byIn = byKernel[kernel] else {
      throw HardwareError.missingKey(key: "kernel_size", value: kernel, path: "\(layer)/\(inputSize)")
    }
    return byIn
  }

  /// All `(layer, inputSize, kernel, inCh, outCh, entry)` rows, sorted.
  public func rows() -> [(layer: String, inputSize: Int, kernel: String, inCh: Int, outCh: Int, entry: Entry)] {
    var out: [(layer: String, inputSize: Int, kernel: String, inCh: Int, outCh: Int, entry: Entry)] = []
    for layer in entries.keys.sorted() {
      guard let bySize = entries[layer] else { continue }
      for size in bySize.keys.sorted() {
        guard let byKernel = bySize[size] else { continue }
        for kernel in byKernel.keys.sorted() {
          guard let byIn = byKernel[kernel] else { continue }
          for inCh in byIn.keys.sorted() {
            guard let byOut = byIn[inCh] else { continue }
            for outCh in byOut.keys.sorted() {
              if let e = byOut[outCh] { out.append((layer, size, kernel, inCh, outCh, e)) }
            }
          }
        }
      }
    }
    return out
  }
}

// MARK: - Blackbox cost model

/// Cost model backed by a measured lookup table (batch 1, as measured).
///
/// - `reference`: nearest key for missing in/out channels (ties to the lower key), `util_csim` as stored,
///   no gradients.
/// - `corrected` (default): bilinear interpolation in (in_ch, out_ch) with gradients, queries outside the
///   table are errors, utilization recomputed from runtime and MACs (`util_csim` omits the last tile's MACs).
/// ```swift
/// let bb = try BlackboxModel(path: "csim_lookup_128x128.json")
/// let c = try bb.cost(.conv(k: 3, cin: 100, cout: 100, out: 8))
/// ```
public struct BlackboxModel: CostModel {
  public enum Path: String, Sendable { case exact, interpolate1d, interpolate2d, interpolated }

  public var table: LookupTable
  public var config: HardwareConfig
  public var compatibility: Compatibility

  public init(path: String, config: HardwareConfig = HardwareConfig(), compatibility: Compatibility = .corrected) throws {
    self.table = try LookupTable(path: path)
    self.config = config
    self.compatibility = compatibility
  }

  public init(data: Data, config: HardwareConfig = HardwareConfig(), compatibility: Compatibility = .corrected) throws {
    self.table = try LookupTable(data: data)
    self.config = config
    self.compatibility = compatibility
  }

  public init(table: LookupTable, config: HardwareConfig = HardwareConfig(), compatibility: Compatibility = .corrected) {
    self.table = table
    self.config = config
    self.compatibility = compatibility
  }

  public var name: String { "blackbox" }

  /// The reference's `closest`: first key in list order with strictly smaller distance wins.
  public static func closest(_ x: Double, in keys: [Int]) -> Int? {
    var best: Int?
    var bestD = Double.infinity
    for k in keys {
      let d = abs(x - Double(k))
      if d < bestD { bestD = d; best = k }
    }
    return best
  }

  /// One table query: runtime (ms), utilization, d runtime / d(in, out), and how it was resolved.
  public struct Query: Sendable {
    public var runtimeMs: Double
    public var util: Double
    public var dRuntime: (dIn: Double, dOut: Double)
    public var path: Path
  }

  /// Queries `layer` ("Conv2d" / "DepthwiseConv2d") at an input size, kernel "KxK" and channel counts.
  public func lookup(layer: String, inputSize: Int, kernel: String, inCh: Double, outCh: Double) throws -> Query {
    if layer != "Conv2d" && layer != "DepthwiseConv2d" {
      throw HardwareError.unsupportedLayer(kind: layer, model: "blackbox")
    }
    let slice = try table.slice(layer: layer, inputSize: inputSize, kernel: kernel)
    let at = "\(layer)/\(inputSize)/\(kernel)"
    let ins = slice.keys.sorted()
    switch compatibility {
    case .reference:
      let i = Int(inCh.rounded()), o = Int(outCh.rounded())
      var path = Path.exact
      var row = slice[i]
      if row == nil {
        path = .interpolate2d
        guard let k = Self.closest(Double(i), in: ins), let r = slice[k] else {
          throw HardwareError.missingKey(key: "in_ch", value: String(i), path: at)
        }
        row = r
      }
      guard let outs = row else { throw HardwareError.missingKey(key: "in_ch", value: String(i), path: at) }
      var e = outs[o]
      if e == nil {
        if path == .exact { path = .interpolate1d }
        guard let k = Self.closest(Double(o), in: outs.keys.sorted()) else {
          throw HardwareError.missingKey(key: "out_ch", value: String(o), path: at)
        }
        e = outs[k]
      }
      guard let entry = e else { throw HardwareError.missingKey(key: "out_ch", value: String(o), path: at) }
      return Query(runtimeMs: entry.runtimeMs, util: entry.util, dRuntime: (0, 0), path: path)
    case .corrected:
      guard let lo = ins.first, let hi = ins.last else { throw HardwareError.missingKey(key: "in_ch", value: fmt(inCh), path: at) }
      if !(inCh >= Double(lo) && inCh <= Double(hi)) {
        throw HardwareError.outOfRange(key: "in_ch", value: inCh, lower: Double(lo), upper: Double(hi), path: at)
      }
      let (i0, i1) = bracket(inCh, ins)
      let depthwise = layer == "DepthwiseConv2d"
      func along(_ i: Int) throws -> (Double, Double) {
        guard let outs = slice[i] else { throw HardwareError.missingKey(key: "in_ch", value: String(i), path: at) }
        if depthwise {
          // Depthwise rows hold a single entry (out_ch == in_ch).
          guard let e = outs[i] ?? outs.values.first else {
            throw HardwareError.missingKey(key: "out_ch", value: String(i), path: "\(at)/\(i)")
          }
          return (e.runtimeMs, 0)
        }
        let os = outs.keys.sorted()
        guard let olo = os.first, let ohi = os.last else {
          throw HardwareError.missingKey(key: "out_ch", value: fmt(outCh), path: "\(at)/\(i)")
        }
        if !(outCh >= Double(olo) && outCh <= Double(ohi)) {
          throw HardwareError.outOfRange(key: "out_ch", value: outCh, lower: Double(olo), upper: Double(ohi),
                                         path: "\(at)/\(i)")
        }
        let (o0, o1) = bracket(outCh, os)
        guard let a = outs[o0]?.runtimeMs, let b = outs[o1]?.runtimeMs else {
          throw HardwareError.missingKey(key: "out_ch", value: fmt(outCh), path: "\(at)/\(i)")
        }
        if o0 == o1 { return (a, 0) }
        let t = (outCh - Double(o0)) / Double(o1 - o0)
        return (a + t * (b - a), (b - a) / Double(o1 - o0))
      }
      let (v0, d0) = try along(i0)
      if i0 == i1 {
        return Query(runtimeMs: v0, util: .nan, dRuntime: (0, d0), path: .exact)
      }
      let (v1, d1) = try along(i1)
      let t = (inCh - Double(i0)) / Double(i1 - i0)
      return Query(runtimeMs: v0 + t * (v1 - v0), util: .nan,
                   dRuntime: ((v1 - v0) / Double(i1 - i0), d0 + t * (d1 - d0)), path: .interpolated)
    }
  }

  /// Lower/upper keys around `x` (equal when `x` is a key); the upper interval is used at interior keys
  /// so gradients are one-sided but defined.
  private func bracket(_ x: Double, _ keys: [Int]) -> (Int, Int) {
    var lo = keys[0], hi = keys[keys.count - 1]
    for k in keys {
      if Double(k) <= x { lo = k }
      if Double(k) >= x { hi = k; break }
    }
    if lo == hi, let next = keys.first(where: { $0 > lo }), Double(lo) == x, lo != keys[keys.count - 1] {
      // Exactly on an interior key: interpolate on [key, next) so the derivative is defined.
      return (lo, next)
    }
    return (lo, hi)
  }

  public func cost(_ layer: LayerSpec) throws -> LayerCost {
    try config.validate()
    try layer.validate()
    if layer.kind.isFree { return .free }
    let size = layer.kind == .linear ? 1 : layer.outH
    let k = "\(layer.k1)x\(layer.k2)"
    var parts: [(Query, Double, (Double, Double), Bool)] = []   // query, macs, dmacs, depthwise
    let hw = Double(layer.kind == .linear ? 1 : layer.outH * layer.outW)
    let kk = Double(layer.k1 * layer.k2)
    switch layer.kind {
    case .conv, .dilated:
      let q = try lookup(layer: "Conv2d", inputSize: size, kernel: k, inCh: layer.cin, outCh: layer.cout)
      parts.append((q, hw * kk * layer.cin * layer.cout, (hw * kk * layer.cout, hw * kk * layer.cin), false))
    case .linear:
      let q = try lookup(layer: "Conv2d", inputSize: 1, kernel: "1x1", inCh: layer.cin, outCh: layer.cout)
      parts.append((q, layer.cin * layer.cout, (layer.cout, layer.cin), false))
    case .depthwise:
      let q = try lookup(layer: "DepthwiseConv2d", inputSize: size, kernel: k, inCh: layer.cin, outCh: layer.cin)
      parts.append((q, hw * kk * layer.cin, (hw * kk, 0), true))
    case .separable:
      let q1 = try lookup(layer: "DepthwiseConv2d", inputSize: size, kernel: k, inCh: layer.cin, outCh: layer.cin)
      parts.append((q1, hw * kk * layer.cin, (hw * kk, 0), true))
      let q2 = try lookup(layer: "Conv2d", inputSize: size, kernel: "1x1", inCh: layer.cin, outCh: layer.cout)
      parts.append((q2, hw * layer.cin * layer.cout, (hw * layer.cout, hw * layer.cin), false))
    case .identity, .zero, .pool:
      return .free
    }
    let toCycles = config.clockHz / 1e3
    var rt = 0.0, drt = (0.0, 0.0), macs = 0.0, dm = (0.0, 0.0), utilWeighted = 0.0
    for (q, m, dmq, dw) in parts {
      rt += q.runtimeMs
      // A depthwise part's whole derivative is w.r.t. cin.
      drt.0 += dw ? q.dRuntime.dIn + q.dRuntime.dOut : q.dRuntime.dIn
      drt.1 += dw ? 0 : q.dRuntime.dOut
      macs += m
      dm.0 += dmq.0
      dm.1 += dmq.1
      utilWeighted += q.util * q.runtimeMs
    }
    var cost = LayerCost.from(cycles: PartCycles(cycles: rt * toCycles, d: (drt.0 * toCycles, drt.1 * toCycles)),
                              macs: macs, dmacs: dm, config: config)
    if compatibility == .reference {
      cost.util = rt > 0 ? utilWeighted / rt : 0
      cost.dUtil = (0, 0)
      cost.dLatency = (0, 0)
    }
    return cost
  }
}
