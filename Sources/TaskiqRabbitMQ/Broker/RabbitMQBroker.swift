import Synchronization
import Taskiq

/// A taskiq broker on RabbitMQ, on the wire like taskiq-aio-pika 0.6.1 (a first cut: see below).
///
/// `startup` opens a write connection with one channel in confirm mode and declares the topology
/// (``RabbitMQTopology``, aio-pika's defaults). `kick` publishes to the task exchange with
/// aio-pika's properties (headers `task_id`, `task_name` and every label as a string, persistent,
/// priority from the `priority` label, a hex message id), mandatory, and returns once the server
/// confirmed it; an unroutable message is an error, never silently lost. `listen` opens a read
/// connection, sets QoS to ``RabbitMQBrokerOptions/qos``, declares the topology again and consumes every task queue;
/// ack sends Basic.Ack, release Basic.Nack with requeue.
///
/// Not yet: reconnecting, the delay mechanisms, dead-lettering of undecodable deliveries,
/// `max_deliveries`, the configuration registry entry.
public final class RabbitMQBroker: AsyncBroker {
    /// The registry, middlewares, result backend, formatter and ID generator.
    public let components: BrokerComponents
    /// The server URL with its password masked.
    public var url: String { configuration.redactedURL }
    /// Topology, labels, delays, dead-lettering and reconnecting.
    public let options: RabbitMQBrokerOptions

    let configuration: AMQPConfiguration
    let topology: RabbitMQTopology
    private let connections = Mutex<(write: AMQPConnection?, channel: AMQPChannel?, read: AMQPConnection?)>((nil, nil, nil))

    /// Creates a broker; nothing connects before ``startup()``.
    /// - Parameters:
    ///   - url: `amqp://user:password@host:port/vhost?heartbeat=60` (aio-pika's default URL by default).
    ///   - options: Topology, labels, delays and dead-lettering; taskiq-aio-pika 0.6.1's defaults.
    ///   - resultBackend: Where workers store results; the dummy backend by default.
    ///   - taskIDGenerator: How task IDs are made.
    /// - Throws: ``AMQPConnectionError`` `invalidArgument` for a bad URL (password masked) or options
    ///   that cannot work (no queue, a priority on a quorum queue).
    public init(url: String = "amqp://guest:guest@localhost:5672", options: RabbitMQBrokerOptions = RabbitMQBrokerOptions(),
                resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil) throws {
        configuration = try AMQPConfiguration(url: url)
        guard !options.queues.isEmpty else {
            throw AMQPConnectionError(.invalidArgument, message: "a RabbitMQ broker needs at least one task queue")
        }
        if let queue = options.queues.first(where: { $0.kind == .quorum && $0.maxPriority != nil }) {
            throw AMQPConnectionError(.invalidArgument, message: """
                queue '\(queue.name)' has max_priority but is a quorum queue, which RabbitMQ refuses (406); \
                make it a classic queue
                """)
        }
        topology = RabbitMQTopology(exchange: options.exchangeName, exchangeType: options.exchangeType, queues: options.queues,
                                    deadLetterQueue: options.deadLetterQueueName)
        self.options = options
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
    }

    /// Starts the components, connects the write side and declares the topology.
    public func startup() async throws {
        try await components.startup()
        let connection = try await configuration.connect()
        do {
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            try await channel.qos(prefetchCount: 0)
            try await channel.declare(topology)
            connections.withLock { $0.write = connection; $0.channel = channel }
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Closes both connections, then the components.
    public func shutdown() async throws {
        let (write, _, read) = connections.withLock { state in
            defer { state = (nil, nil, nil) }
            return state
        }
        await read?.close()
        await write?.close()
        try await components.shutdown()
    }

    /// Publishes and waits for the server's confirm.
    /// - Throws: ``AMQPConnectionError``: `publishReturned` (no queue for the routing key),
    ///   `publishNacked`, or the connection's error; ``TaskiqError`` before ``startup()``.
    public func kick(_ message: BrokerMessage) async throws {
        guard let channel = connections.withLock({ $0.channel }) else {
            throw TaskiqError(.unsupported, "the RabbitMQ broker is not started; call startup() first")
        }
        if message.labels["delay"] != nil {
            throw TaskiqError(.unsupported, "a delay was requested but this RabbitMQ broker has no delay mechanism yet")
        }
        try await channel.publish(exchange: topology.exchange, routingKey: routingKey(for: message), body: message.message,
                                  properties: properties(for: message), mandatory: true)
    }

    /// The one queue's key, or with several queues the routing label's value (`""` without it).
    func routingKey(for message: BrokerMessage) -> String {
        if topology.queues.count == 1 { return topology.queues[0].effectiveRoutingKey }
        return message.labels[options.routingLabel].map(Self.labelText) ?? ""
    }

    /// aio-pika's properties: flags 0x3880.
    func properties(for message: BrokerMessage) -> AMQPProperties {
        var headers: AMQPFieldTable = ["task_id": .string(message.taskID), "task_name": .string(message.taskName)]
        for (key, value) in message.labels { headers[key] = .string(Self.labelText(value)) }
        let priority = message.labels[options.priorityLabel].flatMap { UInt8(Self.labelText($0)) } ?? 0
        return AMQPProperties(headers: headers.sorted(), deliveryMode: 2, priority: priority,
                              messageID: AMQPConnection.randomMessageID())
    }

    /// A label as taskiq's `prepare_label` makes it: a string as is, anything else as Python prints it.
    static func labelText(_ value: JSONValue) -> String { value.stringValue ?? value.pythonRepr }

    /// Consumes every task queue on a read connection of its own.
    public func listen() async throws -> AsyncThrowingStream<AckableMessage, any Error> {
        let connection = try await configuration.connect()
        let consumers: [AMQPConsumer]
        do {
            let channel = try await connection.openChannel()
            try await channel.qos(prefetchCount: options.qos)
            try await channel.declare(topology)
            var started: [AMQPConsumer] = []
            for queue in topology.queues { started.append(try await channel.consume(queue: queue.name)) }
            consumers = started
        } catch {
            await connection.close()
            throw error
        }
        connections.withLock { $0.read = connection }
        let (stream, continuation) = AsyncThrowingStream<AckableMessage, any Error>.makeStream()
        let pump = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for consumer in consumers {
                        group.addTask {
                            for try await delivery in consumer {
                                let channel = consumer.channel
                                let tag = delivery.deliveryTag
                                continuation.yield(AckableMessage(
                                    data: delivery.body,
                                    ack: { try channel.ack(tag) },
                                    release: { try? channel.nack(tag, requeue: true) }))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in pump.cancel() }
        return stream
    }
}
