// MARK: - Tokens

/// The kind of a lexical token. Payload-free so it can key the parser's precedence table.
public enum TokenKind: Hashable, CustomStringConvertible {
  // Literals and names
  case identifier, number, string
  // Keywords
  case kwLet, kwVar, kwFn, kwIf, kwElse, kwFor, kwIn, kwWhile, kwBreak, kwContinue, kwReturn
  case kwTrue, kwFalse, kwNil, kwTry, kwCatch, kwThrow, kwImport, kwAnd, kwOr, kwNot
  // Punctuation
  case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
  case comma, dot, colon, semicolon, newline, arrow  // arrow is =>
  // Operators
  case plus, minus, star, slash, percent, starStar, at
  case equal, equalEqual, bang, bangEqual, less, lessEqual, greater, greaterEqual
  case ampAmp, pipePipe, pipeGreater, questionQuestion
  case dotDotLess, dotDotDot
  case plusEqual, minusEqual, starEqual, slashEqual, percentEqual
  case eof

  static let keywords: [String: TokenKind] = [
    "let": .kwLet, "var": .kwVar, "fn": .kwFn, "if": .kwIf, "else": .kwElse, "for": .kwFor,
    "in": .kwIn, "while": .kwWhile, "break": .kwBreak, "continue": .kwContinue,
    "return": .kwReturn, "true": .kwTrue, "false": .kwFalse, "nil": .kwNil, "try": .kwTry,
    "catch": .kwCatch, "throw": .kwThrow, "import": .kwImport, "and": .kwAnd, "or": .kwOr,
    "not": .kwNot,
  ]

  public var description: String {
    switch self {
    case .identifier: return "name"
    case .number: return "number"
    case .string: return "string"
    case .kwLet: return "'let'"
    case .kwVar: return "'var'"
    case .kwFn: return "'fn'"
    case .kwIf: return "'if'"
    case .kwElse: return "'else'"
    case .kwFor: return "'for'"
    case .kwIn: return "'in'"
    case .kwWhile: return "'while'"
    case .kwBreak: return "'break'"
    case .kwContinue: return "'continue'"
    case .kwReturn: return "'return'"
    case .kwTrue: return "'true'"
    case .kwFalse: return "'false'"
    case .kwNil: return "'nil'"
    case .kwTry: return "'try'"
    case .kwCatch: return "'catch'"
    case .kwThrow: return "'throw'"
    case .kwImport: return "'import'"
    case .kwAnd: return "'and'"
    case .kwOr: return "'or'"
    case .kwNot: return "'not'"
    case .leftParen: return "'('"
    case .rightParen: return "')'"
    case .leftBracket: return "'['"
    case .rightBracket: return "']'"
    case .leftBrace: return "'{'"
    case .rightBrace: return "'}'"
    case .comma: return "','"
    case .dot: return "'.'"
    case .colon: return "':'"
    case .semicolon: return "';'"
    case .newline: return "end of line"
    case .arrow: return "'=>'"
    case .plus: return "'+'"
    case .minus: return "'-'"
    case .star: return "'*'"
    case .slash: return "'/'"
    case .percent: return "'%'"
    case .starStar: return "'**'"
    case .at: return "'@'"
    case .equal: return "'='"
    case .equalEqual: return "'=='"
    case .bang: return "'!'"
    case .bangEqual: return "'!='"
    case .less: return "'<'"
    case .lessEqual: return "'<='"
    case .greater: return "'>'"
    case .greaterEqual: return "'>='"
    case .ampAmp: return "'&&'"
    case .pipePipe: return "'||'"
    case .pipeGreater: return "'|>'"
    case .questionQuestion: return "'??'"
    case .dotDotLess: return "'..<'"
    case .dotDotDot: return "'...'"
    case .plusEqual: return "'+='"
    case .minusEqual: return "'-='"
    case .starEqual: return "'*='"
    case .slashEqual: return "'/='"
    case .percentEqual: return "'%='"
    case .eof: return "end of input"
    }
  }
}

/// One piece of a string literal: literal text or an interpolated `\(expr)`.
public enum StringPart: Equatable {
  case text(String)
  /// Tokens of the embedded expression (lexed once, with the string) and the position of its
  /// first character.
  case code([Token], Pos)
}

/// A token with its position. `text` holds the identifier name; `number` and `parts` hold literal payloads.
public struct Token: Equatable {
  public var kind: TokenKind
  public var text: String
  public var number: Double = 0
  public var parts: [StringPart] = []
  public var pos: Pos
}
