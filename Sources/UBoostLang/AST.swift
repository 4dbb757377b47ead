// MARK: - Abstract syntax tree

/// Binary operators that values (and host objects) can implement.
public enum BinaryOp: String, CaseIterable {
  case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "**", matmul = "@"
  case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

/// Unary operators that values (and host objects) can implement.
public enum UnaryOp: String {
  case neg = "-", not = "!"
}

/// Short-circuit operators; they never reach host objects.
public enum LogicalOp: String {
  case and = "&&", or = "||", coalesce = "??"
}

/// A binding target: a name or a parenthesised tuple of targets, as in `for (i, x) in ...`.
public indirect enum Pattern: Equatable {
  case name(String, Pos)
  case tuple([Pattern], Pos)
}

/// One argument at a call site; `label` is set for `name: value`.
public struct Argument {
  public var label: String?
  public var value: Expr
}

/// A parameter in a function literal or declaration; `defaultValue` is evaluated at each call.
public struct Parameter {
  public var name: String
  public var defaultValue: Expr?
  public var pos: Pos
}

/// The body of a function: `= expr` / `=> expr`, or a block whose last expression is the value.
public enum FunctionBody {
  case expression(Expr)
  case block([Stmt])
}

/// A function literal or declaration.
public final class FunctionDecl {
  public let name: String?
  public let params: [Parameter]
  public let body: FunctionBody
  public let pos: Pos
  init(name: String?, params: [Parameter], body: FunctionBody, pos: Pos) {
    self.name = name
    self.params = params
    self.body = body
    self.pos = pos
  }
}

/// One item of a multi-index `x[a, b:c, :]`: a single index or a slice with optional bounds.
public enum IndexItemExpr {
  case at(Expr)
  case slice(Expr?, Expr?)
}

/// A piece of an interpolated string.
public enum InterpolationPart {
  case text(String)
  case expr(Expr)
}

/// Expressions. Blocks (`if`, `try`) are expressions too; their value is the last expression.
public indirect enum Expr {
  case number(Double, Pos)
  case string(String, Pos)
  case interpolation([InterpolationPart], Pos)
  case bool(Bool, Pos)
  case nil_(Pos)
  case variable(String, Pos)
  case list([Expr], Pos)
  case record([(String, Expr)], Pos)
  case unary(UnaryOp, Expr, Pos)
  case binary(BinaryOp, Expr, Expr, Pos)
  case logical(LogicalOp, Expr, Expr, Pos)
  /// `a..<b`, `a...b`, optionally `step s`.
  case range(Expr, Expr, inclusive: Bool, step: Expr?, Pos)
  case call(Expr, [Argument], Pos)
  /// `x |> f(a)` calls `f(x, a)`; `x |> f` calls `f(x)`.
  case pipe(Expr, Expr, Pos)
  case field(Expr, String, Pos)
  case index(Expr, Expr, Pos)
  /// `x[a:b]` with either bound optional.
  case slice(Expr, Expr?, Expr?, Pos)
  /// `x[a, b:c, :]`: two or more index items; the value receives an `IndexKey` (host objects
  /// interpret it; lists, strings and records take one index).
  case multiIndex(Expr, [IndexItemExpr], Pos)
  case function(FunctionDecl)
  /// `if c { } else { }`; `elseBranch` is a block (an `else if` is a block holding one `if`).
  case ifElse(Expr, [Stmt], [Stmt]?, Pos)
  /// `try { } catch e { }`
  case tryCatch([Stmt], String?, [Stmt], Pos)

  public var pos: Pos {
    switch self {
    case .number(_, let p), .string(_, let p), .interpolation(_, let p), .bool(_, let p), .nil_(let p),
         .variable(_, let p), .list(_, let p), .record(_, let p), .unary(_, _, let p),
         .binary(_, _, _, let p), .logical(_, _, _, let p), .range(_, _, _, _, let p),
         .call(_, _, let p), .pipe(_, _, let p), .field(_, _, let p), .index(_, _, let p),
         .slice(_, _, _, let p), .multiIndex(_, _, let p), .ifElse(_, _, _, let p), .tryCatch(_, _, _, let p):
      return p
    case .function(let d):
      return d.pos
    }
  }
}

/// Statements.
public indirect enum Stmt {
  case expression(Expr)
  /// `let`/`var` binding (mutable for `var`).
  case binding(Pattern, Expr, mutable: Bool, Pos)
  /// `target = value` or `target op= value`.
  case assign(Expr, BinaryOp?, Expr, Pos)
  case function(FunctionDecl)
  case forIn(Pattern, Expr, [Stmt], Pos)
  case whileLoop(Expr, [Stmt], Pos)
  case breakLoop(Pos)
  case continueLoop(Pos)
  case returnValue(Expr?, Pos)
  case throwValue(Expr, Pos)
  case importFile(String, Pos)
}
