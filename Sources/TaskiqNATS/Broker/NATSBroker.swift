import Synchronization
import Taskiq

/// A taskiq broker on core NATS, on the wire like taskiq-nats' `NatsBroker`: each kick is one
/// publish to ``NATSBrokerOptions/subject`` with the labels as headers, each worker subscribes
/// (in the queue group ``NATSBrokerOptions/queueGroup``).
///
/// Core NATS keeps nothing: a task kicked while no worker is subscribed is gone, and one a
/// worker held when it died is lost (at most once). Use ``NATSJetStreamBroker`` for tasks that
/// must run. The connection heals itself (`NATSClient`); the stream of ``listen()`` goes on
/// across reconnects and ends at ``shutdown()``.
public final class NATSBroker: AsyncBroker {
    /// Warns once that this broker runs tasks in arrival order whatever their `priority` label.
    private let unhonouredPriority = UnhonouredPriority(broker: "nats")
    /// The registry, middlewares, result backend, formatter and ID generator.
    public let components: BrokerComponents
    /// Subject and queue group.
    public let options: NATSBrokerOptions
    /// The server URLs with secrets masked.
    public var url: String { client.configuration.redactedURL }
    let client: NATSClient
    let listening = Mutex<(sid: UInt64, continuation: DeliveryStream.Continuation)?>(nil)

    /// Creates a broker; nothing connects before ``startup()``.
    /// - Parameters:
    ///   - url: `nats://[user:password@]host:port[,host:port…]` or `tls://…` (see `NATSClient`).
    ///   - options: Subject and queue group.
    ///   - resultBackend: Where workers store results; the dummy backend by default.
    ///   - taskIDGenerator: How task IDs are made.
    ///   - logger: Where connection losses and reconnects are logged.
    /// - Throws: ``NATSClientError`` `invalidArgument` for a bad URL, subject or queue group.
    public init(
        url: String = "nats://localhost:4222", options: NATSBrokerOptions = NATSBrokerOptions(),
        resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil,
        logger: Logger = Logger(label: "taskiq.nats")
    ) throws {
        try NATSNames.checkSubject(options.subject, what: "subject")
        if let group = options.queueGroup { try NATSNames.checkQueueGroup(group) }
        client = NATSClient(configuration: try NATSConfiguration(url: url), logger: logger)
        self.options = options
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
    }

    /// Starts the components and connects.
    public func startup() async throws {
        try await components.startup()
        try await client.connect()
    }

    /// Ends the stream of ``listen()``, flushes and closes the connection, then the components.
    public func shutdown() async throws {
        let taken = listening.withLock { value in
            defer { value = nil }
            return value
        }
        if let taken {
            client.unsubscribe(taken.sid)
            taken.continuation.finish()
        }
        await client.close()
        try await components.shutdown()
    }

    /// Publishes the message with its labels as headers; returns once it is written to the
    /// connection (core NATS confirms nothing).
    public func kick(_ message: BrokerMessage) async throws {
        unhonouredPriority.note(message)
        try await client.publish(
            options.subject, headers: NATSHeaders(labels: message.labels), payload: message.message,
            timeout: options.publishTimeout)
    }

    /// Subscribes (in the queue group) and hands every message to the worker as it arrives.
    public func listen() async throws -> DeliveryStream {
        let (stream, continuation) = DeliveryStream.makeStream()
        let sid = try client.subscribe(options.subject, queueGroup: options.queueGroup) { message in
            continuation.yield(AckableMessage(data: message.payload))
        }
        listening.withLock { $0 = (sid, continuation) }
        continuation.onTermination = { [weak self] _ in self?.client.unsubscribe(sid) }
        return stream
    }

    /// Unsubscribes: tasks kicked from now on go to other workers of the queue group.
    public func stopListening() async {
        if let sid = listening.withLock({ $0?.sid }) { client.unsubscribe(sid) }
    }
}

extension NATSBroker: PriorityOrdering {
    /// `false`: core NATS delivers in publish order.
    public var honoursPriority: Bool { false }
}
