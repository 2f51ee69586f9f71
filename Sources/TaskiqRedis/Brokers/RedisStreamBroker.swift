import Synchronization
import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A durable broker over a Redis stream and consumer group, wire-compatible with taskiq-redis's
/// `RedisStreamBroker`: Swift and Python producers and workers can share a queue.
///
/// ```swift
/// let broker = try RedisStreamBroker(url: "redis://127.0.0.1:6379/0",
///                                    options: RedisStreamBrokerOptions(queueName: "emails"))
/// ```
/// A kick is `XADD <queue> [MAXLEN ~ n] * data <message>` (the queue is the message's
/// `queue_name` label when set); workers read with `XREADGROUP GROUP g c COUNT n BLOCK ms
/// STREAMS q >` and acknowledge with `XACK` when the ack type says so. Delivery is
/// at-least-once: a task whose worker dies before the ack runs again elsewhere.
///
/// Where it behaves better than taskiq-redis, keeping the wire format:
/// - The group is created at ID `0`, so entries added before any worker started are delivered.
/// - Each worker keeps a liveness lease in Redis. Entries of a consumer whose lease expired are
///   claimed by a live worker within about `lease_ttl + lease_renew_interval`, continuously,
///   while entries of live workers running long tasks are never taken; `XAUTOCLAIM` with
///   `idle_timeout` stays as the backstop.
/// - An entry delivered more than `max_deliveries` times, or one without a `data` field, goes to
///   the broker's ``/Taskiq/DeadLetterQueue`` with the reason, and is acknowledged once stored.
///   Unless another queue is set, that is ``ownDeadLetters``, the `<queue_name>:dead` stream, where
///   the receiver also puts undecodable messages, unknown tasks and finally failed tasks.
/// - Shutdown is prompt when idle: the blocked read is cancelled; acks of drained tasks are
///   written; entries read but never started are put back on the queue; the lease is deleted.
/// - A message with a positive `delay` label (which ``/Taskiq/SmartRetryMiddleware`` writes) waits
///   in the sorted set `<queue>:delayed` until due; each worker moves due messages into the stream
///   atomically (``RedisStreamBrokerOptions/delayPollInterval``). taskiq-redis ignores `delay`.
/// - Acknowledgements are coalesced into one `XACK` per round trip, and concurrent kicks share
///   writes on one pipelined connection.
/// - Rate limits (``RedisRateLimiter``) and unique kicks (``RedisUniqueStore``) are counted in
///   this server, so every worker and producer of the queue shares them.
/// - With ``RedisStreamBrokerOptions/priorities`` above 1, taskiq's `priority` label picks one
///   stream per level (`<queue>:priority:<p>`, `0` the plain `<queue>`), and a worker reads the
///   highest level first; each stream keeps its own group, lease, claiming, delays and dead letters.
public final class RedisStreamBroker: AsyncBroker {
    public let components: BrokerComponents
    /// Where the server is, as given (`redis://[user:password@]host:port/db`).
    public let url: String
    /// The queue, group, consumer and recovery settings.
    public let options: RedisStreamBrokerOptions
    /// This process's consumer name in the group.
    public let consumerName: String

    let client: RedisClient
    private let consumer = Mutex<RedisStreamConsumer?>(nil)
    /// The consumers of the priority streams above 0, highest first, while listening.
    private let priorityConsumers = Mutex<[RedisStreamConsumer]>([])
    /// Whether the warning about a `priority` label on a broker without priorities was logged.
    private let warnedAboutPriority = Atomic<Bool>(false)
    /// The worker's delayed-message mover and cancel listener (and, for a stream, lease
    /// renewal and claiming), while listening.
    private let services = ServiceGroup()
    private let logger = Logger(label: "taskiq.redis_stream")

    /// Creates a stream broker; nothing connects until ``startup()``.
    /// - Parameters:
    ///   - url: `redis://[user:password@]host:port/db`.
    ///   - options: Queue, group, consumer and recovery settings.
    ///   - resultBackend: Where workers store results; the dummy backend by default.
    ///   - taskIDGenerator: How task IDs are made.
    ///   - replyLimits: Caps on replies; a reply over one closes the connection and is counted.
    /// - Throws: ``RedisConnectionError`` with code `invalidURL` for a malformed URL.
    public init(
        url: String, options: RedisStreamBrokerOptions = RedisStreamBrokerOptions(),
        resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil,
        replyLimits: RedisReplyLimits = RedisReplyLimits()
    ) throws {
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
        self.url = url
        self.options = options
        self.consumerName = options.consumerName ?? Self.freshConsumerName()
        var configuration = try RedisConfiguration(url: url)
        // Commands must not queue behind a long wait for a dead server: a clear error beats a hang.
        configuration.connectTimeout = .seconds(5)
        configuration.apply(replyLimits)
        client = RedisClient(configuration: configuration, logger: Logger(label: "taskiq.redis"))
        ownDeadLetters = RedisStreamDeadLetterQueue(client: client, stream: options.resolvedDeadLetterStream)
        components.deadLetterQueue = ownDeadLetters
        // Rate limits and unique kicks are counted in this Redis, shared by every worker and producer.
        components.rateLimiter = RedisRateLimiter(client: client)
        components.uniqueStore = RedisUniqueStore(client: client)
    }

