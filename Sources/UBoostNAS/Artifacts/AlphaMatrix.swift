import Foundation
import UBoostTensor

// MARK: - The alphas as one matrix

/// A supernet's architecture parameters as one matrix of softmax rows: a micro supernet's
/// edges x ops, a channel supernet's searched convs x widths (shorter rows padded with zeros).
/// A search records it after every epoch (`EpochStats.alphas`), so the checkpoint and the
/// stats file keep the alpha history of the epochs a resumed search does not run again.
///
/// ```swift
/// let m = AlphaMatrix(net)
/// print(m.rowLabels[0], m.rows[0])   // "xp_t1" [0.2, 0.2, ...]
/// ```
public struct AlphaMatrix: Equatable {
  /// Edge names (micro) or `midstageN/conv` names (channel); empty for a final network.
  public var rowLabels: [String]
  /// Op names (micro) or widths (channel, when every searched conv has the same choices).
  public var columnLabels: [String]?
  public var rows: [[Float]]

  public init(_ net: Supernet) {
    switch net.stage {
    case .micro:
      let alphas = net.alphas
      let cols = alphas.first?.count ?? 0
      rows = alphas.map { a in
        let m = a.data.max() ?? 0
        let e = a.data.map { Foundation.exp($0 - m) }
        let z = e.reduce(0, +)
        let row = e.map { $0 / z }
        return Array((row + [Float](repeating: 0, count: Swift.max(0, cols - row.count))).prefix(cols))
      }
      rowLabels = alphas.map { $0.name ?? "" }
      columnLabels = net.space.ops.map(\.rawValue)
    case .channel:
      let blocks = ArchState(net).blocks.compactMap { k, e in e.channelAlphas.map { (k, $0) } }.sorted { $0.0 < $1.0 }
      let cols = blocks.map(\.1.count).max() ?? 0
      rows = blocks.map { _, a in
        let m = a.max() ?? 0
        let e = a.map { Foundation.exp($0 - m) }
        let z = e.reduce(0, +)
        return e.map { Float($0 / z) } + [Float](repeating: 0, count: cols - a.count)
      }
      rowLabels = blocks.map(\.0)
      let widths = net.space.channels.widths
      columnLabels = widths.count == cols ? widths.map(String.init) : nil
    case .final:
      rows = []; rowLabels = []; columnLabels = nil
    }
  }
}
