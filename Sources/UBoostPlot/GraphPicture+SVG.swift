// MARK: - GraphPicture SVG rendering
//
// Nodes are rounded boxes in layers from left to right; edges are cubic curves from the right
// side of the source to the left side of the target, with arrowheads and a label on a white
// backing at the curve's midpoint. Edges going backwards (cycles) loop underneath; self-loops
// arc over the node. Parallel edges are fanned out. Edge colours follow the edge label, so
// equal operations share a colour.

extension GraphPicture {
  /// Renders a standalone SVG. Its natural size comes from the layout; pass `width`/`height` to
  /// scale it into a fixed box instead.
  public func renderSVG(width: Int? = nil, height: Int? = nil) -> String {
    let layout = GraphLayout(self)
    let font = 12.0, labelFont = 10.5
    let nodeHeight = 32.0, rowGap = 36.0
    let nodeWidths = nodes.map { max(56, SVGDocument.textWidth($0.label, size: font) + 24) }
    let indexed = indexedEdges

    // Column widths and the gaps between columns (wide enough for the edge labels).
    var columnWidth = Array(repeating: 56.0, count: max(1, layout.layerCount))
    for v in nodes.indices { columnWidth[layout.layer[v]] = max(columnWidth[layout.layer[v]], nodeWidths[v]) }
    var gap = Array(repeating: 90.0, count: max(1, layout.layerCount))
    for (a, b, label) in indexed where layout.layer[b] == layout.layer[a] + 1 {
      gap[layout.layer[a]] = max(gap[layout.layer[a]], SVGDocument.textWidth(label, size: labelFont) + 40)
    }
    let margin = 24.0
    let top = margin + (title.isEmpty ? 0 : 30)
    var columnX = Array(repeating: margin, count: max(1, layout.layerCount))
    for l in columnX.indices.dropFirst() { columnX[l] = columnX[l - 1] + columnWidth[l - 1] + gap[l - 1] }
    var perLayer = Array(repeating: 0, count: max(1, layout.layerCount))
    for v in nodes.indices { perLayer[layout.layer[v]] += 1 }
    let tallest = Double(perLayer.max() ?? 1)
    let contentHeight = max(nodeHeight, tallest * nodeHeight + (tallest - 1) * rowGap)
    let hasBackEdges = indexed.contains { layout.layer[$0.1] <= layout.layer[$0.0] && $0.0 != $0.1 }
    let hasSelfLoops = indexed.contains { $0.0 == $0.1 }
    let loopTop = hasSelfLoops ? 30.0 : 0
    let extraBottom = hasBackEdges ? 50.0 : 0
    let lastColumn = columnX.indices.last ?? 0
    let naturalWidth = max(160, columnX[lastColumn] + columnWidth[lastColumn] + margin,
                           SVGDocument.textWidth(title, size: 16) + 2 * margin)
    let naturalHeight = top + loopTop + contentHeight + extraBottom + margin

    // Node centres.
    var cx = Array(repeating: 0.0, count: nodes.count)
    var cy = Array(repeating: 0.0, count: nodes.count)
    for v in nodes.indices {
      let l = layout.layer[v]
      let count = Double(perLayer[l])
      let block = count * nodeHeight + (count - 1) * rowGap
      let y0 = top + loopTop + (contentHeight - block) / 2
      cx[v] = columnX[l] + columnWidth[l] / 2
      cy[v] = y0 + Double(layout.rank[v]) * (nodeHeight + rowGap) + nodeHeight / 2
    }

    var doc = SVGDocument(width: width ?? Int(naturalWidth.rounded(.up)),
                          height: height ?? Int(naturalHeight.rounded(.up)))
    doc.viewSize = (naturalWidth, naturalHeight)
    let colors = labelColors
    for (label, index) in colors.sorted(by: { $0.value < $1.value }) {
      _ = label
      doc.def("<marker id=\"arrow-\(index)\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"\(SeriesPalette.color(index).hex)\"/></marker>")
    }
    if !title.isEmpty {
      doc.text(title, x: naturalWidth / 2, y: margin + 8, size: 16, anchor: .middle, bold: true)
    }

    // Edges first, so boxes cover curve ends; labels after edges so curves never hide them.
    var pairCount: [[Int]: Int] = [:]
    for (a, b, _) in indexed { pairCount[[a, b], default: 0] += 1 }
    var pairSeen: [[Int]: Int] = [:]
    var labelItems: [(String, Double, Double, String)] = []
    let n = SVGDocument.n
    for (a, b, label) in indexed {
      let k = pairSeen[[a, b], default: 0]
      pairSeen[[a, b]] = k + 1
      let fan = (Double(k) - Double(pairCount[[a, b], default: 1] - 1) / 2) * 10
      let colorIndex = colors[label] ?? 0
      let color = SeriesPalette.color(colorIndex).hex
      let p0, p1, p2, p3: (Double, Double)
      if a == b {
        let w = nodeWidths[a] / 2
        p0 = (cx[a] - w * 0.4, cy[a] - nodeHeight / 2)
        p3 = (cx[a] + w * 0.4, cy[a] - nodeHeight / 2 - 2)
        p1 = (p0.0 - 10, p0.1 - 40 - fan); p2 = (p3.0 + 10, p3.1 - 40 - fan)
      } else if layout.layer[b] > layout.layer[a] {
        p0 = (cx[a] + nodeWidths[a] / 2, cy[a] + fan)
        p3 = (cx[b] - nodeWidths[b] / 2 - 1, cy[b] + fan)
        let dx = max(30, (p3.0 - p0.0) / 2)
        p1 = (p0.0 + dx, p0.1); p2 = (p3.0 - dx, p3.1)
      } else {
        // Backward or same-layer edge: leave from the bottom, return into the bottom.
        p0 = (cx[a], cy[a] + nodeHeight / 2)
        p3 = (cx[b] + 6, cy[b] + nodeHeight / 2 + 1)
        let depth = 40 + fan + abs(cx[a] - cx[b]) * 0.08
        p1 = (p0.0, p0.1 + depth); p2 = (p3.0, p3.1 + depth)
      }
      doc.raw("<path d=\"M\(n(p0.0)),\(n(p0.1)) C\(n(p1.0)),\(n(p1.1)) \(n(p2.0)),\(n(p2.1)) \(n(p3.0)),\(n(p3.1))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" marker-end=\"url(#arrow-\(colorIndex))\"/>")
      if !label.isEmpty {
        // Cubic Bezier midpoint.
        let mx = (p0.0 + 3 * p1.0 + 3 * p2.0 + p3.0) / 8
        let my = (p0.1 + 3 * p1.1 + 3 * p2.1 + p3.1) / 8
        labelItems.append((label, mx, my, color))
      }
    }
    for (label, mx, my, color) in labelItems {
      let w = SVGDocument.textWidth(label, size: labelFont) + 8
      doc.rect(x: mx - w / 2, y: my - 8, width: w, height: 16, fill: "#ffffff",
               stroke: color, strokeWidth: 0.6, rx: 3, extra: "fill-opacity=\"0.92\"")
      doc.text(label, x: mx, y: my + 3.8, size: labelFont, anchor: .middle, fill: "#222222")
    }

    // Nodes.
    for v in nodes.indices {
      doc.rect(x: cx[v] - nodeWidths[v] / 2, y: cy[v] - nodeHeight / 2, width: nodeWidths[v],
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
