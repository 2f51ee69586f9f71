import Synchronization
import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A taskiq broker on NATS JetStream with a durable pull consumer, on the wire like
/// taskiq-nats' `PullBasedJetStreamBroker`, so Swift and Python kickers and workers share one
/// stream.
///
/// `startup` (kicker and worker alike, as taskiq-nats) creates the stream
/// ``NATSJetStreamBrokerOptions/streamName`` over ``NATSJetStreamBrokerOptions/subject`` and the
/// durable consumer ``NATSJetStreamBrokerOptions/durable`` with taskiq-nats' configuration. `kick`
/// publishes with the labels as headers and returns once the stream acknowledged it; a publish
/// that is not acknowledged (a lost connection, a leader election) is sent again with the same
/// `Nats-Msg-Id` until ``NATSJetStreamBrokerOptions/publishTimeout``, so the stream stores it
/// once (unless ``NATSJetStreamBrokerOptions/deduplicate`` is off). `listen` pulls in batches (`JetStreamPullConsumer`).
///
/// What Python's broker does not do, on the same wire:
/// - **No live task is redelivered:** every delivery handed to the worker and not settled is
///   kept alive with `+WPI` every third of ``NATSJetStreamBrokerOptions/ackWait``; only a dead
///   worker's deliveries come back. A server that forgot a delivery (killed before it wrote the
///   consumer's state, a new consumer leader) and delivers a running task to the same worker
///   again does not start it twice: the running task's acks go to the new delivery.
/// - **Delays are native:** a message whose `delay` label (a header, as taskiq-nats sends labels)
///   ends after its delivery is given back with `-NAK {"delay": ns}` for the time left, measured
///   from when the stream stored it. No extra queue; retries of ``/Taskiq/SmartRetryMiddleware``
///   use it.
/// - **Poison messages stop:** a delivery past ``NATSJetStreamBrokerOptions/maxDeliveries`` is
///   stored as a dead letter (``ownDeadLetters`` unless the components have another queue) and
///   terminated with `+TERM`.
/// - Ack sends `+ACK`, release `-NAK` (delivered again at once, to any worker).
public final class NATSJetStreamBroker: AsyncBroker {
    /// Warns once that this broker runs tasks in arrival order whatever their `priority` label.
    private let unhonouredPriority = UnhonouredPriority(broker: "nats_jetstream")
    /// The registry, middlewares, result backend, formatter and ID generator.
    public let components: BrokerComponents
    /// Stream, consumer and delivery settings.
    public let options: NATSJetStreamBrokerOptions
    /// The server URLs with secrets masked.
    public var url: String { client.configuration.redactedURL }
    /// The dead letters' stream on this server (``NATSJetStreamBrokerOptions/deadLetterStream``):
    /// the components' dead-letter queue unless another is set.
    public let ownDeadLetters: NATSDeadLetterQueue
    let client: NATSClient
    let jetStream: JetStream
    let logger: Logger

    struct Listening {
        var consumer: JetStreamPullConsumer
        var continuation: DeliveryStream.Continuation
        var keepAlive: Task<Void, Never>
    }

    let listening = Mutex<Listening?>(nil)
    /// A delivery handed to the worker and not settled: where its acks go (the newest delivery's
    /// reply subject) and when it was last kept alive.
    struct Held: Sendable {
        var reply: String
        var touched: ContinuousClock.Instant
    }

    /// Deliveries handed to the worker and not settled, by stream sequence.
    let inFlight = Mutex<[UInt64: Held]>([:])
    /// Acks and naks the worker sent that are not written yet: reply subject and payload
    /// (see ``settle(_:_:consumer:)``).
    let settledUnsent = Mutex<[(subject: String, payload: [UInt8])]>([])

