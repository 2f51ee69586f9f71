import Synchronization
import Taskiq

/// A taskiq broker on RabbitMQ, on the wire like taskiq-aio-pika 0.6.1.
///
/// `startup` opens a write connection with one channel in confirm mode and declares the topology
/// (``RabbitMQTopology``, aio-pika's defaults). `kick` publishes to the task exchange with
/// aio-pika's properties (headers `task_id`, `task_name` and every label as a string, persistent,
/// priority from the `priority` label, a hex message id), mandatory, and returns once the server
/// confirmed it; an unroutable message is an error, never silently lost. `listen` opens a read
/// connection, sets QoS to ``RabbitMQBrokerOptions/qos``, declares the topology again and consumes every task queue;
/// ack sends Basic.Ack, release Basic.Nack with requeue.
///
/// - Routing: with several queues the routing label picks the queue; a message without it, or
///   whose key no queue is bound to, is an error to the kicker (`+Routing`).
/// - Delays: ``RabbitMQBrokerOptions/delay`` — one TTL queue per routing key and delay, or the
///   delayed-message plugin (`+Delay`).
/// - Dead letters: ``ownDeadLetters`` (the dead-letter queue) is the components' dead-letter
///   queue unless another is set: the receiver stores undecodable messages and unknown tasks
///   there, and the broker a delivery past ``RabbitMQBrokerOptions/maxDeliveries`` (`+DeliveryLimit`).
public final class RabbitMQBroker: AsyncBroker {
    /// The registry, middlewares, result backend, formatter and ID generator.
    public let components: BrokerComponents
    /// The server URL with its password masked.
    public var url: String { configuration.redactedURL }
    /// Topology, labels, delays, dead-lettering and reconnecting.
    public let options: RabbitMQBrokerOptions

    let configuration: AMQPConfiguration
    let topology: RabbitMQTopology
    /// The TTL delay queues declared so far.
    let delayQueues = RabbitMQDelayQueueCache()
    let logger = Logger(label: "taskiq.rabbitmq")
    /// The dead-letter queue ``RabbitMQBrokerOptions/deadLetterQueueName`` on this server, over a
    /// connection of its own opened on first use; installed as the components' dead-letter queue
    /// at init and closed by ``shutdown()``.
    public let ownDeadLetters: RabbitMQDeadLetterQueue
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
                                    deadLetterQueue: options.deadLetterQueueName,
                                    pluginExchange: options.delay == .plugin ? "\(options.exchangeName).plugin_delay" : nil)
        self.options = options
        ownDeadLetters = try RabbitMQDeadLetterQueue(configuration: configuration, queue: options.deadLetterQueueName,
                                                     passive: options.passive)
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
        components.deadLetterQueue = ownDeadLetters
    }

    /// Starts the components, connects the write side and declares the topology.
    public func startup() async throws {
        try await components.startup()
        let connection = try await configuration.connect()
        do {
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            try await channel.qos(prefetchCount: 0)
            try await declareTopology(on: channel)
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
        try? await ownDeadLetters.shutdown()
        try await components.shutdown()
    }

    /// Publishes and waits for the server's confirm.
    /// - Throws: ``AMQPConnectionError``: `publishReturned` (no queue for the routing key),
    ///   `publishNacked`, or the connection's error; ``TaskiqError`` before ``startup()``, for a
    ///   bad `delay` label, a delay without a delay mechanism or a missing routing label.
    public func kick(_ message: BrokerMessage) async throws {
        guard let channel = connections.withLock({ $0.channel }) else {
            throw TaskiqError(.unsupported, "the RabbitMQ broker is not started; call startup() first")
        }
        try await publish(message, on: channel)
    }

    /// Consumes every task queue on a read connection of its own.
    public func listen() async throws -> AsyncThrowingStream<AckableMessage, any Error> {
        let connection = try await configuration.connect()
        let consumers: [AMQPConsumer]
        do {
            let channel = try await connection.openChannel()
            try await channel.qos(prefetchCount: options.qos)
            try await declareTopology(on: channel)
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
                    for (queue, consumer) in zip(topology.queues.map(\.name), consumers) {
                        group.addTask {
                            for try await delivery in consumer {
                                guard let message = await self.deliverable(delivery, from: queue, on: consumer.channel) else { continue }
                                continuation.yield(message)
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
