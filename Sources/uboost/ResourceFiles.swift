import Foundation

// MARK: - Locating the repository's data files

/// Finds files of the repository's `data/` folder from the installed binary, whatever the cwd:
/// `$UBOOST_DATA`, then `data/` beside or above the binary (a SwiftPM build lives in
/// `.build/<triple>/<config>/`), then `<bin>/../share/uboost/data`, then `./data`.
enum ResourceFiles {
  static func path(_ name: String) -> String? {
    let fm = FileManager.default
    var dirs: [URL] = []
    if let env = ProcessInfo.processInfo.environment["UBOOST_DATA"] { dirs.append(URL(fileURLWithPath: env)) }
    let bin = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
    var up = bin
    for _ in 0..<5 {
      dirs.append(up.appendingPathComponent("data"))
      up = up.deletingLastPathComponent()
    }
    dirs.append(bin.appendingPathComponent("../share/uboost/data"))
    dirs.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("data"))
    for d in dirs {
      let p = d.appendingPathComponent(name).standardizedFileURL.path
      if fm.fileExists(atPath: p) { return p }
    }
    return nil
  }
}

extension ResourceFiles {
  /// The PyTorch baseline `shared/bench/torch_supernet.py` beside the repository (or
  /// `$UBOOST_TORCH_BENCH`), or nil.
  static func torchBench() -> String? {
    let fm = FileManager.default
    if let env = ProcessInfo.processInfo.environment["UBOOST_TORCH_BENCH"], fm.fileExists(atPath: env) { return env }
    var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<7 {
      let p = dir.appendingPathComponent("shared/bench/torch_supernet.py").path
      if fm.fileExists(atPath: p) { return p }
      dir = dir.deletingLastPathComponent()
    }
    return nil
  }
}
