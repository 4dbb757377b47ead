// MARK: - SVGDocument
//
// A minimal builder for standalone SVG text. All user text goes through `escape`, all numbers
// through `NumberFormat.coord`, so the output is always well-formed XML.

import Foundation

struct SVGDocument {
  let width: Double
  let height: Double
  private(set) var body: [String] = []
  private(set) var defs: [String] = []

  static let font = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""

  /// Size of the user coordinate system when it differs from the output size (scaled).
  var viewSize: (Double, Double)?

  init(width: Int, height: Int) {
    self.width = Double(max(1, width))
    self.height = Double(max(1, height))
  }

  /// Escapes text for XML character data and attribute values; drops characters that XML 1.0
  /// does not allow at all (most C0 controls).
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out += " "
      default:
        let v = scalar.value
        if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  static func n(_ v: Double) -> String { NumberFormat.coord(v) }

  mutating func raw(_ element: String) { body.append(element) }
  mutating func def(_ element: String) { defs.append(element) }

  mutating func rect(x: Double, y: Double, width w: Double, height h: Double, fill: String,
                     stroke: String? = nil, strokeWidth: Double = 1, rx: Double = 0,
                     extra: String = "") {
    var s = "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(0, w)))\" height=\"\(Self.n(max(0, h)))\" fill=\"\(fill)\""
    if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"\(Self.n(strokeWidth))\"" }
    if rx > 0 { s += " rx=\"\(Self.n(rx))\"" }
    if !extra.isEmpty { s += " " + extra }
    body.append(s + "/>")
  }

  mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                     width w: Double = 1, dash: String? = nil) {
    var s = "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(w))\""
    if let dash { s += " stroke-dasharray=\"\(dash)\"" }
    body.append(s + "/>")
  }

  mutating func polyline(_ points: [(Double, Double)], stroke: String, width w: Double = 2,
                         clip: String? = nil) {
    guard !points.isEmpty else { return }
    let pts = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
    var s = "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(w))\" stroke-linejoin=\"round\" stroke-linecap=\"round\""
    if let clip { s += " clip-path=\"url(#\(clip))\"" }
    body.append(s + "/>")
  }

  mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil,
                       strokeWidth: Double = 1) {
    var s = "<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\""
    if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"\(Self.n(strokeWidth))\"" }
    body.append(s + "/>")
  }

  enum Anchor: String { case start, middle, end }

  mutating func text(_ content: String, x: Double, y: Double, size: Double = 12,
                     anchor: Anchor = .start, fill: String = "#222222", bold: Bool = false,
                     rotate: Double? = nil, baseline: String? = nil) {
    var s = "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" \(Self.font) font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
    if bold { s += " font-weight=\"bold\"" }
    if let baseline { s += " dominant-baseline=\"\(baseline)\"" }
    if let rotate { s += " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
    body.append(s + ">" + Self.escape(content) + "</text>")
  }

  /// Approximate rendered width of `text` at `size` (average glyph ~0.6 em) for layout.
  static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.6 }

  /// Written in front of every element id and `url(#...)` reference; `render` replaces it with
  /// a prefix unique to the document, so several SVGs inline in one page (a notebook) never
  /// share an id. U+0001 cannot occur in user text (`escape` drops C0 controls).
  static let idPrefix = "\u{1}"

  /// `u` + an FNV-1a hash of the document's content: deterministic (the same chart gives the
  /// same SVG) and different for different charts.
  static func uniquePrefix(_ parts: [String]) -> String {
    var h: UInt64 = 0xcbf29ce484222325
    for p in parts {
      for b in p.utf8 { h ^= UInt64(b); h = h &* 0x100000001b3 }
      h ^= 0x0a; h = h &* 0x100000001b3
    }
    return "u" + String(h, radix: 16) + "-"
  }

  func render() -> String {
    let prefix = Self.uniquePrefix(["\(width)x\(height)"] + defs + body)
    return renderRaw().replacingOccurrences(of: Self.idPrefix, with: prefix)
  }

  private func renderRaw() -> String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(viewSize?.0 ?? width)) \(Self.n(viewSize?.1 ?? height))\">\n"
    if !defs.isEmpty { out += "<defs>\n" + defs.joined(separator: "\n") + "\n</defs>\n" }
    out += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(viewSize?.0 ?? width))\" height=\"\(Self.n(viewSize?.1 ?? height))\" fill=\"#ffffff\"/>\n"
    out += body.joined(separator: "\n")
    out += "\n</svg>\n"
    return out
  }
}
