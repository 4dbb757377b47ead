// MARK: - GraphLayout
//
// Layered left-to-right layout: longest-path layering over the graph with back edges of a DFS
// removed (so cycles are fine), then a few barycentre sweeps to reduce crossings.

struct GraphLayout {
  /// Layer (column) of each node.
  var layer: [Int]
  /// Position of each node within its layer, 0 at the top.
  var rank: [Int]
  var layerCount: Int

  init(_ graph: GraphPicture) {
    let n = graph.nodes.count
    let edges = graph.indexedEdges.map { ($0.0, $0.1) }.filter { $0.0 != $0.1 }
    var successors = Array(repeating: [Int](), count: n)
    for (a, b) in edges { successors[a].append(b) }

    // Forward edges = edges that are not back edges of an iterative DFS.
    var state = Array(repeating: 0, count: n)   // 0 new, 1 on stack, 2 done
    var backEdges = Set<[Int]>()
    for root in 0..<n where state[root] == 0 {
      var stack: [(Int, Int)] = [(root, 0)]
      state[root] = 1
      while let (node, next) = stack.last {
        if next < successors[node].count {
          stack[stack.count - 1].1 += 1
          let s = successors[node][next]
          if state[s] == 1 { backEdges.insert([node, s]) }
          else if state[s] == 0 { state[s] = 1; stack.append((s, 0)) }
        } else {
          state[node] = 2
          stack.removeLast()
        }
      }
    }
    let forward = edges.filter { !backEdges.contains([$0.0, $0.1]) }

    // Longest path layering in topological order (Kahn).
    var indegree = Array(repeating: 0, count: n)
    var forwardSucc = Array(repeating: [Int](), count: n)
    var forwardPred = Array(repeating: [Int](), count: n)
    for (a, b) in forward { indegree[b] += 1; forwardSucc[a].append(b); forwardPred[b].append(a) }
    var layer = Array(repeating: 0, count: n)
    var queue = (0..<n).filter { indegree[$0] == 0 }
    var head = 0
    while head < queue.count {
      let v = queue[head]; head += 1
      for s in forwardSucc[v] {
        layer[s] = max(layer[s], layer[v] + 1)
        indegree[s] -= 1
        if indegree[s] == 0 { queue.append(s) }
      }
    }
    let layerCount = (layer.max() ?? -1) + 1

    // Initial order: declaration order; then barycentre sweeps.
    var members = Array(repeating: [Int](), count: layerCount)
    for v in 0..<n { members[layer[v]].append(v) }
    var rank = Array(repeating: 0, count: n)
    func renumber() { for m in members { for (i, v) in m.enumerated() { rank[v] = i } } }
    renumber()
    for sweep in 0..<4 {
      let down = sweep % 2 == 0
      let layers = down ? Array(1..<max(1, layerCount)) : Array((0..<max(0, layerCount - 1)).reversed())
      for l in layers {
        let neighbours = down ? forwardPred : forwardSucc
        let keyed = members[l].map { v -> (Int, Double) in
          let ns = neighbours[v]
          guard !ns.isEmpty else { return (v, Double(rank[v])) }
          return (v, Double(ns.map { rank[$0] }.reduce(0, +)) / Double(ns.count))
        }
        members[l] = keyed.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : rank[$0.0] < rank[$1.0] }.map(\.0)
        renumber()
      }
    }
    self.layer = layer
    self.rank = rank
    self.layerCount = layerCount
  }
}
