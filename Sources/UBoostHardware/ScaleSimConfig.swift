import Foundation

// MARK: - SCALE-Sim configuration files (.cfg)

/// The parts of a SCALE-Sim `.cfg` file the cycle model uses.
///
/// The file is read as Python's `configparser` reads it (`[section]`, `key: value` or `key = value`,
/// keys case-insensitive, `#`/`;` comment lines). Required: `ArrayHeight`, `ArrayWidth`, `Dataflow`,
/// `IfmapSramSzkB`, `FilterSramSzkB`, `OfmapSramSzkB` (and `Bandwidth` when
/// `InterfaceBandwidth: USER`); unknown keys are ignored; missing ones are all named in one error.
/// ```swift
/// let cfg = try ScaleSimConfig(path: "data/scalesim/scale.cfg")
/// print(cfg.rows, cfg.cols, cfg.dataflow)     // 32 32 weightStationary
/// ```
public struct ScaleSimConfig: Equatable, Sendable {
  public var runName: String
  public var rows: Int
  public var cols: Int
  public var dataflow: Dataflow
  public var ifmapSRAMkB: Int
  public var filterSRAMkB: Int
  public var ofmapSRAMkB: Int
  /// `InterfaceBandwidth: USER` (the DRAM bandwidth is given) rather than `CALC` (SCALE-Sim sizes it).
  public var userBandwidth: Bool
  /// `Bandwidth` (words per cycle; SCALE-Sim uses the first entry for the ofmap port).
  public var bandwidth: [Int]
  /// `[layout] IfmapSRAMBankBandwidth` / `FilterSRAMBankBandwidth`: the words per cycle SCALE-Sim
  /// 3.0.0 actually fetches ifmap and filter data with in USER mode (default 10).
  public var ifmapReadBandwidth: Int
  public var filterReadBandwidth: Int

  public init(runName: String = "uboost", rows: Int, cols: Int, dataflow: Dataflow,
              ifmapSRAMkB: Int = 6144, filterSRAMkB: Int = 6144, ofmapSRAMkB: Int = 2048,
              userBandwidth: Bool = false, bandwidth: [Int] = [10], ifmapReadBandwidth: Int = 10,
              filterReadBandwidth: Int = 10) {
    self.runName = runName
    self.rows = rows
    self.cols = cols
    self.dataflow = dataflow
    self.ifmapSRAMkB = ifmapSRAMkB
    self.filterSRAMkB = filterSRAMkB
    self.ofmapSRAMkB = ofmapSRAMkB
    self.userBandwidth = userBandwidth
    self.bandwidth = bandwidth
    self.ifmapReadBandwidth = ifmapReadBandwidth
    self.filterReadBandwidth = filterReadBandwidth
  }

  /// Largest array side accepted (SCALE-Sim's own configs go to 256; products stay exact).
  public static let maxArraySide = 1 << 16

