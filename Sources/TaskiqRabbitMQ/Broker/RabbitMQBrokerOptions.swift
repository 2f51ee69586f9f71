/// How a ``RabbitMQBroker`` lays out its topology, publishes, consumes and dead-letters.
///
/// Every default is taskiq-aio-pika 0.6.1's (`AioPikaBroker`'s constructor), so a Python peer on
/// the same server declares the same exchange and queues without a 406; option names follow its
/// parameters. What Python lacks (one delay queue per delay value, `max_deliveries`, passive
/// declares) is off or inert by default.
public struct RabbitMQBrokerOptions: Sendable, Equatable {
    /// How a task kicked with a `delay` label waits.
    public enum Delay: Sendable, Equatable {
        /// No delay mechanism (taskiq-aio-pika 0.6's default): a kick with a `delay` label fails.
        case none
        /// One durable queue per delay value and target routing key, named
        /// `<prefix>.<routing key>.<milliseconds>`, with `x-message-ttl` and dead-lettering into the
        /// task exchange: a long delay never holds back a short one (RabbitMQ only expires
        /// messages at a queue's head). Queues unused for a day after their TTL are removed by
        /// the server (`x-expires`).
        case ttlQueues(prefix: String)
        /// The `rabbitmq_delayed_message_exchange` plugin: an `x-delayed-message` exchange named
        /// `<exchange>.plugin_delay` (taskiq-aio-pika's name) and the `x-delay` header. A server
        /// without the plugin is a clear startup error.
        case plugin
    }

    /// The task exchange (`exchange_name`, default `taskiq`).
    public var exchangeName: String = "taskiq"
    /// The task exchange's type (`exchange_type`, default `topic`).
    public var exchangeType: String = "topic"
    /// The task queues; one quorum queue `taskiq` by default. With several, the routing label
    /// picks the queue of each message.
    public var queues: [RabbitMQQueue] = [RabbitMQQueue()]
    /// The dead-letter queue, reached through the default exchange (`dead_letter_queue_name`).
    public var deadLetterQueueName: String = "taskiq.dead_letter"
    /// How delayed kicks wait.
    public var delay: Delay = .none
    /// Unacknowledged deliveries the server sends a worker at once (aio-pika's `qos`).
    public var qos: UInt16 = 10
    /// The label whose value picks the queue when there are several (`label_for_routing`).
    public var routingLabel: String = "queue_name"
    /// The label whose integer value becomes the message priority (`label_for_priority`).
    public var priorityLabel: String = "priority"
    /// Only check that the exchange and queues exist (`passive` declares) rather than creating
    /// them: for servers whose topology is owned by operations.
    public var passive: Bool = false
    /// Deliveries (the quorum queue's `x-delivery-count` plus one) after which a message goes to
    /// the dead-letter queue instead of running again; `nil` never stops redelivering.
    public var maxDeliveries: Int? = 5
    /// The first wait before reconnecting after a lost connection (the shared backoff doubles it).
    public var reconnectDelay: Duration = .milliseconds(100)
    /// The longest wait between reconnect attempts (aio-pika's `reconnect_interval` is 5 s).
    public var maxReconnectDelay: Duration = .seconds(5)
    /// How long a kick waits for the server's confirm, reconnecting and publishing again if the
    /// connection is lost before it; past it the kick fails.
    public var publishTimeout: Duration = .seconds(30)

    /// Creates options with taskiq-aio-pika 0.6.1's defaults.
    public init() {}
}