    /// Creates a broker; nothing connects before ``startup()``.
    /// - Parameters:
    ///   - url: `nats://[user:password@]host:port[,host:port…]` or `tls://…` (see `NATSClient`).
    ///   - options: Stream, consumer and delivery settings; taskiq-nats' defaults.
    ///   - resultBackend: Where workers store results; the dummy backend by default.
    ///   - taskIDGenerator: How task IDs are made.
    ///   - logger: Where connection losses, reconnects and dead letters are logged.
    /// - Throws: ``NATSClientError`` `invalidArgument` for a bad URL, subject, name or limit.
    public init(
        url: String = "nats://localhost:4222", options: NATSJetStreamBrokerOptions = NATSJetStreamBrokerOptions(),
        resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil,
        logger: Logger = Logger(label: "taskiq.nats")
    ) throws {
        try NATSNames.checkSubject(options.subject, what: "subject")
        try NATSNames.checkName(options.streamName, what: "stream_name")
        try NATSNames.checkName(options.durable, what: "durable")
        try NATSNames.checkName(options.deadLetterStream, what: "dead_letter_stream")
        guard (1...5).contains(options.replicas) else {
            throw NATSClientError(.invalidArgument, message: "replicas \(options.replicas) is not 1-5")
        }
        guard options.ackWait >= .seconds(1), options.ackWait <= .seconds(86_400) else {
            throw NATSClientError(.invalidArgument, message: "ack_wait \(options.ackWait) is not 1 s to 1 day")
        }
        guard (1...100_000).contains(options.batch) else {
            throw NATSClientError(.invalidArgument, message: "batch \(options.batch) is not 1-100000")
        }
        if let limit = options.maxDeliveries, limit < 1 {
            throw NATSClientError(.invalidArgument, message: "max_deliveries \(limit) is not at least 1")
        }
        client = NATSClient(configuration: try NATSConfiguration(url: url), logger: logger)
        jetStream = JetStream(client: client)
        self.options = options
        self.logger = logger
        ownDeadLetters = NATSDeadLetterQueue(
            jetStream: jetStream, stream: options.deadLetterStream, replicas: options.replicas, connects: false)
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
        components.deadLetterQueue = ownDeadLetters
    }

    /// The stream's configuration as this broker creates it: taskiq-nats' request, plus the
    /// retention, storage and replicas of ``options``.
    var streamConfig: JSONObject {
        var config: JSONObject = [
            "name": .string(options.streamName), "subjects": [.string(options.subject)], "discard": "old",
            "discard_new_per_subject": false, "max_msgs_per_subject": -1, "max_msg_size": -1, "no_ack": false,
            "duplicate_window": 0, "sealed": false, "deny_delete": false, "deny_purge": false, "allow_rollup_hdrs": false,
            "max_age": 0,
        ]
        if options.retention != .limits { config["retention"] = .string(options.retention.rawValue) }
        if options.memoryStorage { config["storage"] = "memory" }
        if options.replicas != 1 { config["num_replicas"] = .int(options.replicas) }
        return config
    }

    /// The durable consumer's configuration: taskiq-nats' request, with ``NATSJetStreamBrokerOptions/ackWait``
    /// (0 when it is the server's default of 30 s, so both sides ask for the same consumer).
    var consumerConfig: JSONObject {
        let ackWait = options.ackWait == .seconds(30) ? 0 : Int(options.ackWait.nanoseconds)
        return [
            "durable_name": .string(options.durable), "deliver_policy": "all", "ack_policy": "explicit", "replay_policy": "instant",
            "ack_wait": .int(ackWait), "idle_heartbeat": 0, "inactive_threshold": 0,
        ]
    }

    /// Starts the components, connects, and creates the stream and the consumer. A cluster that
    /// is still electing its leaders (requests time out, or nobody answers yet) is asked again
    /// for up to ``NATSJetStreamBrokerOptions/publishTimeout``.
    public func startup() async throws {
        try await components.startup()
        try await client.connect()
        try await NATSClientError.retryingTransient(
            until: ContinuousClock.now.advanced(by: options.publishTimeout),
            firstFailure: { logger.warning("JetStream is not ready for stream '\(options.streamName)' yet (\($0.message)); asking again") }
        ) {
            try await jetStream.ensureStream(streamConfig, logger: logger)
            try await jetStream.ensureDurableConsumer(stream: options.streamName, config: consumerConfig, logger: logger)
        }
    }

