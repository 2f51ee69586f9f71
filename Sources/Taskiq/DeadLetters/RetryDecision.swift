/// What a retry middleware decided about a failed task, reported with
/// ``TaskContext/recordRetry(_:)`` so the ``Receiver`` knows whether the task is finished for
/// good (and, per ``DeadLetterPolicy``, dead-letters it).
public struct RetryDecision: Sendable, Hashable, CustomStringConvertible {
    /// The decision's name, such as `scheduled`.
    public var name: String
    /// Creates a decision.
    public init(_ name: String) { self.name = name }
    /// The name.
    public var description: String { name }

    /// Another attempt was sent; this failure is not final.
    public static let scheduled = RetryDecision("scheduled")
    /// The task may be retried, but its attempts are used up.
    public static let exhausted = RetryDecision("exhausted")
    /// The task may be retried, but not after this type of error.
    public static let filtered = RetryDecision("filtered")
}
