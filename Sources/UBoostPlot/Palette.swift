// MARK: - RGB

/// A colour with 8-bit channels, used by SVG output and 256-colour terminal output.
public struct RGB: Equatable, Sendable {
  /// Red channel.
  public var r: UInt8
  /// Green channel.
  public var g: UInt8
  /// Blue channel.
  public var b: UInt8

  /// Creates a colour from 8-bit channels.
  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }

  /// `#rrggbb` text for SVG.
  public var hex: String {
    let digits = Array("0123456789abcdef")
    var text = "#"
    for channel in [r, g, b] {
      text.append(digits[Int(channel >> 4)])
      text.append(digits[Int(channel & 15)])
    }
    return text
  }

  /// Index into the xterm 256-colour 6x6x6 cube closest to this colour.
  var ansi256: Int {
    func level(_ c: UInt8) -> Int { Int((Double(c) / 255 * 5).rounded()) }
    return 16 + 36 * level(r) + 6 * level(g) + level(b)
  }

  /// Relative luminance in [0, 1]; used to choose dark or light text on a filled cell.
  var luminance: Double { (0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)) / 255 }

  static func mix(_ a: RGB, _ b: RGB, _ t: Double) -> RGB {
    let u = Swift.max(0, Swift.min(1, t))
    func ch(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + (Double(y) - Double(x)) * u).rounded()) }
    return RGB(ch(a.r, b.r), ch(a.g, b.g), ch(a.b, b.b))
  }
}

// MARK: - Series palette

/// The colours given to series in order: an SVG colour and a basic ANSI foreground code.
enum SeriesPalette {
  static let rgb: [RGB] = [
    RGB(31, 106, 181),   // blue
    RGB(222, 96, 20),    // orange
    RGB(38, 145, 66),    // green
    RGB(200, 40, 50),    // red
    RGB(128, 84, 176),   // purple
    RGB(22, 160, 170),   // teal
    RGB(190, 70, 150),   // pink
    RGB(120, 120, 120),  // grey
  ]
  /// SGR foreground codes matched to `rgb` as closely as 16-colour terminals allow.
  static let ansi: [Int] = [34, 33, 32, 31, 35, 36, 95, 90]

  static func color(_ index: Int) -> RGB { rgb[((index % rgb.count) + rgb.count) % rgb.count] }
  static func ansiCode(_ index: Int) -> Int { ansi[((index % ansi.count) + ansi.count) % ansi.count] }
}

// MARK: - ColorScale

/// A continuous colour scale for heat maps.
///
/// ```swift
/// let hm = try Heatmap(matrix: [[0, 1]], scale: .diverging)
/// ```
public enum ColorScale: Equatable, Sendable {
  /// Dark purple through teal to yellow; perceptually ordered, good for probabilities.
  case sequential
  /// White to dark blue.
  case blues
  /// Blue through white to red; centred on the middle of the range.
  case diverging

  var anchors: [RGB] {
    switch self {
    case .sequential:
      return [RGB(68, 1, 84), RGB(59, 82, 139), RGB(33, 145, 140), RGB(94, 201, 98), RGB(253, 231, 37)]
    case .blues:
      return [RGB(247, 251, 255), RGB(158, 202, 225), RGB(49, 130, 189), RGB(8, 48, 107)]
    case .diverging:
      return [RGB(33, 102, 172), RGB(146, 197, 222), RGB(247, 247, 247), RGB(244, 165, 130), RGB(178, 24, 43)]
    }
  }

  /// Colour at position `t` in [0, 1] (clamped).
  public func color(at t: Double) -> RGB {
    let stops = anchors
    guard stops.count > 1, t.isFinite else { return stops.first ?? RGB(0, 0, 0) }
    let u = Swift.max(0, Swift.min(1, t)) * Double(stops.count - 1)
    let i = Swift.min(Int(u), stops.count - 2)
    return RGB.mix(stops[i], stops[i + 1], u - Double(i))
  }
}
