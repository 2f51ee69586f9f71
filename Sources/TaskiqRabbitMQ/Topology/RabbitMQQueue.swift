/// One task queue of the taskiq topology, as taskiq-aio-pika 0.6.1's `Queue` describes it.
public struct RabbitMQQueue: Sendable, Equatable {
    /// The queue type: `quorum` (taskiq-aio-pika's default) or `classic`.
    public enum Kind: String, Sendable, CaseIterable {
        /// A replicated queue; ignores priorities, counts redeliveries (`x-delivery-count`).
        case quorum
        /// A single-node queue; honours `x-max-priority`.
        case classic
    }

    /// The queue name.
    public var name: String
    /// The queue type, always sent as `x-queue-type`.
    public var kind: Kind
    /// `x-max-priority`, only for classic queues (quorum queues refuse it with 406).
    public var maxPriority: UInt8?
    /// The binding key on the task exchange; the name when `nil`.
    public var routingKey: String?

    /// A queue with taskiq-aio-pika's defaults: `taskiq`, quorum, no priority.
    public init(name: String = "taskiq", kind: Kind = .quorum, maxPriority: UInt8? = nil, routingKey: String? = nil) {
        self.name = name
        self.kind = kind
        self.maxPriority = maxPriority
        self.routingKey = routingKey
    }

    /// The key it is bound with and published to.
    public var effectiveRoutingKey: String { routingKey ?? name }
}
