// MARK: - GraphPicture SVG rendering
//
// Nodes are rounded boxes in layers from left to right. Forward edges are chains of cubic
// curves (horizontal tangents) from the source's right side through the dummy lanes of the
// layout to the target's left side, ending in an arrowhead; several edges at one node get
// spread-out ports. Back edges (cycles) loop underneath, self-loops arc over the node. Edge
// labels sit on a white backing at the middle of the edge's first curve and are nudged apart if
// they would overlap. Edge colours follow the label, so equal operations share a colour.

extension GraphPicture {
  /// Renders a standalone SVG. Its natural size comes from the layout; pass `width`/`height` to
  /// scale it into a fixed box instead.
  public func renderSVG(width: Int? = nil, height: Int? = nil) -> String {
    let layout = GraphLayout(self)
    let font = 12.0, labelFont = 10.5
    let nodeHeight = 32.0, dummyHeight = 18.0, itemGap = 26.0
    let margin = 24.0
    let vertexCount = layout.layer.count
    let edgeList = indexedEdges
    func isDummy(_ v: Int) -> Bool { layout.isDummy(v) }
    let vertexWidth = (0..<vertexCount).map { v in
      isDummy(v) ? 0 : max(56, SVGDocument.textWidth(nodes[v].label, size: font) + 24)
    }
    func vertexHeight(_ v: Int) -> Double { isDummy(v) ? dummyHeight : nodeHeight }

    // Column widths, and gaps wide enough for the labels on edges leaving each column.
    let layers = max(1, layout.layerCount)
    var columnWidth = Array(repeating: 20.0, count: layers)
    for v in 0..<vertexCount { columnWidth[layout.layer[v]] = max(columnWidth[layout.layer[v]], vertexWidth[v]) }
    var gap = Array(repeating: 80.0, count: layers)
    for (i, edge) in edgeList.enumerated() where layout.chains[i] != nil {
      let l = layout.layer[edge.0]
      gap[l] = max(gap[l], SVGDocument.textWidth(edge.2, size: labelFont) + 44)
    }
    let top = margin + (title.isEmpty ? 0 : 30)
    var columnX = Array(repeating: margin, count: layers)
    for l in columnX.indices.dropFirst() { columnX[l] = columnX[l - 1] + columnWidth[l - 1] + gap[l - 1] }
    let stackHeights = layout.members.map { m in
      m.reduce(0.0) { $0 + vertexHeight($1) } + Double(max(0, m.count - 1)) * itemGap
    }
    let contentHeight = max(nodeHeight, stackHeights.max() ?? 0)
    let hasBackEdges = edgeList.enumerated().contains { layout.chains[$0.offset] == nil && $0.element.0 != $0.element.1 }
    let loopTop = edgeList.contains { $0.0 == $0.1 } ? 34.0 : 0
    let extraBottom = hasBackEdges ? 56.0 : 0
    let last = layers - 1
    let naturalWidth = max(160, columnX[last] + columnWidth[last] + margin,
                           SVGDocument.textWidth(title, size: 16) + 2 * margin)
    let naturalHeight = top + loopTop + contentHeight + extraBottom + margin

    // Vertex centres: each layer's stack is centred vertically.
    var cx = Array(repeating: 0.0, count: vertexCount)
    var cy = Array(repeating: 0.0, count: vertexCount)
    for (l, m) in layout.members.enumerated() {
      var y = top + loopTop + (contentHeight - stackHeights[l]) / 2
      for v in m {
        cx[v] = columnX[l] + columnWidth[l] / 2
        cy[v] = y + vertexHeight(v) / 2
        y += vertexHeight(v) + itemGap
      }
    }

    // Ports: edges leaving (entering) a node are spread along its right (left) side in the
    // order of the next (previous) point's height.
    var outPort = Array(repeating: 0.0, count: edgeList.count)
    var inPort = Array(repeating: 0.0, count: edgeList.count)
    func spread(_ items: [(edge: Int, key: Double)], into ports: inout [Double]) {
      let sorted = items.sorted { $0.key != $1.key ? $0.key < $1.key : $0.edge < $1.edge }
      let step = sorted.count > 1 ? min(9, nodeHeight * 0.6 / Double(sorted.count - 1)) : 0
      for (k, item) in sorted.enumerated() {
        ports[item.edge] = (Double(k) - Double(sorted.count - 1) / 2) * step
      }
    }
    var outgoing = Array(repeating: [(edge: Int, key: Double)](), count: nodes.count)
    var incoming = Array(repeating: [(edge: Int, key: Double)](), count: nodes.count)
    for i in edgeList.indices {
      guard let chain = layout.chains[i], chain.count >= 2 else { continue }
      outgoing[chain[0]].append((i, cy[chain[1]]))
      incoming[chain[chain.count - 1]].append((i, cy[chain[chain.count - 2]]))
    }
    for v in nodes.indices {
      spread(outgoing[v], into: &outPort)
      spread(incoming[v], into: &inPort)
    }

    var doc = SVGDocument(width: width ?? Int(naturalWidth.rounded(.up)),
                          height: height ?? Int(naturalHeight.rounded(.up)))
    doc.viewSize = (naturalWidth, naturalHeight)
    let colors = labelColors
    for index in Set(colors.values).sorted() {
      doc.def("<marker id=\"\(SVGDocument.idPrefix)arrow-\(index)\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"\(SeriesPalette.color(index).hex)\"/></marker>")
    }
    if !title.isEmpty {
      doc.text(title, x: naturalWidth / 2, y: margin + 8, size: 16, anchor: .middle, bold: true)
    }

    // Edges first, so node boxes cover curve ends.
    let n = SVGDocument.n
    var labelItems: [(text: String, x: Double, y: Double, color: String)] = []
    var loopCount = Array(repeating: 0, count: nodes.count)
    for (i, (a, b, label)) in edgeList.enumerated() {
      let colorIndex = colors[label] ?? 0
      let color = SeriesPalette.color(colorIndex).hex
      var d = ""
      var labelPoint = (0.0, 0.0)
      if let chain = layout.chains[i], chain.count >= 2 {
        var points = chain.map { (cx[$0], cy[$0]) }
        points[0] = (cx[a] + vertexWidth[a] / 2, cy[a] + outPort[i])
        points[points.count - 1] = (cx[b] - vertexWidth[b] / 2 - 1, cy[b] + inPort[i])
        d = "M\(n(points[0].0)),\(n(points[0].1))"
        for (k, (p, q)) in zip(points, points.dropFirst()).enumerated() {
          let dx = (q.0 - p.0) / 2
          d += " C\(n(p.0 + dx)),\(n(p.1)) \(n(q.0 - dx)),\(n(q.1)) \(n(q.0)),\(n(q.1))"
          if k == 0 { labelPoint = ((p.0 + q.0) / 2, (p.1 + q.1) / 2) }
        }
      } else if a == b {
        loopCount[a] += 1
        let lift = 26 + Double(loopCount[a] - 1) * 10
        let w = vertexWidth[a] / 2
        let p0 = (cx[a] - w * 0.4, cy[a] - nodeHeight / 2), p3 = (cx[a] + w * 0.4, cy[a] - nodeHeight / 2 - 1)
        d = "M\(n(p0.0)),\(n(p0.1)) C\(n(p0.0 - 12)),\(n(p0.1 - lift - 10)) \(n(p3.0 + 12)),\(n(p3.1 - lift - 10)) \(n(p3.0)),\(n(p3.1))"
        labelPoint = (cx[a], p0.1 - lift * 0.75 - 4)
      } else {
        // Back edge: leave from the bottom, return into the bottom of the target.
        let p0 = (cx[a] - 6, cy[a] + nodeHeight / 2), p3 = (cx[b] + 6, cy[b] + nodeHeight / 2 + 1)
        let depth = top + loopTop + contentHeight + 34 - max(p0.1, p3.1)
        d = "M\(n(p0.0)),\(n(p0.1)) C\(n(p0.0)),\(n(p0.1 + depth)) \(n(p3.0)),\(n(p3.1 + depth)) \(n(p3.0)),\(n(p3.1))"
        labelPoint = ((p0.0 + p3.0) / 2, max(p0.1, p3.1) + depth * 0.75)
      }
      doc.raw("<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" marker-end=\"url(#\(SVGDocument.idPrefix)arrow-\(colorIndex))\"/>")
      if !label.isEmpty { labelItems.append((label, labelPoint.0, labelPoint.1, color)) }
    }

    // Labels, nudged down until they overlap no earlier label.
    var placed: [(Double, Double, Double, Double)] = []
    for item in labelItems {
      let w = SVGDocument.textWidth(item.text, size: labelFont) + 8, h = 16.0
      var y = item.y
      for _ in 0..<12 {
        let overlaps = placed.contains { r in
          abs(r.0 - item.x) < (r.2 + w) / 2 && abs(r.1 - y) < (r.3 + h) / 2
        }
        if !overlaps { break }
        y += h + 2
      }
      placed.append((item.x, y, w, h))
      doc.rect(x: item.x - w / 2, y: y - h / 2, width: w, height: h, fill: "#ffffff",
               stroke: item.color, strokeWidth: 0.6, rx: 3, extra: "fill-opacity=\"0.92\"")
      doc.text(item.text, x: item.x, y: y + 3.8, size: labelFont, anchor: .middle, fill: "#222222")
    }

    // Nodes.
    for v in nodes.indices {
      doc.rect(x: cx[v] - vertexWidth[v] / 2, y: cy[v] - nodeHeight / 2, width: vertexWidth[v],
               height: nodeHeight, fill: "#eef3fb", stroke: "#3a5a8c", strokeWidth: 1.4, rx: 6)
      doc.text(nodes[v].label, x: cx[v], y: cy[v] + 4.3, size: font, anchor: .middle, fill: "#1a2a40")
    }
    if nodes.isEmpty {
      doc.text("(empty graph)", x: naturalWidth / 2, y: top + 20, size: 12, anchor: .middle,
               fill: "#888888")
    }
    return doc.render()
  }
}