  /// Reads and parses a file.
  public init(path: String) throws {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw HardwareError.cannotRead(path: path, reason: error.localizedDescription)
    }
    try self.init(text: text, path: path)
  }

  /// Parses the text of a `.cfg` file; `path` only names it in errors.
  public init(text: String, path: String = "<config>") throws {
    let entries = try ScaleSimConfig.entries(text, path: path)
    func find(_ key: String, _ section: String) -> Entry? {
      entries.first { $0.key == key.lowercased() && $0.section == section } ?? entries.first { $0.key == key.lowercased() }
    }
    let required = [("ArrayHeight", "architecture_presets"), ("ArrayWidth", "architecture_presets"),
                    ("IfmapSramSzkB", "architecture_presets"), ("FilterSramSzkB", "architecture_presets"),
                    ("OfmapSramSzkB", "architecture_presets"), ("Dataflow", "architecture_presets")]
    var missing = required.filter { find($0.0, $0.1) == nil }.map { "\($0.0) ([\($0.1)])" }
    let mode = find("InterfaceBandwidth", "run_presets")
    let user: Bool
    switch mode?.value.uppercased() {
    case nil, "CALC": user = false
    case "USER": user = true
    default:
      let e = mode!
      throw HardwareError.fileFormat(path: path, line: e.line, column: e.column,
                                     reason: "InterfaceBandwidth must be USER or CALC, got '\(e.value)'")
    }
    if user && find("Bandwidth", "architecture_presets") == nil {
      missing.append("Bandwidth ([architecture_presets], needed by InterfaceBandwidth: USER)")
    }
    if !missing.isEmpty { throw HardwareError.missingKeys(path: path, keys: missing) }

    func int(_ key: String, _ section: String, max: Int = 1 << 30, default d: Int? = nil) throws -> Int {
      guard let e = find(key, section) else { return d ?? 0 }
      guard let v = Int(e.value), v >= 1, v <= max else {
        throw HardwareError.fileFormat(path: path, line: e.line, column: e.column,
                                       reason: "\(key) must be an integer in 1...\(max), got '\(e.value)'")
      }
      return v
    }
    rows = try int("ArrayHeight", "architecture_presets", max: ScaleSimConfig.maxArraySide)
    cols = try int("ArrayWidth", "architecture_presets", max: ScaleSimConfig.maxArraySide)
    ifmapSRAMkB = try int("IfmapSramSzkB", "architecture_presets")
    filterSRAMkB = try int("FilterSramSzkB", "architecture_presets")
    ofmapSRAMkB = try int("OfmapSramSzkB", "architecture_presets")
    let dfEntry = find("Dataflow", "architecture_presets")!
    guard let df = Dataflow(name: dfEntry.value) else {
      throw HardwareError.fileFormat(path: path, line: dfEntry.line, column: dfEntry.column,
                                     reason: "Dataflow must be os, ws or is, got '\(dfEntry.value)'")
    }
    dataflow = df
    userBandwidth = user
    if let b = find("Bandwidth", "architecture_presets") {
      var list: [Int] = []
      for part in b.value.split(separator: ",", omittingEmptySubsequences: false) {
        let s = part.trimmingCharacters(in: .whitespaces)
        guard let v = Int(s), v >= 1, v <= 1 << 20 else {
          throw HardwareError.fileFormat(path: path, line: b.line, column: b.column,
                                         reason: "Bandwidth must be positive integers (words per cycle), got '\(b.value)'")
        }
        list.append(v)
      }
      bandwidth = list
    } else {
      bandwidth = [10]
    }
    ifmapReadBandwidth = try int("IfmapSRAMBankBandwidth", "layout", max: 1 << 20, default: 10)
    filterReadBandwidth = try int("FilterSRAMBankBandwidth", "layout", max: 1 << 20, default: 10)
    runName = find("run_name", "general")?.value ?? "scale_run"
  }

  // MARK: Text

  struct Entry {
    var section: String
    var key: String
    var value: String
    var line: Int
    var column: Int
  }

  /// `key: value` entries in file order (keys lowercased, as configparser stores them).
  static func entries(_ text: String, path: String) throws -> [Entry] {
    var out: [Entry] = []
    var section = ""
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
      if trimmed.hasPrefix("[") {
        guard trimmed.hasSuffix("]") else {
          throw HardwareError.fileFormat(path: path, line: i + 1, column: 1, reason: "section header needs a closing ']'")
        }
        section = String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        continue
      }
      if line.first == " " || line.first == "\t", !out.isEmpty { continue }   // configparser continuation line
      guard let d = line.firstIndex(where: { $0 == ":" || $0 == "=" }) else {
        throw HardwareError.fileFormat(path: path, line: i + 1, column: 1,
                                       reason: "expected 'key: value' or 'key = value', got '\(trimmed)'")
      }
      let key = line[..<d].trimmingCharacters(in: .whitespaces).lowercased()
      let rest = line[line.index(after: d)...]
      let lead = rest.prefix { $0 == " " || $0 == "\t" }.count
      let column = line.distance(from: line.startIndex, to: d) + 2 + lead
      out.append(Entry(section: section, key: key, value: rest.trimmingCharacters(in: .whitespaces),
                       line: i + 1, column: column))
    }
    return out
  }

  /// The config as SCALE-Sim 3.0.0 reads it (all the sections its parser requires).
  public var text: String {
    """
    [general]
    run_name = \(runName)

    [architecture_presets]
    ArrayHeight:    \(rows)
    ArrayWidth:     \(cols)
    IfmapSramSzkB:   \(ifmapSRAMkB)
    FilterSramSzkB:  \(filterSRAMkB)
    OfmapSramSzkB:   \(ofmapSRAMkB)
    IfmapOffset:    0
    FilterOffset:   10000000
    OfmapOffset:    20000000
    Bandwidth : \(bandwidth.map(String.init).joined(separator: ","))
    Dataflow : \(dataflow.rawValue)
    MemoryBanks:   1
    ReadRequestBuffer: 32
    WriteRequestBuffer: 32

    [layout]
    IfmapCustomLayout: False
    IfmapSRAMBankBandwidth: \(ifmapReadBandwidth)
    IfmapSRAMBankNum: 10
    IfmapSRAMBankPort: 2
    FilterCustomLayout: False
    FilterSRAMBankBandwidth: \(filterReadBandwidth)
    FilterSRAMBankNum: 10
    FilterSRAMBankPort: 2

    [sparsity]
    SparsitySupport : false
    SparseRep : ellpack_block
    OptimizedMapping : false
    BlockSize : 8
    RandomNumberGeneratorSeed : 40

    [run_presets]
    InterfaceBandwidth: \(userBandwidth ? "USER" : "CALC")
    UseRamulatorTrace: False

    """
  }
}
