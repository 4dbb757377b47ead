// MARK: - Operator precedence (the one table)

/// Binding power of infix operators, lowest first.
enum Precedence: Int, Comparable {
  case none = 0
  case pipe        // |>
  case coalesce    // ??          (right associative)
  case or          // || or
  case and         // && and
  case comparison  // == != < <= > >=   (not chainable)
  case range       // ..< ...  [step e]
  case term        // + -
  case factor      // * / % @
  case unary       // - ! not     (prefix)
  case power       // **          (right associative)
  case postfix     // call f(), index x[], field x.f

  static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }

  var next: Precedence { Precedence(rawValue: rawValue + 1) ?? .postfix }

  /// The single table the Pratt parser consults for every infix and postfix operator.
  static let infix: [TokenKind: Precedence] = [
    .pipeGreater: .pipe,
    .questionQuestion: .coalesce,
    .pipePipe: .or, .kwOr: .or,
    .ampAmp: .and, .kwAnd: .and,
    .equalEqual: .comparison, .bangEqual: .comparison,
    .less: .comparison, .lessEqual: .comparison, .greater: .comparison, .greaterEqual: .comparison,
    .dotDotLess: .range, .dotDotDot: .range,
    .plus: .term, .minus: .term,
    .star: .factor, .slash: .factor, .percent: .factor, .at: .factor,
    .starStar: .power,
    .leftParen: .postfix, .leftBracket: .postfix, .dot: .postfix,
  ]

  /// Operators that may start a continuation line (`xs` newline `|> map(f)`).
  static let continuesLine: Set<TokenKind> = [.pipeGreater, .dot, .ampAmp, .pipePipe, .questionQuestion]

  /// Operator tokens that map directly onto `BinaryOp`.
  static let binaryOps: [TokenKind: BinaryOp] = [
    .plus: .add, .minus: .sub, .star: .mul, .slash: .div, .percent: .mod, .starStar: .pow, .at: .matmul,
    .equalEqual: .eq, .bangEqual: .ne, .less: .lt, .lessEqual: .le, .greater: .gt, .greaterEqual: .ge,
  ]

  /// Compound assignment tokens.
  static let compoundAssign: [TokenKind: BinaryOp] = [
    .plusEqual: .add, .minusEqual: .sub, .starEqual: .mul, .slashEqual: .div, .percentEqual: .mod,
  ]
}
