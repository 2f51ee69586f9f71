import Taskiq
import TaskiqRabbitMQ

extension ComponentRegistry {
    /// The keys of one entry of the `rabbitmq` broker's `queues`; defaults are ``RabbitMQQueue``'s.
    struct RabbitMQQueueKeys: OptionGroup {
        let name = Option<String>.requiredString("name", description: "The queue's name.")
        let type = Option<RabbitMQQueue.Kind>.choice(
            "type", default: .quorum,
            description: "quorum (replicated, counts redeliveries; taskiq-aio-pika's default) or classic (needed for max_priority).")
        let maxPriority = Option<Int?>.integer(
            "max_priority", range: 1...255, description: "x-max-priority: the highest message priority honoured; classic queues only.")
        let routingKey = Option<String?>.string(
            "routing_key",
            description: "The binding key on the task exchange and the routing label's value that picks this queue; null for the name.")

        /// The queue an entry describes.
        func queue(_ options: ComponentOptions) throws -> RabbitMQQueue {
            RabbitMQQueue(
                name: try options[name], kind: try options[type],
                maxPriority: try options[maxPriority].map { UInt8($0) }, routingKey: try options[routingKey])
        }

        /// An entry as the file writes it.
        func json(_ queue: RabbitMQQueue) -> JSONObject {
            [
                name.name: .string(queue.name), type.name: .string(queue.kind.rawValue),
                maxPriority.name: queue.maxPriority.map { .int(Int($0)) } ?? .null,
                routingKey.name: queue.routingKey.map(JSONValue.string) ?? .null,
            ]
        }
    }

    /// The options of the `rabbitmq` broker; names follow taskiq-aio-pika's parameters and
    /// defaults come from ``RabbitMQBrokerOptions``.
    struct RabbitMQBrokerKeys: OptionGroup {
        private static let defaults = RabbitMQBrokerOptions()
        private static let queueKeys = RabbitMQQueueKeys()

        /// The `delay` choices as the file spells them.
        enum DelayKind: String, CaseIterable, Sendable {
            case none
            case ttlQueues = "ttl_queues"
            case plugin
        }

        let url = Option<String>.address(
            "url", .amqpURL, default: "amqp://guest:guest@localhost:5672",
            description:
                "amqp://user:password@host:port/vhost, or amqps://… for TLS (query options heartbeat, frame_max, channel_max, connection_timeout; with amqps also ca_file/cafile, cert_file/certfile, key_file/keyfile, server_name, insecure_skip_verify/no_verify_ssl); write the password as ${RABBITMQ_PASSWORD}. Masked in check and logs."
        )
        let exchangeName = Option<String>.string(
            "exchange_name", default: Self.defaults.exchangeName, description: "The task exchange.")
        let exchangeType = Option<String>.choice(
            "exchange_type", ["topic", "direct", "fanout", "headers"], spelling: { $0 }, default: Self.defaults.exchangeType,
            description: "The task exchange's type.")
        let queues = Option<[RabbitMQQueue]>.objects(
            "queues", fields: Self.queueKeys.declarations, default: Self.defaults.queues, encode: { Self.queueKeys.json($0) },
            description:
                "The task queues, bound to the exchange by routing key; with several, the routing label picks each message's queue.",
            decode: { try Self.queueKeys.queue($0) })
        let deadLetterQueueName = Option<String>.string(
            "dead_letter_queue_name", default: Self.defaults.deadLetterQueueName,
            description: "The queue rejected and dead-lettered messages go to, through the default exchange.")
        let delay = Option<DelayKind>.choice(
            "delay", default: .none,
            description:
                "How a task kicked with a delay label waits: none (a delayed kick fails, like taskiq-aio-pika's default), ttl_queues (one queue per delay value), plugin (rabbitmq_delayed_message_exchange)."
        )
        let delayQueuePrefix = Option<String>.string(
            "delay_queue_prefix", default: "taskiq.delay",
            description: "With delay ttl_queues: delay queues are named <prefix>.<routing key>.<milliseconds>.")
        let qos = Option<Int>.integer(
            "qos", default: Int(Self.defaults.qos), range: 1...65535,
            description: "Unacknowledged deliveries the server sends a worker at once (prefetch count).")
        let routingLabel = Option<String>.string(
            "label_for_routing", default: Self.defaults.routingLabel,
            description: "The label whose value picks the queue when there are several.")
        let priorityLabel = Option<String>.string(
            "label_for_priority", default: Self.defaults.priorityLabel,
            description: "The label whose integer value becomes the message priority.")
        let passive = Option<Bool>.boolean(
            "passive", default: Self.defaults.passive,
            description:
                "Only check that the exchange and queues exist (for servers whose topology operations own); a missing one fails startup.")
        let maxDeliveries = Option<Int>.integer(
            "max_deliveries", default: Self.defaults.maxDeliveries ?? 5, range: 1...1_000_000,
            description:
                "Deliveries (quorum x-delivery-count + 1) after which a message goes to the dead-letter queue instead of running again.")
        let reconnectDelay = Option<Duration>.seconds(
            "reconnect_delay", default: Self.defaults.reconnectDelay, range: 0.001...60,
            description: "Seconds before the first reconnect attempt after a lost connection; doubled up to max_reconnect_delay.")
        let maxReconnectDelay = Option<Duration>.seconds(
            "max_reconnect_delay", default: Self.defaults.maxReconnectDelay, range: 0.001...3600,
            description: "Longest wait in seconds between reconnect attempts.")
        let publishTimeout = Option<Duration>.seconds(
            "publish_timeout", default: Self.defaults.publishTimeout, range: 0.1...86_400,
            description: "Seconds a kick waits for the server's confirm, reconnecting and publishing again meanwhile, before it fails.")

