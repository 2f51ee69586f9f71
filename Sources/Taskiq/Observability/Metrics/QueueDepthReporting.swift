/// A broker that can tell how many messages wait in its queues, for the `taskiq_queue_depth`
/// gauge. Brokers that cannot tell (ZeroMQ, NATS core) do not adopt it.
public protocol QueueDepthReporting: Sendable {
    /// The messages waiting now, per queue this broker reads.
    func queueDepths() async throws -> [QueueDepth]
}

/// The messages waiting in one queue.
public struct QueueDepth: Sendable, Hashable {
    /// The queue's name, such as the Redis key or stream.
    public var queue: String
    /// Messages waiting to be delivered.
    public var depth: Int

    /// Creates a reading.
    public init(queue: String, depth: Int) {
        self.queue = queue
        self.depth = depth
    }
}
