import Synchronization
import Taskiq

/// A broker over ZeroMQ, spoken natively (ZMTP 3.1 over TCP; no libzmq).
///
/// The producer binds ``zmqPubHost``; workers connect to ``zmqSubHost``. Two patterns:
///
/// - ``Pattern/pubSub`` (default), wire-compatible with Python taskiq's `ZeroMQBroker`: the
///   producer binds a PUB socket and every worker's SUB receives every task, so run one worker
///   process. Unlike Python, a producer waits (up to ``subscriberTimeout``) until a subscriber has
///   subscribed before sending, and flushes before shutting down, so a one-shot kick is not lost
///   to ZeroMQ's slow-joiner effect; with no subscriber at all, `kick` throws instead of dropping.
/// - ``Pattern/pushPull``: PUSH/PULL, each task goes to exactly one worker (round-robin over the
///   workers that drain; one that stops reading is passed over once its TCP backlog grows), and a
///   kick with no worker able to take it waits up to ``sendTimeout`` and then throws. Delivery is
///   at most once: a task handed to a worker that dies before running it is lost.
///
/// ZeroMQ carries no acknowledgements or results: pair it with a result backend every process
/// can reach (Redis) when producers need results. Python taskiq binds `0.0.0.0` by default; this
/// broker defaults to loopback, so nothing is exposed unless you ask for it.
public final class ZeroMQBroker: AsyncBroker {
    /// Warns once that this broker runs tasks in arrival order whatever their `priority` label.
    private let unhonouredPriority = UnhonouredPriority(broker: "zeromq")
    /// How tasks travel from the producer to workers.
    public enum Pattern: String, Sendable, CaseIterable {
        /// PUB/SUB: every worker receives every task (taskiq's ZeroMQ broker).
        case pubSub = "pub_sub"
        /// PUSH/PULL: each task goes to one worker.
        case pushPull = "push_pull"
    }

    public let components: BrokerComponents
    /// The address the producer binds.
    public let zmqPubHost: String
    /// The address workers connect to.
    public let zmqSubHost: String
    /// The messaging pattern.
    public let pattern: Pattern
    /// How long a pub/sub kick waits for a first subscriber.
    public let subscriberTimeout: Duration
    /// How long a push/pull kick waits for a worker to take the message.
    public let sendTimeout: Duration
    /// The largest message accepted from a peer, in bytes.
    public let maxMessageSize: Int
    /// The largest single frame accepted from a peer, in bytes (taskiq sends one frame per message).
    public let maxFrameSize: Int
    /// The most workers the producer's bound endpoint serves at once; further connections are
    /// closed and logged (each connection costs one or two threads).
    public let maxConnections: Int

    private let producer = Mutex<ZMTPSocket?>(nil)
    private let consumer = Mutex<ZMTPSocket?>(nil)
    private let logger = Logger(label: "taskiq.zeromq")

    /// Creates a ZeroMQ broker.
    /// - Parameters:
    ///   - zmqPubHost: The address the producer binds (`tcp://host:port`; `*` for every interface).
    ///   - zmqSubHost: The address workers connect to.
    ///   - pattern: ``Pattern/pubSub`` (taskiq-compatible) or ``Pattern/pushPull``.
    ///   - resultBackend: Where workers store results; the dummy backend by default.
    ///   - taskIDGenerator: How task IDs are made.
    ///   - subscriberTimeout: How long a pub/sub kick waits for a subscriber (default 5 s).
    ///   - sendTimeout: How long a push/pull kick waits for a worker (default 5 s).
    ///   - maxMessageSize: Larger messages from a peer disconnect it (default 8 MiB).
    ///   - maxFrameSize: A peer declaring a larger frame is disconnected before the frame is read;
    ///     `nil` for `maxMessageSize`.
    ///   - maxConnections: Connections the producer's endpoint serves at once (default 256; each costs one or two threads).
    public init(
        zmqPubHost: String = Defaults.pubHost, zmqSubHost: String = Defaults.subHost,
        pattern: Pattern = Defaults.pattern, resultBackend: (any ResultBackend)? = nil,
        taskIDGenerator: TaskIDGenerator? = nil, subscriberTimeout: Duration = Defaults.subscriberTimeout,
        sendTimeout: Duration = Defaults.sendTimeout, maxMessageSize: Int = Defaults.maxMessageSize,
        maxFrameSize: Int? = nil, maxConnections: Int = Defaults.maxConnections
    ) {
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
        self.zmqPubHost = zmqPubHost
        self.zmqSubHost = zmqSubHost
        self.pattern = pattern
        self.subscriberTimeout = subscriberTimeout
        self.sendTimeout = sendTimeout
        self.maxMessageSize = maxMessageSize
        self.maxFrameSize = maxFrameSize ?? maxMessageSize
        self.maxConnections = max(1, maxConnections)
    }

