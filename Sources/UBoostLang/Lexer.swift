// MARK: - Lexer

/// Turns source text into tokens.
///
/// Newlines end statements, except inside `(...)` and `[...]` where they are skipped, so long
/// argument lists and literals may span lines. Comments run from `#` to the end of the line.
/// String literals keep their `\(expr)` fragments as source text for the parser to parse.
///
/// ```swift
/// var lexer = Lexer(file: SourceFile(name: "x", text: "let a = 1"))
/// let tokens = lexer.scanAll()   // let, name, =, number, eof
/// ```
public struct Lexer {
  let file: SourceFile
  private let chars: [Unicode.Scalar]
  private var index = 0
  private var line: Int
  private var column: Int
  private var brackets: [TokenKind] = []
  /// True when the text ended inside an open bracket.
  public var hasOpenBrackets: Bool { !brackets.isEmpty }
  /// Errors found while scanning (at most `Parser.maxErrors`); scanning continues after each.
  public private(set) var errors: [LangError] = []
  /// Errors found beyond the cap (counted, not kept: a line of thousands of bad escapes must
  /// not produce thousands of messages).
  public private(set) var suppressedErrors = 0
  /// Interpolations currently open (`"\(" \(...) ")"`), limited like the parser's nesting.
  private var interpolationDepth = 0
  /// Set when the nesting limit was hit: the enclosing strings and interpolations, left open
  /// by skipping the rest of the line, then end without errors of their own.
  private var nestingOverflow = false

  public init(file: SourceFile) {
    self.init(file: file, text: file.text, start: Pos(line: file.firstLine, column: 1))
  }

  /// Scans `text`, a fragment of `file` starting at `start` (used for `\(...)` in strings).
  init(file: SourceFile, text: String, start: Pos) {
    self.file = file
    self.chars = Array(text.unicodeScalars)
    self.line = Int(start.line)
    self.column = Int(start.column)
  }

  // MARK: Scanning

  /// All tokens up to and including `.eof`.
  public mutating func scanAll() -> [Token] {
    var tokens: [Token] = []
    var lastEnd: Pos?
    while true {
      var t = next()
      // End of input is reported just after the last real token, not on a trailing blank line.
      if t.kind == .eof, let end = lastEnd { t.pos = end }
      if t.kind != .newline { lastEnd = Pos(line: line, column: column) }
      if t.kind == .newline, let last = tokens.last, last.kind == .newline { continue }
      tokens.append(t)
      if t.kind == .eof { return tokens }
    }
  }

  private var atEnd: Bool { index >= chars.count }
  private func peek(_ k: Int = 0) -> Unicode.Scalar? {
    index + k < chars.count ? chars[index + k] : nil
  }

  @discardableResult
  private mutating func advance() -> Unicode.Scalar {
    let c = chars[index]
    index += 1
    if c == "\n" { line += 1; column = 1 } else { column += 1 }
    return c
  }

  private mutating func match(_ c: Unicode.Scalar) -> Bool {
    if peek() == c { advance(); return true }
    return false
  }

  private var newlinesSignificant: Bool {
    guard let top = brackets.last else { return true }
    // `.string` marks an open interpolation: strings cannot span lines.
    return top == .leftBrace || top == .string
  }

  private mutating func error(_ message: String, _ pos: Pos) {
    if errors.count >= Parser.maxErrors { suppressedErrors += 1; return }
    errors.append(LangError(.syntax, message,
                            at: SourceLocation(file: file, line: Int(pos.line), column: Int(pos.column))))
  }

  mutating func next() -> Token {
    while true {
      guard let c = peek() else { return Token(kind: .eof, text: "", pos: Pos(line: line, column: column)) }
      let pos = Pos(line: line, column: column)
      switch c {
      case " ", "\t", "\r":
        advance()
      case "#":
        while let d = peek(), d != "\n" { advance() }
      case "\n":
        advance()
        if newlinesSignificant { return Token(kind: .newline, text: "\n", pos: pos) }
      case "\\":
        // A backslash at the end of a line joins it with the next.
        advance()
        while let d = peek(), d == " " || d == "\t" || d == "\r" { advance() }
        if peek() == "\n" { advance() } else { error("unexpected '\\'", pos) }
      default:
        return scanToken(c, pos)
      }
    }
  }

