/// The order ``DeadLetterQueue/list(order:limit:)`` returns letters in.
public enum DeadLetterOrder: Sendable, Hashable {
    /// The most recently added first.
    case newestFirst
    /// The earliest added first.
    case oldestFirst
}