    /// Peers disconnected so far for breaking the protocol or a size limit (each is logged with the reason).
    public var protocolViolations: Int {
        (producer.withLock { $0?.protocolViolations } ?? 0) + (consumer.withLock { $0?.protocolViolations } ?? 0)
    }

    private var socketOptions: ZMTPSocketOptions {
        var options = ZMTPSocketOptions()
        options.sendTimeout = sendTimeout
        options.maxMessageSize = maxMessageSize
        options.maxFrameSize = maxFrameSize
        options.maxConnections = maxConnections
        return options
    }

    /// The producer socket, bound on first use so that worker processes never bind.
    private func producerSocket() throws -> ZMTPSocket {
        try producer.withLock { socket in
            if let socket { return socket }
            let created = ZMTPSocket(type: pattern == .pubSub ? .pub : .push, options: socketOptions, logger: logger)
            do {
                let endpoint = try created.bind(zmqPubHost)
                logger.info("bound \(created.type.name) on \(endpoint)")
            } catch {
                throw TaskiqError(.sendFailed, "cannot bind \(zmqPubHost) for sending tasks", underlying: error)
            }
            socket = created
            return created
        }
    }

    /// Sends the message as one ZeroMQ message.
    public func kick(_ message: BrokerMessage) async throws {
        unhonouredPriority.note(message)
        let socket = try producerSocket()
        if pattern == .pubSub, socket.subscriberCount == 0 {
            guard try await socket.waitForSubscribers(atLeast: 1, timeout: subscriberTimeout) else {
                throw TaskiqError(
                    .sendFailed,
                    """
                    no worker subscribed to \(zmqPubHost) within \(subscriberTimeout); task '\(message.taskName)' \
                    (\(message.taskID)) was not sent
                    """)
            }
        }
        do {
            try await socket.send([message.message])
        } catch {
            throw TaskiqError(
                .sendFailed, "cannot send task '\(message.taskName)' (\(message.taskID)) over \(zmqPubHost)",
                underlying: error)
        }
    }

    /// Connects to ``zmqSubHost`` and yields each message as it is taken (ZeroMQ has no acknowledgements).
    public func listen() async throws -> DeliveryStream {
        let socket = ZMTPSocket(type: pattern == .pubSub ? .sub : .pull, options: socketOptions, logger: logger)
        if pattern == .pubSub { try socket.subscribe() }
        try socket.connect(zmqSubHost)
        consumer.withLock { $0 = socket }
        logger.info("connected \(socket.type.name) to \(zmqSubHost)")
        return DeliveryStream {
            let parts = try await socket.receive()
            return AckableMessage(data: parts.count == 1 ? parts[0] : parts.flatMap { $0 })
        }
    }

    /// Flushes queued messages (up to ``sendTimeout``), closes the sockets and shuts down the components.
    public func shutdown() async throws {
        let producer = self.producer.withLock { socket in
            defer { socket = nil }
            return socket
        }
        let consumer = self.consumer.withLock { socket in
            defer { socket = nil }
            return socket
        }
        await producer?.close(linger: sendTimeout)
        await consumer?.close()
        try await components.shutdown()
    }
}

extension ZeroMQBroker: PriorityOrdering {
    /// `false`: ZeroMQ delivers in send order.
    public var honoursPriority: Bool { false }
}