    /// Stops pulling, ends the stream of ``listen()``, gives back every delivery still unsettled
    /// — read ahead and never taken by the worker, or abandoned — so that another worker gets it
    /// soon (`-NAK` delayed just past ``NATSJetStreamBrokerOptions/pullExpires``, when this
    /// worker's own pull requests have expired) rather than after `ack_wait`, flushes and closes
    /// the connection, then the components.
    public func shutdown() async throws {
        let taken = listening.withLock { value in
            defer { value = nil }
            return value
        }
        if let taken {
            taken.consumer.stop()
            taken.keepAlive.cancel()
            taken.continuation.finish()
            await writeSettled(consumer: taken.consumer)
            let unsettled = inFlight.withLock { inFlight in
                defer { inFlight.removeAll() }
                return inFlight.values.map(\.reply)
            }
            let handBack = taken.consumer.handBack
            client.publishNow(unsettled.map { ($0, handBack) })
            taken.consumer.close()
        }
        await client.close()
        try await components.shutdown()
    }

    /// Publishes and waits for the stream's acknowledgement, publishing again (same
    /// `Nats-Msg-Id` unless ``NATSJetStreamBrokerOptions/deduplicate`` is off) while the connection or the stream's leader is away.
    /// - Throws: ``NATSClientError``: `noResponders` (no stream stores the subject, after
    ///   ``NATSJetStreamBrokerOptions/publishTimeout``), `jetStreamError`, `timeout`, `invalidArgument`.
    public func kick(_ message: BrokerMessage) async throws {
        unhonouredPriority.note(message)
        var headers = NATSHeaders(labels: message.labels)
        if options.deduplicate { headers.append(name: "Nats-Msg-Id", value: TaskIDGenerator.uuid4()) }
        let deadline = ContinuousClock.now.advanced(by: options.publishTimeout)
        do {
            try await NATSClientError.retryingTransient(until: deadline) {
                try await jetStream.publishAcknowledged(
                    options.subject, headers: headers, payload: message.message,
                    timeout: max(.milliseconds(1), min(.seconds(5), ContinuousClock.now.duration(to: deadline))), checked: true)
            }
        } catch let error as NATSClientError where error.isTransient {
            throw NATSClientError(
                error.code,
                message:
                    "the stream did not acknowledge task \(message.taskName) (\(message.taskID)) within \(options.publishTimeout): \(error.message)",
                status: error.status, apiErrorCode: error.apiErrorCode)
        }
    }

    /// Pulls from the durable consumer and hands deliveries to the worker, across reconnects.
    public func listen() async throws -> DeliveryStream {
        let (stream, continuation) = DeliveryStream.makeStream()
        let consumer = JetStreamPullConsumer(
            client: client, stream: options.streamName, consumer: options.durable, batch: options.batch,
            expires: options.pullExpires, logger: logger
        ) { [weak self] delivery in
            self?.deliver(delivery, to: continuation)
        }
        let keepAlive = Task { [weak self] in
            guard let self else { return }
            await self.keepDeliveriesAlive()
        }
        listening.withLock { $0 = Listening(consumer: consumer, continuation: continuation, keepAlive: keepAlive) }
        do {
            try consumer.start()
        } catch {
            keepAlive.cancel()
            continuation.finish(throwing: error)
            throw error
        }
        continuation.onTermination = { _ in
            consumer.close()
            keepAlive.cancel()
        }
        return stream
    }

    /// Stops pulling; what was delivered and not started is given back by the worker (`-NAK`),
    /// and what this worker's open pull requests still bring is given back for another worker.
    public func stopListening() async {
        listening.withLock { $0?.consumer }?.stop()
    }
}

extension NATSJetStreamBroker: PriorityOrdering {
    /// `false`: a stream delivers in sequence order.
    public var honoursPriority: Bool { false }
}
