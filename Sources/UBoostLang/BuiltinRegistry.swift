// MARK: - Builtin libraries and the registry

/// A named constant a library provides (e.g. `pi`).
public struct BuiltinConstant {
  public var name: String
  public var value: Value
  public var doc: String
  public init(_ name: String, _ value: Value, _ doc: String) {
    self.name = name
    self.value = value
    self.doc = doc
  }
}

/// One domain's builtins, declared as a single table.
///
/// ```swift
/// let lib = BuiltinLibrary(name: "demo", doc: "Examples.", entries: [
///   BuiltinFunction("twice", "x: number", "Doubles x.") { .number(2 * (try $0.number("x"))) },
/// ])
/// interpreter.register(lib)
/// ```
public struct BuiltinLibrary {
  public var name: String
  public var doc: String
  public var entries: [BuiltinFunction]
  public var constants: [BuiltinConstant]
  public init(name: String, doc: String = "", entries: [BuiltinFunction], constants: [BuiltinConstant] = []) {
    self.name = name
    self.doc = doc
    self.entries = entries
    self.constants = constants
  }
}

/// All registered libraries. Registering a name again replaces the earlier entry (later
/// registration wins), so an engine layer can override a core builtin; `previous` hands out the
/// replaced one for chaining.
public final class BuiltinRegistry {
  public private(set) var libraries: [BuiltinLibrary] = []
  private var byName: [String: BuiltinFunction] = [:]
  private var constantsByName: [String: BuiltinConstant] = [:]
  private var owner: [String: String] = [:]
  private var replaced: [String: BuiltinFunction] = [:]

  public init() {}

  public func register(_ library: BuiltinLibrary) {
    libraries.append(library)
    for f in library.entries {
      if let old = byName[f.name] { replaced[f.name] = old }
      byName[f.name] = f
      owner[f.name] = library.name
    }
    for c in library.constants {
      constantsByName[c.name] = c
      owner[c.name] = library.name
    }
  }

  /// The current builtin called `name`.
  public func function(_ name: String) -> BuiltinFunction? { byName[name] }

  /// The builtin that `name` replaced when it was re-registered.
  public func previous(_ name: String) -> BuiltinFunction? { replaced[name] }

  /// Current entries sorted by name.
  public var allEntries: [BuiltinFunction] { byName.values.sorted { $0.name < $1.name } }
  public var allConstants: [BuiltinConstant] { constantsByName.values.sorted { $0.name < $1.name } }

  /// `signature — doc` for a builtin or constant, or nil.
  public func help(_ name: String) -> String? {
    if let f = byName[name] {
      return "\(f.signature)\n  \(f.doc)\n  (library: \(owner[name] ?? "?"))"
    }
    if let c = constantsByName[name] {
      return "\(c.name) = \(c.value.repr)\n  \(c.doc)"
    }
    return nil
  }

  /// Markdown reference of all libraries (generates docs/builtins.md).
  public func markdown() -> String {
    var out = "# uboost builtins\n\nGenerated from the builtin registry.\n"
    for lib in libraries {
      out += "\n## \(lib.name)\n\n"
      if !lib.doc.isEmpty { out += lib.doc + "\n\n" }
      out += "| function | description |\n|---|---|\n"
      for f in lib.entries.sorted(by: { $0.name < $1.name }) where byName[f.name] === f {
        out += "| `\(f.signature.replacingBars)` | \(f.doc.replacingBars) |\n"
      }
      for c in lib.constants {
        out += "| `\(c.name)` | \(c.doc.replacingBars) |\n"
      }
    }
    return out
  }
}

extension String {
  fileprivate var replacingBars: String {
    var out = ""
    for c in self { if c == "|" { out += "\\|" } else { out.append(c) } }
    return out
  }
}
