// MARK: - Parser

/// A Pratt parser producing statements. Syntax errors are collected; after each one the parser
/// skips to the next statement boundary (synchronizes) so one run reports several errors.
///
/// ```swift
/// let file = SourceFile(name: "x", text: "let a = 1 + 2")
/// let result = Parser.parse(file)   // result.statements, result.errors
/// ```
public struct Parser {
  public struct Result {
    public var statements: [Stmt]
    public var errors: [LangError]
    /// True when some error was found at the end of input (the REPL then asks for more lines).
    public var hitEOF: Bool
    /// True when the lexer ended with open brackets or an unterminated string.
    public var unbalanced: Bool
    /// True when the parser met an error before the end of input: no further lines can
    /// complete this text (the REPL then reports it instead of waiting for more).
    public var errorBeforeEnd = false
  }

  private let file: SourceFile
  private var tokens: [Token]
  private var current = 0
  private var errors: [LangError] = []
  private var hitEOF = false
  private var errorBeforeEnd = false
  private var depth = 0
  static let maxDepth = 200
  static let maxErrors = 20
  static let maxChain = 10_000

  /// Parses a whole file.
  public static func parse(_ file: SourceFile) -> Result {
    var lexer = Lexer(file: file)
    let tokens = lexer.scanAll()
    var parser = Parser(file: file, tokens: tokens)
    let stmts = parser.parseProgram()
    let unbalanced = lexer.hasOpenBrackets || lexer.errors.contains { $0.message.hasPrefix("unterminated") }
    var all = lexer.errors + parser.errors
    all.sort { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) }
    let dropped = max(0, all.count - maxErrors) + lexer.suppressedErrors
    if all.count > maxErrors { all.removeLast(all.count - maxErrors) }
    if dropped > 0, let last = all.last {
      all.append(LangError(.syntax, "too many errors: \(dropped) more not shown", at: last.location))
    }
    // Strings cannot span lines: one left open on an earlier line cannot be closed later.
    let lastLine = file.firstLine + file.text.utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
    let openStringBefore = lexer.errors.contains {
      $0.message.hasPrefix("unterminated string") && ($0.location?.line ?? lastLine) < lastLine
    }
    return Result(statements: stmts, errors: all, hitEOF: parser.hitEOF, unbalanced: unbalanced,
                  errorBeforeEnd: parser.errorBeforeEnd || openStringBefore)
  }

  init(file: SourceFile, tokens: [Token]) {
    self.file = file
    self.tokens = tokens
  }

  // MARK: Token helpers

  private var peek: Token { tokens[current] }
  private var peekKind: TokenKind { tokens[current].kind }
  private func peekKind(_ k: Int) -> TokenKind {
    current + k < tokens.count ? tokens[current + k].kind : .eof
  }
  private var atEnd: Bool { peekKind == .eof }

  @discardableResult
  private mutating func advance() -> Token {
    let t = tokens[current]
    if t.kind != .eof { current += 1 }
    return t
  }

  private mutating func match(_ k: TokenKind) -> Bool {
    if peekKind == k { advance(); return true }
    return false
  }

  private mutating func skipNewlines() {
    while peekKind == .newline { advance() }
  }

  private mutating func expect(_ k: TokenKind, _ context: String) throws -> Token {
    if peekKind == k { return advance() }
    throw failure("expected \(k) \(context), found \(peekKind)")
  }

  private mutating func failure(_ message: String, at token: Token? = nil) -> LangError {
    let t = token ?? peek
    if t.kind == .eof { hitEOF = true } else { errorBeforeEnd = true }
    return LangError(.syntax, message, at: location(t.pos))
  }

  private func location(_ p: Pos) -> SourceLocation {
    SourceLocation(file: file, line: Int(p.line), column: Int(p.column))
  }

  // MARK: Statements

  mutating func parseProgram() -> [Stmt] {
    var stmts: [Stmt] = []
    skipNewlines()
    while !atEnd {
      if let s = statementRecovering() { stmts.append(s) }
      if errors.count >= Parser.maxErrors { break }
      skipNewlines()
    }
    return stmts
  }

  /// Parses one statement; on error records it and skips to the next statement boundary.
  private mutating func statementRecovering() -> Stmt? {
    do {
      let s = try statement()
      try endOfStatement()
      return s
    } catch let e as LangError {
      errors.append(e)
      synchronize()
      return nil
    } catch {
      return nil
    }
  }

  private mutating func endOfStatement() throws {
    switch peekKind {
    case .newline, .semicolon: advance()
    case .rightBrace, .eof: break
    default: throw failure("expected end of statement, found \(peekKind)")
    }
  }

  private mutating func synchronize() {
    depth = 0
    while !atEnd {
      switch peekKind {
      case .newline, .semicolon:
        advance()
        return
      case .rightBrace:
        return
      case .kwLet, .kwVar, .kwFn, .kwFor, .kwWhile, .kwReturn, .kwImport:
        return
      default:
        advance()
      }
    }
  }

  private mutating func statement() throws -> Stmt {
    let t = peek
    switch t.kind {
    case .kwLet, .kwVar:
      advance()
      let pattern = try parsePattern()
      _ = try expect(.equal, "after the name in '\(t.kind == .kwLet ? "let" : "var")'")
      skipNewlines()
      let value = try expression()
      return .binding(pattern, value, mutable: t.kind == .kwVar, t.pos)
    case .kwFn where peekKind(1) == .identifier:
      advance()
      return .function(try functionRest(pos: t.pos, named: true))
    case .kwFor:
      advance()
      let pattern = try parsePattern()
      _ = try expect(.kwIn, "after the loop variable")
      let seq = try expression()
      let body = try block("for the loop body")
      return .forIn(pattern, seq, body, t.pos)
    case .kwWhile:
      advance()
      let cond = try expression()
      let body = try block("for the loop body")
      return .whileLoop(cond, body, t.pos)
    case .kwBreak:
      advance()
      return .breakLoop(t.pos)
    case .kwContinue:
      advance()
      return .continueLoop(t.pos)
    case .kwReturn:
      advance()
      switch peekKind {
      case .newline, .semicolon, .rightBrace, .eof: return .returnValue(nil, t.pos)
      default: return .returnValue(try expression(), t.pos)
      }
    case .kwThrow:
      advance()
      return .throwValue(try expression(), t.pos)
    case .kwImport:
      advance()
      let s = try expect(.string, "after 'import'")
      var path = ""
      for part in s.parts {
        switch part {
        case .text(let x): path += x
        case .code: throw failure("an import path cannot contain interpolation", at: s)
        }
      }
      return .importFile(path, t.pos)
    default:
      let target = try expression()
      if peekKind == .equal || Precedence.compoundAssign[peekKind] != nil {
        let opTok = advance()
        switch target {
        case .variable, .field, .index, .slice, .multiIndex: break
        default: throw failure("cannot assign to this expression", at: opTok)
        }
        skipNewlines()
        let value = try expression()
        return .assign(target, Precedence.compoundAssign[opTok.kind], value, opTok.pos)
      }
      // `a, b, c` as a statement is the list [a, b, c] (the REPL shows all values).
      if peekKind == .comma {
        var items = [target]
        while match(.comma) { items.append(try expression()) }
        return .expression(.list(items, target.pos))
      }
      return .expression(target)
    }
  }

  private mutating func parsePattern() throws -> Pattern {
    try enter()
    defer { depth -= 1 }
    let t = peek
    if match(.leftParen) {
      var items: [Pattern] = []
      repeat {
        if peekKind == .rightParen { break }
        items.append(try parsePattern())
      } while match(.comma)
      _ = try expect(.rightParen, "to close the tuple pattern")
      return .tuple(items, t.pos)
    }
    let name = try expect(.identifier, "as a variable name")
    return .name(name.text, name.pos)
  }

  /// `{ statements }`
  private mutating func block(_ context: String) throws -> [Stmt] {
    _ = try expect(.leftBrace, context)
    try enter()
    defer { depth -= 1 }
    var stmts: [Stmt] = []
    skipNewlines()
    while peekKind != .rightBrace {
      if atEnd { throw failure("expected '}' to close the block") }
      if let s = statementRecovering() { stmts.append(s) }
      if errors.count >= Parser.maxErrors { throw failure("too many errors") }
      skipNewlines()
    }
    advance()
    return stmts
  }

  private mutating func enter() throws {
    depth += 1
    if depth > Parser.maxDepth { throw failure("code is nested too deeply (limit \(Parser.maxDepth))") }
  }

  // MARK: Functions

  /// After `fn`: optional name, parameters, then `= expr`, `=> expr` or a block.
  private mutating func functionRest(pos: Pos, named: Bool) throws -> FunctionDecl {
    var name: String?
    if named || peekKind == .identifier {
      name = try expect(.identifier, "as the function name").text
    }
    _ = try expect(.leftParen, "to start the parameter list")
    var params: [Parameter] = []
    var seen = Set<String>()
    while peekKind != .rightParen {
      let p = try expect(.identifier, "as a parameter name")
      if seen.contains(p.text) { throw failure("duplicate parameter '\(p.text)'", at: p) }
      seen.insert(p.text)
      var def: Expr?
      if match(.colon) || match(.equal) {
        def = try expression()
      } else if params.last?.defaultValue != nil {
        throw failure("parameter '\(p.text)' needs a default because an earlier one has one", at: p)
      }
      params.append(Parameter(name: p.text, defaultValue: def, pos: p.pos))
      if !match(.comma) { break }
    }
    _ = try expect(.rightParen, "to close the parameter list")
    if match(.equal) || match(.arrow) {
      skipNewlines()
      return FunctionDecl(name: name, params: params, body: .expression(try expression()), pos: pos)
    }
    if peekKind == .leftBrace {
      return FunctionDecl(name: name, params: params, body: .block(try block("")), pos: pos)
    }
    throw failure("expected '=', '=>' or '{' for the function body, found \(peekKind)")
  }

  // MARK: Expressions (Pratt)

  mutating func expression() throws -> Expr {
    try parse(.pipe)
  }

  private mutating func parse(_ minPrec: Precedence) throws -> Expr {
    try enter()
    defer { depth -= 1 }
    var left = try prefix()
    var operators = 0
    while true {
      // Left-associative chains build deep trees; bound them so later passes stay shallow.
      operators += 1
      if operators > Parser.maxChain { throw failure("expression is too long (more than \(Parser.maxChain) operators in a row)") }
      // A line starting with `|>`, `.`, `&&`, `||` or `??` continues the expression.
      if peekKind == .newline {
        var k = current
        while k < tokens.count, tokens[k].kind == .newline { k += 1 }
        if k < tokens.count, Precedence.continuesLine.contains(tokens[k].kind),
           let p = Precedence.infix[tokens[k].kind], p >= minPrec {
          current = k
        } else {
          break
        }
      }
      guard let prec = Precedence.infix[peekKind], prec >= minPrec else { break }
      left = try infix(left, prec)
    }
    return left
  }

  private mutating func prefix() throws -> Expr {
    let t = advance()
    switch t.kind {
    case .number: return .number(t.number, t.pos)
    case .string: return try stringLiteral(t)
    case .kwTrue: return .bool(true, t.pos)
    case .kwFalse: return .bool(false, t.pos)
    case .kwNil: return .nil_(t.pos)
    case .identifier: return .variable(t.text, t.pos)
    case .minus: return .unary(.neg, try parse(.unary), t.pos)
    case .plus: return try parse(.unary)
    case .bang, .kwNot: return .unary(.not, try parse(.unary), t.pos)
    case .leftParen:
      let e = try expression()
      _ = try expect(.rightParen, "to close '('")
      return e
    case .leftBracket:
      var items: [Expr] = []
      while peekKind != .rightBracket {
        items.append(try expression())
        if !match(.comma) { break }
      }
      _ = try expect(.rightBracket, "to close the list")
      return .list(items, t.pos)
    case .leftBrace:
      return try recordLiteral(t)
    case .kwFn:
      return .function(try functionRest(pos: t.pos, named: false))
    case .kwIf:
      return try ifRest(t)
    case .kwTry:
      let body = try block("after 'try'")
      skipNewlinesBefore(.kwCatch)
      _ = try expect(.kwCatch, "after the try block")
      var name: String?
      if peekKind == .identifier { name = advance().text }
      let handler = try block("for the catch block")
      return .tryCatch(body, name, handler, t.pos)
    default:
      throw failure("expected an expression, found \(t.kind)", at: t)
    }
  }

  private mutating func skipNewlinesBefore(_ k: TokenKind) {
    var i = current
    while i < tokens.count, tokens[i].kind == .newline { i += 1 }
    if i < tokens.count, tokens[i].kind == k { current = i }
  }

  private mutating func ifRest(_ t: Token) throws -> Expr {
    try enter()  // `else if` chains recurse here
    defer { depth -= 1 }
    let cond = try expression()
    let then = try block("after the if condition")
    skipNewlinesBefore(.kwElse)
    guard match(.kwElse) else { return .ifElse(cond, then, nil, t.pos) }
    if peekKind == .kwIf {
      let elseIf = advance()
      return .ifElse(cond, then, [.expression(try ifRest(elseIf))], t.pos)
    }
    return .ifElse(cond, then, try block("after 'else'"), t.pos)
  }

  private mutating func recordLiteral(_ t: Token) throws -> Expr {
    var fields: [(String, Expr)] = []
    var seen = Set<String>()
    skipNewlines()
    while peekKind != .rightBrace {
      let k = advance()
      var key: String
      switch k.kind {
      case .identifier: key = k.text
      case .string:
        key = ""
        for part in k.parts {
          if case .text(let s) = part { key += s } else { throw failure("record keys cannot be interpolated", at: k) }
        }
      default:
        if TokenKind.keywords[k.text] != nil { key = k.text } else {
          throw failure("expected a field name in the record, found \(k.kind)", at: k)
        }
      }
      if seen.contains(key) { throw failure("duplicate field '\(key)' in record", at: k) }
      seen.insert(key)
      if match(.colon) {
        skipNewlines()
        fields.append((key, try expression()))
      } else if k.kind == .identifier {
        fields.append((key, .variable(key, k.pos)))  // shorthand {a} means {a: a}
      } else {
        throw failure("expected ':' after the field name", at: peek)
      }
      skipNewlines()
      if !match(.comma) { break }
      skipNewlines()
    }
    skipNewlines()
    _ = try expect(.rightBrace, "to close the record")
    return .record(fields, t.pos)
  }

  private mutating func infix(_ left: Expr, _ prec: Precedence) throws -> Expr {
    let t = advance()
    switch t.kind {
    case .leftParen:
      return .call(left, try arguments(), left.pos)
    case .leftBracket:
      // One item keeps the classic forms (`x[i]`, `x[a:b]`); two or more, separated by commas,
      // make a multi-index `x[i, a:b, :]` whose meaning the indexed value decides.
      var items: [IndexItemExpr] = []
      repeat {
        var lo: Expr?
        if peekKind != .colon { lo = try expression() }
        if match(.colon) {
          var hi: Expr?
          if peekKind != .rightBracket && peekKind != .comma { hi = try expression() }
          items.append(.slice(lo, hi))
        } else {
          guard let index = lo else { throw failure("expected an index") }
          items.append(.at(index))
        }
      } while match(.comma)
      _ = try expect(.rightBracket, items.count == 1 ? "to close the index" : "to close the indexes")
      if items.count == 1 {
        switch items[0] {
        case .at(let i): return .index(left, i, t.pos)
        case .slice(let lo, let hi): return .slice(left, lo, hi, t.pos)
        }
      }
      return .multiIndex(left, items, t.pos)
    case .dot:
      let name = advance()
      guard name.kind == .identifier || TokenKind.keywords[name.text] != nil else {
        throw failure("expected a field name after '.', found \(name.kind)", at: name)
      }
      return .field(left, name.text, name.pos)
    case .pipeGreater:
      skipNewlines()
      return .pipe(left, try parse(prec.next), t.pos)
    case .questionQuestion:
      skipNewlines()
      return .logical(.coalesce, left, try parse(prec), t.pos)
    case .ampAmp, .kwAnd:
      skipNewlines()
      return .logical(.and, left, try parse(prec.next), t.pos)
    case .pipePipe, .kwOr:
      skipNewlines()
      return .logical(.or, left, try parse(prec.next), t.pos)
    case .dotDotLess, .dotDotDot:
      let right = try parse(prec.next)
      var step: Expr?
      if peekKind == .identifier, peek.text == "step" {
        advance()
        step = try parse(prec.next)
      }
      return .range(left, right, inclusive: t.kind == .dotDotDot, step: step, t.pos)
    default:
      guard let op = Precedence.binaryOps[t.kind] else {
        throw failure("unexpected \(t.kind)", at: t)
      }
      skipNewlines()
      // `**` is right associative; everything else is left associative.
      let right = try parse(op == .pow ? prec : prec.next)
      if prec == .comparison, let p = Precedence.infix[peekKind], p == .comparison {
        throw failure("comparisons cannot be chained; use 'a < b && b < c'", at: peek)
      }
      return .binary(op, left, right, t.pos)
    }
  }

  private mutating func arguments() throws -> [Argument] {
    var args: [Argument] = []
    var sawLabel = false
    while peekKind != .rightParen {
      if peekKind == .identifier, peekKind(1) == .colon {
        let label = advance()
        advance()
        if args.contains(where: { $0.label == label.text }) {
          throw failure("argument '\(label.text)' given twice", at: label)
        }
        args.append(Argument(label: label.text, value: try expression()))
        sawLabel = true
      } else {
        if sawLabel { throw failure("positional arguments must come before named ones") }
        args.append(Argument(label: nil, value: try expression()))
      }
      if !match(.comma) { break }
    }
    _ = try expect(.rightParen, "to close the argument list")
    return args
  }

  // MARK: Strings

  private mutating func stringLiteral(_ t: Token) throws -> Expr {
    if t.parts.count == 1, case .text(let s) = t.parts[0] { return .string(s, t.pos) }
    var parts: [InterpolationPart] = []
    for part in t.parts {
      switch part {
      case .text(let s):
        parts.append(.text(s))
      case .code(let toks, _):
        var sub = Parser(file: file, tokens: toks)
        sub.depth = depth
        if sub.peekKind == .eof { throw failure("empty interpolation \\()", at: t) }
        let e = try sub.expression()
        sub.skipNewlines()
        if sub.peekKind != .eof { throw sub.failure("unexpected \(sub.peekKind) in interpolation") }
        parts.append(.expr(e))
      }
    }
    return .interpolation(parts, t.pos)
  }
}
