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
  /// The library's host objects' versions of functions the language already names (`sum`,
  /// `mean`, `exp` for tensors): documented here and in `:help`, never defined as globals.
  /// A call reaches them only through the dispatch rule (`HostObject.overload`).
  public var overloads: [BuiltinFunction]
  /// What the overloads' receivers are, for the documentation (e.g. "a tensor").
  public var overloadReceiver: String
  public init(name: String, doc: String = "", entries: [BuiltinFunction], constants: [BuiltinConstant] = [],
              overloads: [BuiltinFunction] = [], overloadReceiver: String = "a host object") {
    self.name = name
    self.doc = doc
    self.entries = entries
    self.constants = constants
    self.overloads = overloads
    self.overloadReceiver = overloadReceiver
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
  private var overloadsByName: [String: [(library: BuiltinLibrary, function: BuiltinFunction)]] = [:]

  public init() {}

  public func register(_ library: BuiltinLibrary) {
    libraries.append(library)
    for f in library.overloads where !(overloadsByName[f.name] ?? []).contains(where: { $0.function === f }) {
      overloadsByName[f.name, default: []].append((library, f))
    }
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
  /// The overloads of `name` (with the receiver they take) are listed after it.
  public func help(_ name: String) -> String? {
    let base: String
    if let f = byName[name] {
      base = "\(f.signature)\n  \(f.doc)\n  (library: \(owner[name] ?? "?"))"
    } else if let c = constantsByName[name] {
      base = "\(c.name) = \(c.value.repr)\n  \(c.doc)"
    } else {
      return nil
    }
    return overloadHelp(name).map { base + "\n" + $0 } ?? base
  }

  /// The overloads host objects supply for `name`, one paragraph each, or nil.
  public func overloadHelp(_ name: String) -> String? {
    guard let list = overloadsByName[name] else { return nil }
    return list.map { lib, f in
      "\(f.signature)  [when \(lib.overloadReceiver) is the first object argument]\n  \(f.doc)\n  (library: \(lib.name))"
    }.joined(separator: "\n")
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
      if !lib.overloads.isEmpty {
        out += "\nWith \(lib.overloadReceiver) as the first object argument, these names run the \(lib.name) library's version "
        out += "(the one overloading rule: the receiver decides; every other call keeps the language's meaning):\n\n"
        out += "| function | description |\n|---|---|\n"
        for f in lib.overloads.sorted(by: { $0.name < $1.name }) {
          out += "| `\(f.signature.replacingBars)` | \(f.doc.replacingBars) |\n"
        }
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
