// MARK: - Dataflow cycle model of uboost layers (exact and smooth)

extension Dataflow {
  /// SCALE-Sim's compute cycles of one lowered GEMM with the fold counts taken through `ceiling`,
  /// as a value with derivatives w.r.t. (cin, cout). With `.exact` this is SCALE-Sim's count
  /// exactly (zero-stall); with a smooth ceiling it is the search form.
  ///
  ///     dense:   ceil(Sr/R) * ceil(Sc/C) * foldCycles(T) - 1
  ///     grouped (P groups per fold, groups of k x n):
  ///       ws:    ceil(G/P) * (2R + C + M - 2) - 1
  ///       os:    ceil(M/R) * (ceil(G/P) * (R + C - 2) + G*k) - 1
  ///       is:    ceil(M/C) * (ceil(G/P) * (2R + C - 2) + G*n) - 1
  ///     (a group that does not fit the array: G times its dense cycles, minus 1 once)
  func cycles(_ g: Gemm, rows: Int, cols: Int, ceiling: CeilingKind, onWarning: WarningHandler?) -> Dual2 {
    let r = Double(rows), c = Double(cols)
    func ceilD(_ x: Dual2) -> Dual2 {
      let (v, d) = ceiling.evaluate(x.v, onWarning: onWarning)
      return x.chain(v, d)
    }
    let m = Dual2(g.m), k = Dual2(g.k, g.dk.0, g.dk.1), n = Dual2(g.n, g.dn.0, g.dn.1)
    func dense(_ m: Dual2, _ k: Dual2, _ n: Dual2) -> Dual2 {
      let (sr, sc, t): (Dual2, Dual2, Dual2)
      switch self {
      case .outputStationary: (sr, sc, t) = (m, n, k)
      case .weightStationary: (sr, sc, t) = (k, n, m)
      case .inputStationary: (sr, sc, t) = (k, m, n)
      }
      let fold: Dual2
      switch self {
      case .outputStationary: fold = t + (r + c - 2)
      case .weightStationary, .inputStationary: fold = t + (2 * r + c - 2)
      }
      return ceilD(sr / r) * ceilD(sc / c) * fold
    }
    if !g.perChannel { return dense(m, k, n) - 1 }
    let groups = Dual2(g.groups, g.dgroups.0, g.dgroups.1)
    let p = groupsPerFold(k: g.k, n: g.n, rows: r, cols: c)
    if p < 1 { return groups * dense(m, k, n) - 1 }
    let gf = ceilD(groups / p)
    switch self {
    case .weightStationary: return gf * (g.m + 2 * r + c - 2) - 1
    case .outputStationary: return ceilD(m / r) * (gf * (r + c - 2) + groups * k) - 1
    case .inputStationary: return ceilD(m / c) * (gf * (2 * r + c - 2) + groups * n) - 1
    }
  }
}

extension LayerSpec {
  /// The GEMMs of this layer as the dataflow models see them (depthwise parts grouped), batch included.
  public func dataflowGemms(batch: Int) -> [DataflowGemm] {
    gemms(batch: batch).map { DataflowGemm(m: $0.m, k: $0.k, n: $0.n, groups: $0.perChannel ? $0.groups : 1) }
  }

  /// SCALE-Sim compute reports of this layer (channels rounded to integers; one per GEMM part:
  /// separable gives a depthwise and a pointwise row). `depthwise: .split` prices depthwise parts as
  /// SCALE-Sim does (one single-channel layer per channel, summed into one row here).
  public func scaleSimReports(config: HardwareConfig, dataflow: Dataflow, depthwise: DepthwiseMode = .direct) throws
    -> [ScaleSimReport] {
    try config.validate()
    try validate()
    if kind.isFree { return [] }
    let r = Double(config.rows), c = Double(config.cols)
    var out: [ScaleSimReport] = []
    for (i, g0) in dataflowGemms(batch: config.batch).enumerated() {
      var g = g0
      g.k = g.k.rounded(); g.n = g.n.rounded(); g.groups = g.groups.rounded()
      let name = "\(kind.rawValue)\(i == 0 ? "" : "_\(i)")"
      if g.groups > 1 && depthwise == .split {
        var one = ScaleSimReport.from(layer: name, folds: dataflow.folds(DataflowGemm(m: g.m, k: g.k, n: g.n), rows: r, cols: c),
                                      dataflow: dataflow, rows: r, cols: c)
        // Per channel: the same folds; the report's utilizations are per-layer means, so they stay.
        one.totalCycles *= g.groups
        one.macs *= g.groups
        out.append(one)
      } else {
        out.append(ScaleSimReport.from(layer: name, folds: dataflow.folds(g, rows: r, cols: c), dataflow: dataflow, rows: r, cols: c))
      }
    }
    return out
  }

  /// The layer as SCALE-Sim topology rows (one image: SCALE-Sim has no batch; no padding, so the
  /// ifmap is `(out - 1) * stride + k`; dilated convs are written as the plain conv with the same GEMM;
  /// depthwise as a `DP` row; separable as a `DP` row and a 1x1 row; linear as a 1x1 conv on a 1x1
  /// map; free layers give no row). Channels are rounded to integers.
  public func scaleSimLayers(name: String) throws -> [ScaleSimLayer] {
    try validate()
    func ch(_ x: Double) -> Int { Swift.max(1, Int(x.rounded())) }
    let ih = (outH - 1) * stride + k1, iw = (outW - 1) * stride + k2
    let dp = name.contains("DP") ? name : "DP" + name
    switch kind {
    case .identity, .zero, .pool: return []
    case .conv, .dilated:
      return [ScaleSimLayer(name: name, ifmapH: ih, ifmapW: iw, filterH: k1, filterW: k2, channels: ch(cin),
                            numFilter: ch(cout), stride: stride)]
    case .depthwise:
      return [ScaleSimLayer(name: dp, ifmapH: ih, ifmapW: iw, filterH: k1, filterW: k2, channels: ch(cin),
                            numFilter: 1, stride: stride)]
    case .separable:
      return [ScaleSimLayer(name: dp + "_dw", ifmapH: ih, ifmapW: iw, filterH: k1, filterW: k2, channels: ch(cin),
                            numFilter: 1, stride: stride),
              ScaleSimLayer(name: name.replacingOccurrences(of: "DP", with: "Dp") + "_pw", ifmapH: outH, ifmapW: outW, filterH: 1, filterW: 1, channels: ch(cin),
                            numFilter: ch(cout), stride: 1)]
    case .linear:
      return [ScaleSimLayer(name: name, ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: ch(cin),
                            numFilter: ch(cout), stride: 1)]
    }
  }
}
