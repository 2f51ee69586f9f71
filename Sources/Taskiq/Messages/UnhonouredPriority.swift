import Synchronization

/// The warning a broker that delivers in arrival order gives, once, for taskiq's `priority` label.
///
/// The rule: brokers that can order by priority honour the label (RabbitMQ classic queues with
/// `max_priority`, `redis_stream` with `priorities`); the others (in-memory, ZeroMQ, NATS,
/// JetStream, `redis_list`) send the message unchanged, in arrival order, and log one warning per
/// broker the first time a message asks for a priority above 0. They do not refuse it: the label
/// also arrives on messages from Python producers and on retries of them, which must still run.
package final class UnhonouredPriority: Sendable {
    private let warned = Atomic<Bool>(false)
    private let broker: String
    private let advice: String

    /// - Parameters:
    ///   - broker: The broker's type as the config names it, such as `zeromq`.
    ///   - advice: What would honour priorities instead.
    package init(
        broker: String,
        advice: String = "use redis_stream with \"priorities\" or rabbitmq with a classic queue's \"max_priority\""
    ) {
        self.broker = broker
        self.advice = advice
    }

    /// Whether the warning was logged.
    package var hasWarned: Bool { warned.load(ordering: .relaxed) }

    /// Logs the warning the first time `message` asks for a priority above 0.
    package func note(_ message: BrokerMessage) {
        guard let label = message.labels["priority"], !label.isNull else { return }
        let level = label.intValue ?? label.stringValue.flatMap { Int($0.trimmingASCIIWhitespace()) } ?? 1
        guard level != 0, !warned.exchange(true, ordering: .relaxed) else { return }
        Logger(label: "taskiq.priority").warning(
            """
            task '\(message.taskName)' has priority \(label.pythonRepr), which the \(broker) broker cannot honour: \
            its tasks run in arrival order; \(advice)
            """)
    }
}
