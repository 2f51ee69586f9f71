/// Where dead letters are kept: a durable place an operator can list, replay from and purge.
///
/// Implementations: ``InMemoryDeadLetterQueue`` (tests, embedded use), ``FileDeadLetterQueue``
/// (a JSON-lines file), and in the broker modules TaskiqRedis' `RedisStreamDeadLetterQueue` (a
/// Redis stream; the `RedisStreamBroker`'s `<queue>:dead` stream by default), TaskiqRabbitMQ's
/// `RabbitMQDeadLetterQueue` and TaskiqNATS' `NATSDeadLetterQueue`. Install one on a broker with
/// ``AsyncBroker/withDeadLetterQueue(_:failedTasks:)``; the broker does not start or shut it down:
/// whoever made it does (`TaskiqSystem` for a configured one).
///
/// ```swift
/// let letters = InMemoryDeadLetterQueue()
/// broker.withDeadLetterQueue(letters)
/// for letter in try await letters.list(limit: 10) { print(letter.reason, letter.message) }
/// ```
public protocol DeadLetterQueue: Sendable {
    /// Prepares the queue (connects, opens files); does nothing by default.
    func startup() async throws
    /// Releases the queue's resources; does nothing by default.
    func shutdown() async throws
    /// Stores a letter durably and returns the ID it is stored under (its ``DeadLetter/id`` is ignored).
    /// - Throws: When the letter could not be stored; the caller must then keep the message.
    @discardableResult
    func add(_ letter: DeadLetter) async throws -> String
    /// Stored letters in order, at most `limit` of them (`nil` for all).
    /// - Parameters:
    ///   - order: Newest first (the default) or oldest first.
    ///   - limit: The most letters returned; `nil` returns all.
    func list(order: DeadLetterOrder, limit: Int?) async throws -> [DeadLetter]
    /// The letter with an ID, or `nil` when there is none.
    func letter(id: String) async throws -> DeadLetter?
    /// Removes a letter; returns whether it was there.
    @discardableResult
    func remove(id: String) async throws -> Bool
    /// Removes every letter; returns how many there were.
    @discardableResult
    func purge() async throws -> Int
}

extension DeadLetterQueue {
    /// Does nothing.
    public func startup() async throws {}
    /// Does nothing.
    public func shutdown() async throws {}

    /// The newest letters first, at most `limit` of them (`nil` for all).
    public func list(limit: Int? = nil) async throws -> [DeadLetter] {
        try await list(order: .newestFirst, limit: limit)
    }
}
