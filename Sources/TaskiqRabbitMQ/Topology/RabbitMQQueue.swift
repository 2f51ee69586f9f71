/// One task queue of the taskiq topology, as taskiq-aio-pika 0.6.1's `Queue` describes it.
package struct RabbitMQQueue: Sendable, Equatable {
    /// The queue type: `quorum` (taskiq-aio-pika's default) or `classic`.
    package enum Kind: String, Sendable {
        /// A replicated queue; ignores priorities, counts redeliveries (`x-delivery-count`).
        case quorum
        /// A single-node queue; honours `x-max-priority`.
        case classic
    }

    /// The queue name.
    package var name: String
    /// The queue type, always sent as `x-queue-type`.
    package var kind: Kind
    /// `x-max-priority`, only for classic queues (quorum queues refuse it with 406).
    package var maxPriority: UInt8?
    /// The binding key on the task exchange; the name when `nil`.
    package var routingKey: String?

    /// A queue with taskiq-aio-pika's defaults: `taskiq`, quorum, no priority.
    package init(name: String = "taskiq", kind: Kind = .quorum, maxPriority: UInt8? = nil, routingKey: String? = nil) {
        self.name = name
        self.kind = kind
        self.maxPriority = maxPriority
        self.routingKey = routingKey
    }

    /// The key it is bound with and published to.
    package var effectiveRoutingKey: String { routingKey ?? name }
}