  private mutating func scanToken(_ c: Unicode.Scalar, _ pos: Pos) -> Token {
    if isDigit(c) { return scanNumber(pos) }
    if isIdentStart(c) { return scanIdentifier(pos) }
    if c == "\"" { return scanString(pos) }
    advance()
    func tok(_ k: TokenKind) -> Token { Token(kind: k, text: "", pos: pos) }
    switch c {
    case "(": brackets.append(.leftParen); return tok(.leftParen)
    case "[": brackets.append(.leftBracket); return tok(.leftBracket)
    case "{": brackets.append(.leftBrace); return tok(.leftBrace)
    case ")", "]", "}":
      if !brackets.isEmpty { brackets.removeLast() }
      return tok(c == ")" ? .rightParen : c == "]" ? .rightBracket : .rightBrace)
    case ",": return tok(.comma)
    case ":": return tok(.colon)
    case ";": return tok(.semicolon)
    case "@": return tok(.at)
    case ".":
      if peek() == ".", peek(1) == "<" { advance(); advance(); return tok(.dotDotLess) }
      if peek() == ".", peek(1) == "." { advance(); advance(); return tok(.dotDotDot) }
      return tok(.dot)
    case "+": return tok(match("=") ? .plusEqual : .plus)
    case "-": return tok(match("=") ? .minusEqual : .minus)
    case "*":
      if match("*") { return tok(.starStar) }
      return tok(match("=") ? .starEqual : .star)
    case "/": return tok(match("=") ? .slashEqual : .slash)
    case "%": return tok(match("=") ? .percentEqual : .percent)
    case "=":
      if match("=") { return tok(.equalEqual) }
      if match(">") { return tok(.arrow) }
      return tok(.equal)
    case "!": return tok(match("=") ? .bangEqual : .bang)
    case "<": return tok(match("=") ? .lessEqual : .less)
    case ">": return tok(match("=") ? .greaterEqual : .greater)
    case "&":
      if match("&") { return tok(.ampAmp) }
    case "|":
      if match("|") { return tok(.pipePipe) }
      if match(">") { return tok(.pipeGreater) }
    case "?":
      if match("?") { return tok(.questionQuestion) }
    default:
      break
    }
    error("unexpected character '\(c)'", pos)
    return next()
  }

  // MARK: Numbers and names

