import Taskiq

/// One TTL delay queue of ``RabbitMQBrokerOptions/Delay/ttlQueues(prefix:)``: messages wait in
/// it for exactly its TTL, then RabbitMQ dead-letters them into the task exchange with the
/// target routing key.
///
/// One queue per (routing key, delay) pair, because RabbitMQ only expires messages at a queue's
/// head: in a shared queue a long delay would hold back every shorter one queued behind it.
package struct RabbitMQDelayQueue: Sendable, Hashable {
    /// How long an unused delay queue outlives its TTL before the server removes it (`x-expires`
    /// is TTL plus this): a day.
    package static let expiryMargin: UInt64 = 86_400_000

    /// `<prefix>.<routing key>.<milliseconds>`.
    package var name: String
    /// The TTL every message waits, in milliseconds.
    package var milliseconds: UInt32
    /// The task exchange the messages are dead-lettered into.
    package var exchange: String
    /// The routing key they are dead-lettered with.
    package var routingKey: String

    /// The delay queue for messages bound for `routingKey` on `exchange` after `milliseconds`.
    /// - Throws: ``AMQPConnectionError`` `invalidArgument` when the name would be over 255 bytes.
    package init(prefix: String, exchange: String, routingKey: String, milliseconds: UInt32) throws(AMQPConnectionError) {
        name = "\(prefix).\(routingKey).\(milliseconds)"
        guard name.utf8.count <= 255 else {
            throw AMQPConnectionError(
                .invalidArgument,
                message: """
                    the delay queue name '\(name.prefix(60))…' is \(name.utf8.count) bytes; AMQP names are at most 255: \
                    use a shorter delay queue prefix or routing key
                    """)
        }
        self.milliseconds = milliseconds
        self.exchange = exchange
        self.routingKey = routingKey
    }

    /// `{x-dead-letter-exchange: <exchange>, x-dead-letter-routing-key: <key>, x-expires: TTL + 1 day,
    /// x-message-ttl: TTL, x-queue-type: "quorum"}`, sorted.
    package var arguments: AMQPFieldTable {
        [
            "x-dead-letter-exchange": .string(exchange),
            "x-dead-letter-routing-key": .string(routingKey),
            "x-expires": .int64(Int64(UInt64(milliseconds) + Self.expiryMargin)),
            "x-message-ttl": .int64(Int64(milliseconds)),
            "x-queue-type": .string("quorum"),
        ]
    }

    /// The `delay` label in whole milliseconds, `nil` when there is none (or it is `null`).
    ///
    /// Like taskiq's `float(value)`: a number or a numeric string, in seconds. Zero means no
    /// delay (`0`). Checked where it enters, so nothing downstream can trap.
    /// - Throws: ``TaskiqError`` `invalidArguments` for a value that is not a number, NaN,
    ///   infinite, negative, or longer than `UInt32.max` milliseconds (about 49.7 days, the
    ///   longest delay the delayed-message plugin takes).
    package static func milliseconds(fromDelayLabel label: JSONValue?) throws(TaskiqError) -> UInt32? {
        guard let label, label != .null else { return nil }
        let duration: Duration
        do {
            duration = try Duration.checkedSeconds(label, of: "delay label")
        } catch {
            throw TaskiqError(
                .invalidArguments, "\(error); a delay is a number of seconds, 0 to \(UInt32.max / 1000)",
                underlying: error)
        }
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + (attoseconds + 500_000_000_000_000) / 1_000_000_000_000_000
        guard let value = UInt32(exactly: milliseconds) else {
            throw TaskiqError(
                .invalidArguments,
                """
                delay label \(label) is longer than RabbitMQ can delay a message (\(UInt32.max) ms, about 49.7 days)
                """)
        }
        return value
    }
}
