/// The exchange, queues and bindings a taskiq RabbitMQ broker declares, with arguments that
/// are byte-for-byte those of taskiq-aio-pika 0.6.1 (reference §1.1), so a Python peer on the
/// same server declares the same things without a 406.
///
/// Keys are written sorted, as pamqp writes them. RabbitMQ compares arguments by value, but the
/// captured frames are the test of equivalence.
package struct RabbitMQTopology: Sendable, Equatable {
    /// The task exchange: `taskiq`.
    package var exchange: String
    /// Its type: `topic`.
    package var exchangeType: String
    /// The task queues; one `taskiq` queue by default.
    package var queues: [RabbitMQQueue]
    /// The dead-letter queue, reached through the default exchange: `taskiq.dead_letter`.
    package var deadLetterQueue: String
    /// A TTL delay queue dead-lettering into the task exchange, or `nil` (the 0.6 default).
    package var delayQueue: String?
    /// The delayed-message plugin's exchange (`<exchange>.plugin_delay`, type `x-delayed-message`,
    /// every task queue bound to it with its key), or `nil` without the plugin.
    package var pluginExchange: String?

    /// taskiq-aio-pika 0.6.1's defaults.
    package init(
        exchange: String = "taskiq", exchangeType: String = "topic", queues: [RabbitMQQueue] = [RabbitMQQueue()],
        deadLetterQueue: String = "taskiq.dead_letter", delayQueue: String? = nil, pluginExchange: String? = nil
    ) {
        self.exchange = exchange
        self.exchangeType = exchangeType
        self.queues = queues
        self.deadLetterQueue = deadLetterQueue
        self.delayQueue = delayQueue
        self.pluginExchange = pluginExchange
    }

    /// The delayed-message plugin's exchange type.
    package static let pluginExchangeType = "x-delayed-message"

    /// `{x-delayed-type: "direct"}`, as taskiq-aio-pika declares it.
    package static let pluginExchangeArguments: AMQPFieldTable = ["x-delayed-type": .string("direct")]

    /// `{x-dead-letter-exchange: "", x-dead-letter-routing-key: <dead letter queue>,
    /// [x-max-priority: N (b),] x-queue-type: <kind>}`.
    package func arguments(for queue: RabbitMQQueue) -> AMQPFieldTable {
        var arguments: AMQPFieldTable = [
            "x-dead-letter-exchange": .string(""),
            "x-dead-letter-routing-key": .string(deadLetterQueue),
            "x-queue-type": .string(queue.kind.rawValue),
        ]
        if let priority = queue.maxPriority {
            arguments["x-max-priority"] = priority <= UInt8(Int8.max) ? .int8(Int8(priority)) : .int16(Int16(priority))
        }
        return arguments.sorted()
    }

    /// `{x-queue-type: "quorum"}`.
    package var deadLetterArguments: AMQPFieldTable { ["x-queue-type": .string("quorum")] }

    /// `{x-dead-letter-exchange: <exchange>, x-dead-letter-routing-key: <first queue's key>, x-queue-type: "quorum"}`.
    package var delayArguments: AMQPFieldTable {
        [
            "x-dead-letter-exchange": .string(exchange),
            "x-dead-letter-routing-key": .string(queues.first?.effectiveRoutingKey ?? exchange),
            "x-queue-type": .string("quorum"),
        ]
    }

    /// The methods to declare everything, in taskiq-aio-pika's order: exchange (and the plugin's),
    /// dead-letter queue, task queues, delay queue, bindings. `passive` only checks that they exist.
    package func declarations(passive: Bool = false) -> [AMQPMethod] {
        var methods: [AMQPMethod] = [
            .exchangeDeclare(
                exchange: exchange, type: exchangeType, passive: passive, durable: true, autoDelete: false,
                internal: false, noWait: false, arguments: [:])
        ]
        if let pluginExchange {
            methods.append(
                .exchangeDeclare(
                    exchange: pluginExchange, type: Self.pluginExchangeType, passive: passive, durable: true,
                    autoDelete: false, internal: false, noWait: false,
                    arguments: passive ? [:] : Self.pluginExchangeArguments))
        }
        methods += [
            .queueDeclare(
                queue: deadLetterQueue, passive: passive, durable: true, exclusive: false, autoDelete: false,
                noWait: false, arguments: passive ? [:] : deadLetterArguments)
        ]
        for queue in queues {
            methods.append(
                .queueDeclare(
                    queue: queue.name, passive: passive, durable: true, exclusive: false, autoDelete: false,
                    noWait: false, arguments: passive ? [:] : arguments(for: queue)))
        }
        if let delayQueue {
            methods.append(
                .queueDeclare(
                    queue: delayQueue, passive: passive, durable: true, exclusive: false, autoDelete: false,
                    noWait: false, arguments: passive ? [:] : delayArguments))
        }
        if !passive {
            for queue in queues {
                methods.append(
                    .queueBind(queue: queue.name, exchange: exchange, routingKey: queue.effectiveRoutingKey, noWait: false, arguments: [:]))
            }
            if let pluginExchange {
                for queue in queues {
                    methods.append(
                        .queueBind(
                            queue: queue.name, exchange: pluginExchange, routingKey: queue.effectiveRoutingKey,
                            noWait: false, arguments: [:]))
                }
            }
        }
        return methods
    }
}
