import Synchronization
import Taskiq

/// A taskiq broker on RabbitMQ, on the wire like taskiq-aio-pika 0.6.1.
///
/// `startup` opens a write connection with one channel in confirm mode and declares the topology
/// (`RabbitMQTopology`, aio-pika's defaults). `kick` publishes to the task exchange with
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
///
/// Both connections heal themselves (`RabbitMQLink`): a lost connection is logged once with the
/// server's reply and replaced after the shared backoff (``RabbitMQBrokerOptions/reconnectDelay``
/// up to ``RabbitMQBrokerOptions/maxReconnectDelay``), with the channel, QoS, topology and
/// consumers set up again. A kick whose confirm was lost with its connection publishes again on
/// the next one until confirmed or ``RabbitMQBrokerOptions/publishTimeout`` passes (at least once:
/// a duplicate is possible, a silent loss is not). The stream of ``listen()`` goes on across
/// reconnects and ends only at ``shutdown()``; acks for deliveries of a lost connection are
/// dropped (the server requeues those deliveries) and counted.
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
    /// The dead-letter queue ``RabbitMQBrokerOptions/deadLetterQueueName`` on this server, over a
    /// connection of its own opened on first use; installed as the components' dead-letter queue
    /// at init and closed by ``shutdown()``.
    public let ownDeadLetters: RabbitMQDeadLetterQueue
    let logger: Logger
    let links = Mutex(Links())
    /// Acks and nacks dropped because their delivery's connection was lost.
    let staleAcknowledgements = Atomic<Int>(0)

    /// Creates a broker; nothing connects before ``startup()``.
    /// - Parameters:
    ///   - url: `amqp://user:password@host:port/vhost?heartbeat=60` (aio-pika's default URL by default).
    ///   - options: Topology, labels, delays and dead-lettering; taskiq-aio-pika 0.6.1's defaults.
    ///   - resultBackend: Where workers store results; the dummy backend by default.
    ///   - taskIDGenerator: How task IDs are made.
    ///   - logger: Where connection losses, reconnects and blocked publishing are logged.
    /// - Throws: ``AMQPConnectionError`` `invalidArgument` for a bad URL (password masked) or options
    ///   that cannot work (no queue, a priority on a quorum queue).
    public init(
        url: String = "amqp://guest:guest@localhost:5672", options: RabbitMQBrokerOptions = RabbitMQBrokerOptions(),
        resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil,
        logger: Logger = Logger(label: "taskiq.rabbitmq")
    ) throws {
        configuration = try AMQPConfiguration(url: url)
        guard !options.queues.isEmpty else {
            throw AMQPConnectionError(.invalidArgument, message: "a RabbitMQ broker needs at least one task queue")
        }
        if let queue = options.queues.first(where: { $0.kind == .quorum && $0.maxPriority != nil }) {
            throw AMQPConnectionError(
                .invalidArgument,
                message: """
                    queue '\(queue.name)' has max_priority but is a quorum queue, which RabbitMQ refuses (406); \
                    make it a classic queue
                    """)
        }
        topology = RabbitMQTopology(
            exchange: options.exchangeName, exchangeType: options.exchangeType, queues: options.queues,
            deadLetterQueue: options.deadLetterQueueName,
            pluginExchange: options.delay == .plugin ? "\(options.exchangeName).plugin_delay" : nil)
        self.options = options
        ownDeadLetters = try RabbitMQDeadLetterQueue(
            configuration: configuration, queue: options.deadLetterQueueName,
            passive: options.passive)
        self.logger = logger
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
        components.deadLetterQueue = ownDeadLetters
    }

    /// Starts the components, connects the write side and declares the topology.
    /// - Throws: The first connection's error; later losses are healed by reconnecting.
    public func startup() async throws {
        try await components.startup()
        let link = makeLink("write", open: { try await self.openWriteSession($0) })
        try await link.start()
        links.withLock { $0.write = link }
    }

    /// Sets up the write side of a new connection: a channel in confirm mode, QoS 0 (as
    /// aio-pika), the topology.
    func openWriteSession(_ connection: AMQPConnection) async throws -> RabbitMQLinkSession {
        let channel = try await connection.openChannel()
        try await channel.confirmSelect()
        try await channel.qos(prefetchCount: 0)
        try await declareTopology(on: channel)
        return RabbitMQLinkSession(channel: channel)
    }

    /// Closes both connections and ends the stream of ``listen()``, then the components.
    public func shutdown() async throws {
        let taken = links.withLock { links in
            defer { links = Links() }
            return links
        }
        await taken.read?.close()
        taken.deliveries?.finish()
        await taken.write?.close()
        try? await ownDeadLetters.shutdown()
        try await components.shutdown()
    }

    /// Publishes and waits for the server's confirm.
    /// - Throws: ``AMQPConnectionError``: `publishReturned` (no queue for the routing key),
    ///   `publishNacked`, or the connection's error; ``/Taskiq/TaskiqError`` before ``startup()``,
    ///   for a bad `delay` label, a delay without a delay mechanism or a missing routing label.
    public func kick(_ message: BrokerMessage) async throws {
        guard let link = links.withLock({ $0.write }) else {
            throw TaskiqError(.unsupported, "the RabbitMQ broker is not started; call startup() first")
        }
        try await publishConfirmed(message, link: link)
    }

    /// Consumes every task queue on a read connection of its own, across reconnects.
    public func listen() async throws -> DeliveryStream {
        let (stream, continuation) = DeliveryStream.makeStream()
        // aio-pika replays its consumers with the same tags; so does this broker.
        let tags = topology.queues.map { _ in "ctag-swift.\(AMQPConnection.randomMessageID())" }
        let link = makeLink(
            "read", open: { try await self.openReadSession($0, tags: tags) },
            serve: { session in
                await self.pump(session, into: continuation)
            })
        do {
            try await link.start()
        } catch {
            continuation.finish(throwing: error)
            throw error
        }
        links.withLock {
            $0.read = link
            $0.deliveries = continuation
        }
        continuation.onTermination = { _ in
            Task { await link.close() }
        }
        return stream
    }

    /// Sets up the read side of a new connection: QoS, the topology again, a consumer per task queue.
    func openReadSession(_ connection: AMQPConnection, tags: [String]) async throws -> RabbitMQLinkSession {
        let channel = try await connection.openChannel()
        try await channel.qos(prefetchCount: options.qos)
        try await declareTopology(on: channel)
        var consumers: [AMQPConsumer] = []
        for (queue, tag) in zip(topology.queues, tags) { consumers.append(try await channel.consume(queue: queue.name, tag: tag)) }
        return RabbitMQLinkSession(channel: channel, consumers: consumers)
    }

    /// A delivery as the worker sees it, acknowledged on the channel it came from.
    func ackable(_ delivery: AMQPDelivery, channel: AMQPChannel) -> AckableMessage {
        let tag = delivery.deliveryTag
        return AckableMessage(
            data: delivery.body,
            ack: { self.settle(tag, on: channel) { try channel.ack(tag) } },
            release: { self.settle(tag, on: channel) { try channel.nack(tag, requeue: true) } })
    }
}

extension RabbitMQBroker: PriorityOrdering {
    /// `true` when one of its queues is a classic queue with `max_priority`.
    public var honoursPriority: Bool { options.queues.contains { $0.maxPriority != nil } }
}
