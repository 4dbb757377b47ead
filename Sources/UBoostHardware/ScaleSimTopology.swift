import Foundation

// MARK: - SCALE-Sim topology rows

/// How a depthwise (`DP`-named) SCALE-Sim layer is priced.
public enum DepthwiseMode: String, Equatable, Sendable, CaseIterable {
  /// As SCALE-Sim does: one single-channel layer per channel (`<name>Channel_<i>`), each its own report row.
  case split
  /// One grouped layer, groups packed onto the array (see `Dataflow.groupsPerFold`).
  case direct
}

/// One row of a SCALE-Sim conv topology file:
/// `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,`.
///
/// There is no padding: the output is `ceil((IFMAP - Filter + Stride) / Stride)` on each side, as
/// SCALE-Sim computes it. A name containing `DP` marks a depthwise layer (SCALE-Sim's rule): each of
/// its `Channels` channels is convolved with `Num Filter` filters of its own.
/// ```swift
/// let l = ScaleSimLayer(name: "Conv1", ifmapH: 224, ifmapW: 224, filterH: 7, filterW: 7, channels: 3,
///                       numFilter: 64, stride: 2)
/// print(l.ofmapH, l.macs)      // 110 113836800
/// ```
public struct ScaleSimLayer: Equatable, Sendable {
  public var name: String
  public var ifmapH: Int
  public var ifmapW: Int
  public var filterH: Int
  public var filterW: Int
  public var channels: Int
  public var numFilter: Int
  public var stride: Int

  public init(name: String, ifmapH: Int, ifmapW: Int, filterH: Int, filterW: Int, channels: Int, numFilter: Int,
              stride: Int) {
    self.name = name
    self.ifmapH = ifmapH
    self.ifmapW = ifmapW
    self.filterH = filterH
    self.filterW = filterW
    self.channels = channels
    self.numFilter = numFilter
    self.stride = stride
  }

  /// Largest value accepted in a numeric column.
  public static let maxField = 1 << 20

  public var isDepthwise: Bool { name.contains("DP") }
  public var ofmapH: Int { (ifmapH - filterH + stride + stride - 1) / stride }
  public var ofmapW: Int { (ifmapW - filterW + stride + stride - 1) / stride }

  /// The GEMM SCALE-Sim runs (depthwise: `channels` groups of `FH*FW` x `numFilter`).
  public var gemm: DataflowGemm {
    let m = Double(ofmapH) * Double(ofmapW), kk = Double(filterH) * Double(filterW)
    if isDepthwise { return DataflowGemm(m: m, k: kk, n: Double(numFilter), groups: Double(channels)) }
    return DataflowGemm(m: m, k: kk * Double(channels), n: Double(numFilter))
  }

  public var macs: Double { gemm.macs }

  /// Compute-report rows of this layer on an `rows x cols` array (`split`: one per channel of a DP layer).
  public func reports(rows: Int, cols: Int, dataflow: Dataflow, depthwise: DepthwiseMode = .split) -> [ScaleSimReport] {
    let r = Double(rows), c = Double(cols)
    let g = gemm
    if g.groups == 1 || depthwise == .direct {
      return [ScaleSimReport.from(layer: name, folds: dataflow.folds(g, rows: r, cols: c), dataflow: dataflow, rows: r, cols: c)]
    }
    let one = ScaleSimReport.from(layer: name, folds: dataflow.folds(DataflowGemm(m: g.m, k: g.k, n: g.n), rows: r, cols: c),
                                  dataflow: dataflow, rows: r, cols: c)
    return (0..<channels).map { i in
      var x = one
      x.layer = "\(name)Channel_\(i)"
      return x
    }
  }

  /// Throws unless every size is in range and the filter fits the ifmap (SCALE-Sim asserts the same).
  func validate(path: String, line: Int) throws {
    if filterH > ifmapH || filterW > ifmapW {
      throw HardwareError.fileFormat(path: path, line: line, column: 1,
                                     reason: "layer '\(name)': filter \(filterH)x\(filterW) is larger than the ifmap \(ifmapH)x\(ifmapW)")
    }
  }
}

// MARK: - Topology files

/// Reading and writing SCALE-Sim conv topology `.csv` files.
///
/// The first line is the header (skipped, as SCALE-Sim does); every row needs the name and seven
/// positive integers; cells after the eighth (SCALE-Sim's optional sparsity ratio, notes) are ignored;
/// rows whose cells are all empty are skipped; a trailing comma is optional.
/// ```swift
/// let layers = try ScaleSimTopology.read(path: "data/scalesim/resnet50.csv")
/// try ScaleSimTopology.write(layers, to: "copy.csv")
/// ```
public enum ScaleSimTopology {
  public static let header = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,"
  static let columns = ["IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels", "Num Filter", "Strides"]
  /// Most rows read from one file.
  public static let maxLayers = 100_000

  public static func read(path: String) throws -> [ScaleSimLayer] {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw HardwareError.cannotRead(path: path, reason: error.localizedDescription)
    }
    return try parse(text, path: path)
  }

  public static func parse(_ text: String, path: String = "<topology>") throws -> [ScaleSimLayer] {
    var out: [ScaleSimLayer] = []
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for (i, raw) in lines.enumerated() where i > 0 {
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      let cells = line.split(separator: ",", omittingEmptySubsequences: false)
      if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
      let name = cells[0].trimmingCharacters(in: .whitespaces)
      if name.isEmpty {
        throw HardwareError.fileFormat(path: path, line: i + 1, column: 1, reason: "a layer needs a name in the first column")
      }
      var values: [Int] = []
      var column = cells[0].count + 2
      for j in 0..<columns.count {
        let idx = j + 1
        guard idx < cells.count else {
          throw HardwareError.fileFormat(path: path, line: i + 1, column: line.count + 1,
                                         reason: "layer '\(name)': missing column '\(columns[j])' (expected \(columns.count + 1) columns, got \(cells.count))")
        }
        let cell = cells[idx]
        let s = cell.trimmingCharacters(in: .whitespaces)
        let lead = cell.prefix { $0 == " " || $0 == "\t" }.count
        guard let v = Int(s), v >= 1, v <= ScaleSimLayer.maxField else {
          throw HardwareError.fileFormat(path: path, line: i + 1, column: column + lead,
                                         reason: "layer '\(name)': \(columns[j]) must be an integer in 1...\(ScaleSimLayer.maxField), got '\(s)'")
        }
        values.append(v)
        column += cell.count + 1
      }
      let l = ScaleSimLayer(name: name, ifmapH: values[0], ifmapW: values[1], filterH: values[2], filterW: values[3],
                            channels: values[4], numFilter: values[5], stride: values[6])
      try l.validate(path: path, line: i + 1)
      out.append(l)
      if out.count > maxLayers {
        throw HardwareError.fileFormat(path: path, line: i + 1, column: 1, reason: "more than \(maxLayers) layers")
      }
    }
    return out
  }

  /// The file text (the header SCALE-Sim's files use, one row per layer, trailing commas).
  public static func text(_ layers: [ScaleSimLayer]) -> String {
    var s = header + "\n"
    for l in layers {
      let name = l.name.replacingOccurrences(of: ",", with: "_")
      s += "\(name), \(l.ifmapH), \(l.ifmapW), \(l.filterH), \(l.filterW), \(l.channels), \(l.numFilter), \(l.stride),\n"
    }
    return s
  }

  public static func write(_ layers: [ScaleSimLayer], to path: String) throws {
    do { try text(layers).write(toFile: path, atomically: true, encoding: .utf8) } catch {
      throw HardwareError.cannotWrite(path: path, reason: error.localizedDescription)
    }
  }
}
