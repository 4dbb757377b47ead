// MARK: - GraphLayout
//
// Layered left-to-right layout in the Sugiyama style:
// 1. back edges of a depth-first search are set aside, so cycles are fine;
// 2. longest-path layering of the remaining (acyclic) edges;
// 3. edges spanning several layers get one dummy vertex per intermediate layer, so long edges
//    reserve their own lane instead of running through nodes;
// 4. a few barycentre sweeps order each layer to reduce crossings.

struct GraphLayout {
  /// Layer (column) of each vertex; real nodes come first, then dummies.
  var layer: [Int]
  /// Position of each vertex within its layer, 0 at the top.
  var rank: [Int]
  /// Vertices of each layer in order.
  var members: [[Int]]
  /// Number of real nodes; vertices at or after this index are dummies.
  let nodeCount: Int
  /// For each edge (by index in `GraphPicture.edges`): its vertex chain from source to target
  /// (at least two vertices), or nil for back edges and self-loops.
  var chains: [[Int]?]

  var layerCount: Int { members.count }
  func isDummy(_ v: Int) -> Bool { v >= nodeCount }

  init(_ graph: GraphPicture) {
    let n = graph.nodes.count
    nodeCount = n
    let edges = graph.indexedEdges.map { ($0.0, $0.1) }
    var successors = Array(repeating: [Int](), count: n)
    for (a, b) in edges where a != b { successors[a].append(b) }

    // 1. Back edges of an iterative DFS.
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
    let isForward = edges.map { $0.0 != $0.1 && !backEdges.contains([$0.0, $0.1]) }

    // 2. Longest-path layering in topological order (Kahn).
    var indegree = Array(repeating: 0, count: n)
    var forwardSucc = Array(repeating: [Int](), count: n)
    for (i, (a, b)) in edges.enumerated() where isForward[i] {
      indegree[b] += 1; forwardSucc[a].append(b)
    }
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

    // 3. Dummy vertices for long edges.
    var pred = Array(repeating: [Int](), count: n)
    var succ = Array(repeating: [Int](), count: n)
    var chains: [[Int]?] = Array(repeating: nil, count: edges.count)
    for (i, (a, b)) in edges.enumerated() where isForward[i] {
      var chain = [a]
      for l in (layer[a] + 1)..<max(layer[a] + 1, layer[b]) {
        let d = layer.count
        layer.append(l); pred.append([]); succ.append([])
        chain.append(d)
      }
      chain.append(b)
      for (u, v) in zip(chain, chain.dropFirst()) { succ[u].append(v); pred[v].append(u) }
      chains[i] = chain
    }

    // 4. Ordering: declaration order, then barycentre sweeps down and up.
    let layerCount = (layer.max() ?? -1) + 1
    var members = Array(repeating: [Int](), count: layerCount)
    for v in layer.indices { members[layer[v]].append(v) }
    var rank = Array(repeating: 0, count: layer.count)
    func renumber() { for m in members { for (i, v) in m.enumerated() { rank[v] = i } } }
    renumber()
    for sweep in 0..<6 where layerCount > 1 {
      let down = sweep % 2 == 0
      let order = down ? Array(1..<layerCount) : Array((0..<(layerCount - 1)).reversed())
      for l in order {
        let keyed = members[l].map { v -> (Int, Double) in
          let ns = down ? pred[v] : succ[v]
          guard !ns.isEmpty else { return (v, Double(rank[v])) }
          return (v, Double(ns.reduce(0) { $0 + rank[$1] }) / Double(ns.count))
        }
        members[l] = keyed.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : rank[$0.0] < rank[$1.0] }.map(\.0)
        renumber()
      }
    }
    self.layer = layer
    self.rank = rank
    self.members = members
    self.chains = chains
  }
}