    /// The `<queue_name>:dead` stream (or ``RedisStreamBrokerOptions/deadLetterStream``) on this
    /// broker's server: the broker's dead-letter queue unless another is set with
    /// ``/Taskiq/AsyncBroker/withDeadLetterQueue(_:failedTasks:)``. It shares the broker's
    /// connection, so it works until ``shutdown()``; read it afterwards with a
    /// ``RedisStreamDeadLetterQueue`` of its own.
    public let ownDeadLetters: RedisStreamDeadLetterQueue

    /// Connections closed because Redis sent invalid RESP or a reply over ``RedisReplyLimits`` (each is logged).
    public var protocolViolations: Int { client.configuration.violations.value }

    static func freshConsumerName() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix { $0 != "." }
        let random = UInt32.random(in: 0...UInt32.max)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(String(random, radix: 16))"
    }

    /// Starts the components, then creates the consumer group at ID `0` (with `MKSTREAM`;
    /// an existing group is kept).
    /// - Throws: ``RedisConnectionError`` naming the server when it cannot be reached or
    ///   refuses the credentials.
    public func startup() async throws {
        try await components.startup()
        for stream in options.priorityStreams {
            try await Self.createGroup(client: client, stream: stream, group: options.consumerGroupName)
        }
    }

    /// `XGROUP CREATE <stream> <group> 0 MKSTREAM`, ignoring `BUSYGROUP`.
    static func createGroup(client: RedisClient, stream: String, group: String) async throws {
        do {
            try await client.send(["XGROUP", "CREATE", stream, group, "0", "MKSTREAM"])
        } catch let error as RedisError where error.code == "BUSYGROUP" {
        }
    }

    /// The stream a message goes to: its `queue_name` label, else ``RedisStreamBrokerOptions/queueName``,
    /// then the stream of its priority level (see ``RedisStreamBrokerOptions/priorities``).
    /// - Throws: ``TaskiqError`` with code `invalidArguments` for a `priority` label that is not a
    ///   whole number from 0 up.
    func stream(for message: BrokerMessage) throws -> String {
        var queue = options.queueName
        if let label = message.labels["queue_name"]?.stringValue, !label.isEmpty { queue = label }
        return RedisStreamBrokerOptions.stream(queue, priority: try priorityLevel(of: message))
    }

    /// A message's priority level: its `priority` label, capped at the highest level; 0 without
    /// priorities (warning once when the label asks for more).
    func priorityLevel(of message: BrokerMessage) throws -> Int {
        guard let label = message.labels["priority"], !label.isNull else { return 0 }
        let level = label.intValue ?? label.stringValue.flatMap { Int($0.trimmingASCIIWhitespace()) }
        guard let level, level >= 0 else {
            throw TaskiqError(
                .invalidArguments,
                "task '\(message.taskName)': the priority label must be a whole number from 0 up, found \(label.typeName) \(label.pythonRepr)"
            )
        }
        guard options.priorities > 1 else {
            if level > 0, !warnedAboutPriority.exchange(true, ordering: .relaxed) {
                logger.warning(
                    "task '\(message.taskName)' has priority \(level), but stream '\(options.queueName)' has one level; "
                        + "set the broker's \"priorities\" (such as 3) to honour the priority label")
            }
            return 0
        }
        return min(level, options.priorities - 1)
    }

    /// Adds the message to its stream (`XADD`). Concurrent kicks share writes on one connection.
    ///
    /// A message with a positive `delay` label (seconds) goes to the sorted set
    /// `<stream>:delayed` instead, and workers of that stream move it to the stream when it is
    /// due (see ``RedisStreamBroker``).
    ///
    /// A write refused while Redis loads its data after a restart, fails over or moves a slot is
    /// sent again for up to the command timeout, as is one whose connection had died.
    public func kick(_ message: BrokerMessage) async throws {
        let stream = try stream(for: message)
        if let delay = message.delay {
            let command = RedisDelayedQueue.scheduleCommand(
                message.message, on: stream, after: delay,
                configuration: client.configuration)
            try await client.retryingTransientFailures("scheduling a delayed message") { try await add(command) }
            return
        }
        var command: [any RESPArgument] = ["XADD", stream]
        if let maxlen = options.maxlen { command += ["MAXLEN", "~", maxlen] }
        command += ["*", "data", message.message]
        try await client.retryingTransientFailures("XADD") { try await add(command) }
    }

    /// Sends the write (`XADD`, or the delayed set's script), followed in the same write and on the
    /// same connection by `WAIT` when replicas must acknowledge it.
    private func add(_ command: [any RESPArgument]) async throws {
        if options.replicasToAcknowledge > 0 { try await waitForReplicas(command) } else { try await client.send(command) }
    }

    /// Sends `command` and `WAIT` on one connection, and fails unless enough replicas
    /// acknowledged everything written on it so far.
    private func waitForReplicas(_ command: [any RESPArgument]) async throws {
        let wanted = options.replicasToAcknowledge
        // Clamped before the conversion: the options are public, and Int(Double) traps past Int.max.
        let milliseconds = Int(min(max(1, (options.replicaAcknowledgeTimeout.inSeconds * 1000).rounded(.up)), 600_000))
        let wait: [any RESPArgument] = ["WAIT", wanted, milliseconds]
        let replies = try await client.pipeline(
            [command, wait],
            timeout: client.configuration.commandTimeout + options.replicaAcknowledgeTimeout)
        for reply in replies {
            if let error = reply.redisError { throw error }
        }
        let acknowledged = replies.last?.int ?? 0
        if acknowledged < wanted {
            throw RedisError(
                code: "NOREPLICAS",
                message:
                    "the message is on the master, but \(acknowledged) of \(wanted) replicas acknowledged it within \(options.replicaAcknowledgeTimeout): it runs unless the master is lost first; kicking again may run it twice",
                command: "WAIT")
        }
    }

    /// Asks the workers of ``RedisStreamBrokerOptions/queueName`` to cancel the task with this ID,
    /// through the channel `<queue>:cancel`; the request is also kept for an hour in
    /// `<queue>:cancelled`, so a task that has not started yet will not run (see
    /// ``/Taskiq/AsyncBroker/cancelTask(id:)``). Tasks sent to other streams with a `queue_name`
    /// label are reached through a broker for that stream.
    public func cancelTask(id: String) async throws {
        try await RedisCancelChannel.request(id, queue: options.queueName, client: client)
    }

    /// Takes the lease, then yields deliveries: first this consumer's own pending entries from
    /// an earlier run under the same name, then new ones, plus entries claimed from dead consumers.
    public func listen() async throws -> DeliveryStream {
        let consumer = RedisStreamConsumer(
            client: client, options: options, consumerName: consumerName, logger: logger,
            components: components, ownDeadLetters: ownDeadLetters)
        // One consumer per priority stream above 0, highest first, each with its own lease and claiming.
        let higher = options.priorityStreams.dropLast().map { stream in
            var streamOptions = options
            streamOptions.queueName = stream
            return RedisStreamConsumer(
                client: client, options: streamOptions, consumerName: consumerName, logger: logger,
                components: components, ownDeadLetters: ownDeadLetters)
        }
        try await consumer.renewLease()
        for other in higher { try await other.renewLease() }
        await services.shutdown()
        self.consumer.withLock { $0 = consumer }
        priorityConsumers.withLock { $0 = higher }
        services.start { await consumer.maintain() }
        for other in higher {
            services.start { await other.maintain() }
            services.start(
                RedisDelayedQueue(
                    client: client, queue: other.queue, target: .stream(maxlen: options.maxlen),
                    pollInterval: options.delayPollInterval, logger: logger))
        }
        let delayed = RedisDelayedQueue(
            client: client, queue: options.queueName,
            target: .stream(maxlen: options.maxlen),
            pollInterval: options.delayPollInterval, logger: logger)
        let cancels = RedisCancelChannel(
            client: client, queue: options.queueName, cancellations: components.cancellations,
            logger: logger)
        try await cancels.loadRequests()
        services.start(delayed)
        services.start(cancels)
        logger.info(
            """
            listening on stream '\(options.queueName)' of \(client.configuration.address) as consumer \
            '\(consumerName)' of group '\(options.consumerGroupName)'
            """)
        guard !higher.isEmpty else { return DeliveryStream { try await consumer.next() } }
        logger.info("reading priority streams \(options.priorityStreams.joined(separator: ", ")) highest first")
        let reader = RedisPriorityReader(
            consumers: higher + [consumer], client: client, options: options,
            consumerName: consumerName, logger: logger)
        return DeliveryStream { try await reader.next() }
    }

    /// Gives entries read ahead and not delivered back to the queue at once (re-added with
    /// their delivery counts), so other workers take them while this one drains; the lease is
    /// still renewed for the entries running here.
    public func stopListening() async {
        for other in priorityConsumers.withLock({ $0 }) { await other.handBack() }
        guard let consumer = consumer.withLock({ $0 }) else { return }
        await consumer.handBack()
    }

    /// Stops lease renewal, writes outstanding acks, puts entries read but never started back
    /// on the queue, deletes the lease, closes the connections and shuts the components down.
    public func shutdown() async throws {
        await services.shutdown()
        for other in priorityConsumers.withLock({ state in
            defer { state = [] }
            return state
        }) {
            await other.handBack()
            await other.acks.drain()
            await other.releaseLease()
        }
        if let consumer = self.consumer.withLock({ state in
            defer { state = nil }
            return state
        }) {
            await consumer.handBack()
            await consumer.acks.drain()
            await consumer.releaseLease()
        }
        client.close()
        try await components.shutdown()
    }
}

extension RedisStreamBroker: PriorityOrdering {
    /// `true` with `priorities` above 1 (one stream per level, read highest first).
    public var honoursPriority: Bool { options.priorities > 1 }
}