  private func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
  private func isIdentStart(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c.value > 127 && c.properties.isAlphabetic
  }
  private func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }

  private mutating func scanNumber(_ pos: Pos) -> Token {
    var text = ""
    if peek() == "0", let x = peek(1), x == "x" || x == "X" {
      advance(); advance()
      while let d = peek(), d.properties.isASCIIHexDigit || d == "_" {
        if d != "_" { text.unicodeScalars.append(d) }
        advance()
      }
      guard let v = UInt64(text, radix: 16) else {
        error("malformed hexadecimal number", pos)
        return Token(kind: .number, text: "0", number: 0, pos: pos)
      }
      return Token(kind: .number, text: "0x" + text, number: Double(v), pos: pos)
    }
    func digits() {
      while let d = peek(), isDigit(d) || d == "_" {
        if d != "_" { text.unicodeScalars.append(d) }
        advance()
      }
    }
    digits()
    // A '.' followed by a digit is a fraction; '..' starts a range operator.
    if peek() == ".", let d = peek(1), isDigit(d) {
      text.unicodeScalars.append(advance())
      digits()
    }
    if let e = peek(), e == "e" || e == "E" {
      let sign = peek(1)
      if let s = sign, isDigit(s) || ((s == "+" || s == "-") && peek(2).map(isDigit) == true) {
        text.unicodeScalars.append(advance())
        if s == "+" || s == "-" { text.unicodeScalars.append(advance()) }
        digits()
      }
    }
    guard let v = Double(text) else {
      error("malformed number '\(text)'", pos)
      return Token(kind: .number, text: text, number: 0, pos: pos)
    }
    if let c = peek(), isIdentStart(c) {
      error("a number cannot be directly followed by a name", Pos(line: line, column: column))
    }
    return Token(kind: .number, text: text, number: v, pos: pos)
  }

  private mutating func scanIdentifier(_ pos: Pos) -> Token {
    var text = ""
    while let c = peek(), isIdentPart(c) { text.unicodeScalars.append(advance()) }
    return Token(kind: TokenKind.keywords[text] ?? .identifier, text: text, pos: pos)
  }

  // MARK: Strings

  private mutating func scanString(_ pos: Pos) -> Token {
    advance()  // opening quote
    var parts: [StringPart] = []
    var text = ""
    while true {
      guard let c = peek() else {
        if !nestingOverflow { error("unterminated string", pos) }
        break
      }
      if c == "\"" { advance(); break }
      if c == "\n" {
        if !nestingOverflow { error("unterminated string (strings cannot span lines; use \\n)", pos) }
        break
      }
      if c == "\\" {
        let escPos = Pos(line: line, column: column)
        advance()
        guard let e = peek() else { continue }
        advance()
        switch e {
        case "n": text += "\n"
        case "t": text += "\t"
        case "r": text += "\r"
        case "0": text += "\0"
        case "\\": text += "\\"
        case "\"": text += "\""
        case "u":
          if let scalar = scanUnicodeEscape() { text.unicodeScalars.append(scalar) } else {
            error("malformed \\u{...} escape", escPos)
          }
        case "(":
          if !text.isEmpty { parts.append(.text(text)); text = "" }
          let codePos = Pos(line: line, column: column)
          if interpolationDepth >= Parser.maxDepth {
            error("interpolations nested too deeply (limit \(Parser.maxDepth))", escPos)
            nestingOverflow = true
            skipRestOfLine()
            return Token(kind: .string, text: "", parts: [.text("")], pos: pos)
          }
          if let code = scanInterpolation() {
            parts.append(.code(code, codePos))
          } else if !nestingOverflow {
            error("unterminated interpolation \\(...)", escPos)
          }
        default:
          error("unknown escape '\\\(e)'", escPos)
        }
        continue
      }
      text.unicodeScalars.append(advance())
    }
    if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
    if interpolationDepth == 0 { nestingOverflow = false }
    return Token(kind: .string, text: "", parts: parts, pos: pos)
  }

  private mutating func scanUnicodeEscape() -> Unicode.Scalar? {
    guard match("{") else { return nil }
    var hex = ""
    while let d = peek(), d != "}", hex.count < 8 { hex.unicodeScalars.append(advance()) }
    guard match("}"), let v = UInt32(hex, radix: 16) else { return nil }
    return Unicode.Scalar(v)
  }

  /// Tokens up to the `)` matching an already consumed `\(`; nil if the line or text ends
  /// first. The tokens are scanned here, once, so nested interpolations cost linear time.
  private mutating func scanInterpolation() -> [Token]? {
    let base = brackets.count
    brackets.append(.string)
    interpolationDepth += 1
    defer {
      interpolationDepth -= 1
      if brackets.count > base { brackets.removeLast(brackets.count - base) }
    }
    var tokens: [Token] = []
    while true {
      let saved = (index, line, column)
      let t = next()
      switch t.kind {
      case .rightParen where brackets.count == base:
        tokens.append(Token(kind: .eof, text: "", pos: t.pos))
        return tokens
      case .newline, .eof:
        // Leave the line end to the string, which reports itself unterminated.
        (index, line, column) = saved
        return nil
      default:
        // A stray `]` or `}` closed the interpolation's marker: keep it open (the parser
        // reports the stray token).
        if brackets.count == base { brackets.append(.string) }
        tokens.append(t)
      }
    }
  }

  /// Skips to the end of the line (after an error that makes the rest unreadable).
  private mutating func skipRestOfLine() {
    while let d = peek(), d != "\n" { advance() }
  }
}