        /// The broker options a component's settings describe.
        func brokerOptions(_ options: ComponentOptions) throws -> RabbitMQBrokerOptions {
            var result = RabbitMQBrokerOptions()
            result.exchangeName = try options[exchangeName]
            result.exchangeType = try options[exchangeType]
            result.queues = try options[queues]
            result.deadLetterQueueName = try options[deadLetterQueueName]
            switch try options[delay] {
            case .none: result.delay = .none
            case .ttlQueues: result.delay = .ttlQueues(prefix: try options[delayQueuePrefix])
            case .plugin: result.delay = .plugin
            }
            result.qos = UInt16(try options[qos])
            result.routingLabel = try options[routingLabel]
            result.priorityLabel = try options[priorityLabel]
            result.passive = try options[passive]
            result.maxDeliveries = try options[maxDeliveries]
            result.reconnectDelay = try options[reconnectDelay]
            result.maxReconnectDelay = try options[maxReconnectDelay]
            result.publishTimeout = try options[publishTimeout]
            return result
        }

        /// What RabbitMQ would refuse, caught when the config loads: no queue, two queues with one
        /// name or routing key, a priority on a quorum queue (406), backoff bounds the wrong way round.
        func check(_ options: ComponentOptions) throws(ConfigError) {
            let list = try options[queues]
            guard !list.isEmpty else {
                throw ConfigError(.impossibleSettings, file: "", path: queues.name, "no queue; expected at least one task queue")
            }
            for (position, queue) in list.enumerated() {
                if queue.kind == .quorum && queue.maxPriority != nil {
                    throw ConfigError(
                        .impossibleSettings, file: "", path: "\(queues.name)[\(position)].max_priority",
                        """
                        queue '\(queue.name)' is a quorum queue, which RabbitMQ refuses max_priority for (406 \
                        PRECONDITION_FAILED); set "type": "classic"
                        """)
                }
                if let earlier = list[..<position].firstIndex(where: { $0.name == queue.name }) {
                    throw ConfigError(
                        .impossibleSettings, file: "", path: "\(queues.name)[\(position)].name",
                        "queue '\(queue.name)' is already queues[\(earlier)]")
                }
                if let earlier = list[..<position].firstIndex(where: { $0.effectiveRoutingKey == queue.effectiveRoutingKey }) {
                    throw ConfigError(
                        .impossibleSettings, file: "", path: "\(queues.name)[\(position)].routing_key",
                        "routing key '\(queue.effectiveRoutingKey)' already picks queues[\(earlier)]; each queue needs its own")
                }
            }
            if try options[reconnectDelay] > options[maxReconnectDelay] {
                throw ConfigError(
                    .impossibleSettings, file: "", path: reconnectDelay.name,
                    "reconnect_delay is longer than max_reconnect_delay; expected it at most as long")
            }
        }
    }

    /// The options of the `rabbitmq` dead-letter queue.
    struct RabbitMQDeadLetterKeys: OptionGroup {
        let url = Option<String>.address(
            "url", .amqpURL, default: "amqp://guest:guest@localhost:5672",
            description: "The server, as the rabbitmq broker's url (password masked in check and logs).")
        let queue = Option<String>.string(
            "queue", default: RabbitMQBrokerOptions().deadLetterQueueName, description: "The dead-letter queue.")
        let passive = Option<Bool>.boolean(
            "passive", default: false, description: "Only check that the queue exists rather than declaring it.")
    }

    /// Registers the `rabbitmq` broker and dead-letter queue.
    mutating func registerRabbitMQTypes() {
        let letters = RabbitMQDeadLetterKeys()
        register(
            deadLetterQueue: "rabbitmq",
            summary:
                "Keeps dead letters in a RabbitMQ queue (taskiq.dead_letter, with the reason in x-taskiq-* headers); the rabbitmq broker uses its own dead-letter queue without this section.",
            options: letters.declarations
        ) { options in
            try RabbitMQDeadLetterQueue(
                url: try options[letters.url], queue: try options[letters.queue],
                passive: try options[letters.passive])
        }

        let keys = RabbitMQBrokerKeys()
        register(
            broker: "rabbitmq",
            summary:
                "RabbitMQ over native AMQP 0-9-1 with publisher confirms; declares what taskiq-aio-pika 0.6.1 declares, so Python producers and workers share its queues.",
            options: keys.declarations,
            check: { options throws(ConfigError) in try keys.check(options) }
        ) { options in
            try RabbitMQBroker(url: try options[keys.url], options: try keys.brokerOptions(options))
        }
    }
}
