import Synchronization
import Taskiq

/// Caps on what a Redis server may send back, for the Redis brokers and result backend.
///
/// A reply over a cap is a protocol violation: the connection is closed (the stream cannot be
/// resynchronised), the reason logged, the violation counted, and the command fails; the
/// client reconnects for the next command. The defaults are Redis's own 512 MiB bulk-string cap
/// and a million elements per array, far above what taskiq stores.
public struct RedisReplyLimits: Sendable, Hashable {
    /// The longest bulk string in a reply, in bytes (a stream entry's data, a stored result).
    public var maxBulkLength: Int
    /// The most elements one array, set or map in a reply may declare.
    public var maxAggregateCount: Int

    /// Creates reply limits.
    /// - Parameters:
    ///   - maxBulkLength: The longest bulk string in bytes (default 512 MiB).
    ///   - maxAggregateCount: The most elements per aggregate (default 1,048,576).
    public init(maxBulkLength: Int = 512 << 20, maxAggregateCount: Int = 1 << 20) {
        self.maxBulkLength = maxBulkLength
        self.maxAggregateCount = maxAggregateCount
    }
}

extension RedisConfiguration {
    /// Applies `limits` to the parser of every connection made with this configuration.
    package mutating func apply(_ limits: RedisReplyLimits) {
        self.limits.maxBulkLength = limits.maxBulkLength
        self.limits.maxAggregateCount = limits.maxAggregateCount
    }
}

/// Counts connections closed because the server broke the protocol or a reply limit; shared by
/// every copy of a ``RedisConfiguration``, so one client's connections add up.
package final class RedisProtocolViolations: Sendable {
    private let count = Atomic<Int>(0)
    package init() {}
    /// Violations so far.
    package var value: Int { count.load(ordering: .relaxed) }
    func record() { count.add(1, ordering: .relaxed) }
}
