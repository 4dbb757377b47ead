import UBoostTensor

// MARK: - Printing tensors
//
// Small tensors print all values as nested lists, `tensor([[1, 2], [3, 4]])`; tensors with more
// than `threshold` elements show the first and last `edge` entries of every axis with `...`
// and their shape. Trainable leaves say so.

enum TensorFormat {
  static let threshold = 200
  static let edge = 3

  static func describe(_ t: Tensor, width: Int) -> String {
    let summarize = t.count > threshold
    var body = ""
    if t.shape.isEmpty {
      body = TensorConvert.format(t.data.first ?? 0)
    } else {
      body = render(t, dim: 0, offset: 0, summarize: summarize, indent: 8)
    }
    var extras: [String] = []
    if summarize || t.shape.contains(0) { extras.append("shape: [\(t.shape.map(String.init).joined(separator: ", "))]") }
    if t.requiresGrad && t.isLeaf { extras.append("requires_grad: true") }
    return "tensor(" + body + (extras.isEmpty ? "" : ", " + extras.joined(separator: ", ")) + ")"
  }

  private static func render(_ t: Tensor, dim: Int, offset: Int, summarize: Bool, indent: Int) -> String {
    let n = t.shape[dim]
    let stride = t.shape[(dim + 1)...].reduce(1, *)
    var idx: [Int?] = []
    if summarize && n > 2 * edge {
      idx = (0..<edge).map { $0 } + [nil] + ((n - edge)..<n).map { $0 }
    } else {
      idx = (0..<n).map { $0 }
    }
    if dim == t.rank - 1 {
      let parts = idx.map { i in i.map { TensorConvert.format(t.data[offset + $0]) } ?? "..." }
      return "[" + parts.joined(separator: ", ") + "]"
    }
    let sep = "," + String(repeating: "\n", count: max(1, t.rank - dim - 1)) + String(repeating: " ", count: indent + dim)
    let parts = idx.map { i -> String in
      guard let i = i else { return "..." }
      return render(t, dim: dim + 1, offset: offset + i * stride, summarize: summarize, indent: indent)
    }
    return "[" + parts.joined(separator: sep) + "]"
  }
}
