/// Which failed tasks a ``Receiver`` dead-letters (undecodable messages and unknown task names
/// always go to the dead-letter queue when the broker has one).
///
/// A failed task is never dead-lettered while a retry is scheduled for it, nor when it asked for
/// no result (``NoResultError``, `requeue()`). Retry middlewares report what they decided through
/// ``TaskContext/recordRetry(_:)``.
public struct DeadLetterPolicy: Sendable, Hashable, CustomStringConvertible {
    /// The policy's name as the config writes it: `exhausted`, `all` or `none`.
    public var name: String

    private init(_ name: String) { self.name = name }

    /// The default: a failed task is dead-lettered when a retry middleware considered it and
    /// scheduled no further attempt, because its attempts are used up or its error type is
    /// filtered out. Tasks no retry middleware looked at (none configured, or `retry_on_error`
    /// false) fail as usual, with their error stored as the result.
    public static let exhausted = DeadLetterPolicy("exhausted")
    /// The policy when none is given (``exhausted``): the one default the broker, the
    /// `withDeadLetterQueue` parameter and the config's `failed_tasks` share.
    public static let `default` = exhausted
    /// Every failed task for which no retry was scheduled.
    public static let all = DeadLetterPolicy("all")
    /// No failed task; only undecodable messages, unknown tasks and the broker's own dead letters.
    public static let never = DeadLetterPolicy("none")

    /// Every policy, for parsing and listings.
    public static let allCases: [DeadLetterPolicy] = [.exhausted, .all, .never]

    /// The policy named `exhausted`, `all` or `none`; `nil` for any other name.
    public init?(name: String) {
        guard let policy = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = policy
    }

    /// The name.
    public var description: String { name }

    /// Whether a failed task with this retry decision goes to the dead-letter queue.
    func deadLetters(after decision: RetryDecision?) -> Bool {
        switch name {
        case Self.all.name: decision != .scheduled
        case Self.exhausted.name: decision == .exhausted || decision == .filtered
        default: false
        }
    }
}
