import Foundation

// MARK: - IO library

extension CoreLibraries {
  public static let io = BuiltinLibrary(name: "io", doc: "Files (paths relative to the working directory) and JSON.", entries: [
    B("read_file", "path: string", "The text of a file.") { a in
      let p = try a.string("path")
      do { return .string(try String(contentsOfFile: p, encoding: .utf8)) } catch {
        throw LangError(.io, "read_file(): cannot read '\(p)'")
      }
    },
    B("write_file", "path: string, text", "Writes str(text) to a file, replacing it.") { a in
      let p = try a.string("path")
      do { try (try a.value("text")).description.write(toFile: p, atomically: true, encoding: .utf8) } catch {
        throw LangError(.io, "write_file(): cannot write '\(p)'")
      }
      return .nil_
    },
    B("make_dirs", "path: string", "Creates a directory and any missing parents (nothing when it exists); returns the path.") { a in
      let p = try a.string("path")
      do { try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true) } catch {
        throw LangError(.io, "make_dirs(): cannot create the directory '\(p)'")
      }
      return .string(p)
    },
    B("append_file", "path: string, text", "Appends str(text) to a file, creating it if needed.") { a in
      let p = try a.string("path")
      let data = Data((try a.value("text")).description.utf8)
      if let h = FileHandle(forWritingAtPath: p) {
        defer { try? h.close() }
        do {
          try h.seekToEnd()
          try h.write(contentsOf: data)
        } catch { throw LangError(.io, "append_file(): cannot write '\(p)'") }
      } else if !FileManager.default.createFile(atPath: p, contents: data) {
        throw LangError(.io, "append_file(): cannot create '\(p)'")
      }
      return .nil_
    },
    B("exists", "path: string", "Whether a file or directory exists.") { a in
      .bool(FileManager.default.fileExists(atPath: try a.string("path")))
    },
    B("temp_dir", "", "A scratch directory for this session's files (created if needed; each golden script run gets its own).") { a in
      let d = a.interpreter.scratchDirectory
      do { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) } catch {
        throw LangError(.io, "temp_dir(): cannot create '\(d.path)'")
      }
      return .string(d.path)
    },
    B("parse_json", "text: string", "The value a JSON text describes (objects become records). Nesting is limited to \(maxJSONDepth) levels.") { a in
      let t = try a.string("text")
      let obj: Any
      do { obj = try JSONSerialization.jsonObject(with: Data(t.utf8), options: [.fragmentsAllowed]) } catch {
        // Foundation says why (and where) in the debug description; deeper than 512 levels is
        // one of the reasons.
        let why = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        throw LangError(.value, "parse_json(): malformed JSON" + (why.map { " (\($0))" } ?? ""))
      }
      return fromJSON(obj)
    },
    B("to_json", "x", "JSON text for numbers, strings, bools, nil, lists and records (at most \(maxJSONDepth) levels deep, as parse_json reads).") { a in
      .string(try toJSON(try a.value("x"), depth: 0))
    },
  ])

  /// The deepest JSON Foundation's parser reads (it refuses more with a message).
  static let maxJSONDepth = 512

  /// Converts what `JSONSerialization` returned (at most `maxJSONDepth` deep, so recursion is
  /// bounded).
  static func fromJSON(_ o: Any) -> Value {
    switch o {
    case let b as Bool where !(o is Int) && !(o is Double):
      return .bool(b)
    case let n as NSNumber:
      // Booleans arrive as NSNumber with objCType "c".
      if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
      // Linux Foundation parses fractions as NSDecimalNumber, whose doubleValue drops the last
      // digits (2.3736376762390137 -> 2.373637676239013); its decimal text converts exactly.
      if n is NSDecimalNumber, let d = Double(n.description) { return .number(d) }
      return .number(n.doubleValue)
    case let s as String: return .string(s)
    case let xs as [Any]: return .list(xs.map { fromJSON($0) })
    case let d as [String: Any]:
      return .record(d.keys.sorted().map { ($0, fromJSON(d[$0] ?? NSNull())) })
    default: return .nil_
    }
  }

  static func toJSON(_ v: Value, depth: Int) throws -> String {
    guard depth < maxJSONDepth else { throw LangError(.limit, "to_json(): value nested more than \(maxJSONDepth) levels deep (or cyclic)") }
    switch v {
    case .nil_: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let d):
      guard d.isFinite else { throw LangError(.value, "to_json(): \(Value.formatNumber(d)) has no JSON form") }
      return Value.formatNumber(d)
    case .string(let s): return Value.quote(s)
    case .list(let l): return "[" + (try l.items.map { try toJSON($0, depth: depth + 1) }).joined(separator: ", ") + "]"
    case .range(let r): return "[" + (try r.materialize()).map { Value.formatNumber($0.asNumber ?? 0) }.joined(separator: ", ") + "]"
    case .record(let r):
      return "{" + (try r.fields.map { "\(Value.quote($0.0)): \(try toJSON($0.1, depth: depth + 1))" }).joined(separator: ", ") + "}"
    case .function, .builtin, .object:
      throw LangError(.type, "to_json(): \(v.typeName) has no JSON form")
    }
  }
}
