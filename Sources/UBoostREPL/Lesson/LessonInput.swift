import Foundation

// MARK: - What the learner types at a pause

/// Where the lesson reads the learner's answer at each pause. Injected so tests and the REPL
/// can drive a lesson without a terminal.
///
/// ```swift
/// let input = ScriptedLessonInput(["", "b", "q"])   // next, back, quit
/// ```
public protocol LessonInput: AnyObject {
  /// The next line the learner typed (without the newline), or nil at the end of input.
  func readLine() -> String?
  /// Whether the runner should print its own prompt before reading (false when the source
  /// prompts by itself).
  var printsPrompt: Bool { get }
}

extension LessonInput {
  public var printsPrompt: Bool { true }
}

/// Reads answers from standard input (`uboost lesson NAME` on a terminal).
public final class StandardLessonInput: LessonInput {
  public init() {}
  public func readLine() -> String? { Swift.readLine(strippingNewline: true) }
}

/// Answers given in advance (tests); nil once they run out.
public final class ScriptedLessonInput: LessonInput {
  public private(set) var remaining: [String]
  /// How many answers were read.
  public private(set) var readCount = 0

  public init(_ answers: [String]) {
    remaining = answers
  }

  public func readLine() -> String? {
    guard !remaining.isEmpty else { return nil }
    readCount += 1
    return remaining.removeFirst()
  }
}

/// Adapts a yes/no pause hook (the REPL's `pauseForLearner`, which prompts by itself): true
/// goes on, false quits. Going back is not possible through such a hook.
public final class PauseHookLessonInput: LessonInput {
  private let pause: () -> Bool

  public init(pause: @escaping () -> Bool) {
    self.pause = pause
  }

  public func readLine() -> String? { pause() ? "" : "q" }
  public var printsPrompt: Bool { false }
}

// MARK: - Answers

/// What an answer at a pause means.
public enum LessonCommand: Equatable, Sendable {
  case next
  case back
  case quit

  /// Enter (or `n`, `next`) goes on, `b` (`back`) goes back, `q` (`quit`) leaves; anything
  /// else is nil (the runner asks again).
  public static func parse(_ answer: String) -> LessonCommand? {
    switch answer.trimmingCharacters(in: .whitespaces).lowercased() {
    case "", "n", "next": return .next
    case "b", "back": return .back
    case "q", "quit", ":q", ":quit": return .quit
    default: return nil
    }
  }
}
