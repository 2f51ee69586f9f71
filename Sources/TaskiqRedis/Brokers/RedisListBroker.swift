import Synchronization
import Taskiq

/// A work queue over a Redis list, wire-compatible with taskiq-redis's `ListQueueBroker`.
///
/// A kick is `LPUSH <queue> <message>` (the queue is the message's `queue_name` label when
/// set); a worker loops on `BRPOP <queue> <timeout>` on a connection of its own, so each task
/// goes to exactly one worker in FIFO order.
///
/// **At-most-once:** a popped message is gone from Redis, so a task whose worker dies while
/// running it is lost, and there is nothing to acknowledge. Use ``RedisStreamBroker`` when
/// tasks must survive a crash. Unlike taskiq-redis with redis-py 8, an idle worker does not die
/// every 5 s: the read timeout is always longer than the block time, the loop reconnects after
/// failures, and shutdown interrupts the blocked pop at once.
///
/// A message with a positive `delay` label (which ``/Taskiq/SmartRetryMiddleware`` writes) waits in
/// the sorted set `<queue>:delayed` until due; each worker moves due messages onto the list
/// atomically. taskiq-redis ignores `delay`.
public final class RedisListBroker: AsyncBroker {
    /// Warns once that this broker runs tasks in arrival order whatever their `priority` label.
    private let unhonouredPriority = UnhonouredPriority(broker: "redis_list")
    public let components: BrokerComponents
    /// Where the server is, as given.
    public let url: String
    /// The list key tasks are pushed to and popped from.
    public let queueName: String
    /// How long one `BRPOP` blocks before it is issued again.
    public let blockTimeout: Duration
    /// The longest a worker waits before looking for due delayed messages.
    public let delayPollInterval: Duration

    let client: RedisClient
    /// The worker's delayed-message mover and cancel listener, while listening.
    private let services = ServiceGroup()
    private let logger = Logger(label: "taskiq.redis_list")

    /// Creates a list broker; nothing connects until ``startup()``.
    /// - Parameters:
    ///   - url: `redis://[user:password@]host:port/db`.
    ///   - queueName: The list key (taskiq-redis's default is `taskiq`).
    ///   - blockTimeout: How long one `BRPOP` blocks (default 2 s; whole seconds or fractions).
    ///   - resultBackend: Where workers store results; the dummy backend by default.
    ///   - taskIDGenerator: How task IDs are made.
    ///   - delayPollInterval: The longest a worker waits before looking for due delayed messages.
    ///   - replyLimits: Caps on replies; a reply over one closes the connection and is counted.
    /// - Throws: ``RedisConnectionError`` with code `invalidURL` for a malformed URL.
    public init(
        url: String, queueName: String = Defaults.queueName, blockTimeout: Duration = Defaults.blockTimeout,
        resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil,
        delayPollInterval: Duration = Defaults.delayPollInterval, replyLimits: RedisReplyLimits = RedisReplyLimits()
    ) throws {
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
        self.url = url
        self.queueName = queueName
        self.blockTimeout = blockTimeout
        self.delayPollInterval = delayPollInterval
        var configuration = try RedisConfiguration(url: url)
        configuration.apply(replyLimits)
        client = RedisClient(configuration: configuration, logger: Logger(label: "taskiq.redis"))
        // Rate limits and unique kicks are counted in this Redis, shared by every worker and producer.
        components.rateLimiter = RedisRateLimiter(client: client)
        components.uniqueStore = RedisUniqueStore(client: client)
    }

    /// Connections closed because Redis sent invalid RESP or a reply over ``RedisReplyLimits`` (each is logged).
    public var protocolViolations: Int { client.configuration.violations.value }

    /// Starts the components and checks that the server answers (`PING`).
    /// - Throws: ``RedisConnectionError`` naming the server when it cannot be reached or
    ///   refuses the credentials.
    public func startup() async throws {
        try await components.startup()
        try await client.send(["PING"])
    }

    /// Pushes the message on its list (`LPUSH`), or, with a positive `delay` label, adds it to
    /// `<queue>:delayed` for the workers to push when due.
    ///
    /// A write refused while Redis loads its data after a restart, fails over or moves a slot is
    /// sent again for up to the command timeout, as is one whose connection had died.
    public func kick(_ message: BrokerMessage) async throws {
        unhonouredPriority.note(message)
        var queue = queueName
        if let label = message.labels["queue_name"]?.stringValue, !label.isEmpty { queue = label }
        if let delay = message.delay {
            try await client.retryingTransientFailures("scheduling a delayed message") {
                try await RedisDelayedQueue.schedule(message.message, on: queue, after: delay, client: client)
            }
            return
        }
        try await client.retryingTransientFailures("LPUSH") { try await client.send(["LPUSH", queue, message.message]) }
    }

    /// Asks the workers of ``queueName`` to cancel the task with this ID, through the channel
    /// `<queue>:cancel`; the request is also kept for an hour in `<queue>:cancelled`, so a task
    /// that has not started yet will not run (see ``/Taskiq/AsyncBroker/cancelTask(id:)``).
    public func cancelTask(id: String) async throws {
        try await RedisCancelChannel.request(id, queue: queueName, client: client)
    }

    /// Pops messages one at a time; they cannot be acknowledged (at-most-once).
    public func listen() async throws -> DeliveryStream {
        let client = client
        let queue = queueName
        let block = blockTimeout
        let logger = logger
        let seconds = block.inSeconds
        logger.info("listening on list '\(queue)' of \(client.configuration.address)")
        let delayed = RedisDelayedQueue(
            client: client, queue: queue, target: .list, pollInterval: delayPollInterval,
            logger: logger)
        let cancels = RedisCancelChannel(
            client: client, queue: queue, cancellations: components.cancellations,
            logger: logger)
        try await cancels.loadRequests()
        await services.shutdown()
        services.start(delayed)
        services.start(cancels)
        return DeliveryStream {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let reply = try await client.sendBlocking(["BRPOP", queue, max(0.01, seconds)], blockingFor: block)
                    failures = 0
                    guard let pair = reply.array, pair.count == 2, let data = pair[1].bytes else { continue }
                    return AckableMessage(data: data)
                } catch let error as RedisConnectionError
                    where error.code != .closedLocally && error.code != .authenticationFailed && !Task.isCancelled
                {
                    failures += 1
                    let delay = Backoff.redisRetry.delay(attempt: failures)
                    logger.warning("reading '\(queue)' failed (\(failures) in a row), retrying in \(delay): \(error)")
                    do { try await Task.sleep(for: delay) } catch { return nil }
                } catch {
                    if Task.isCancelled { return nil }
                    if let error = error as? RedisConnectionError, error.code == .closedLocally { return nil }
                    throw error
                }
            }
            return nil
        }
    }

    /// Closes the connections (interrupting a blocked pop) and shuts the components down.
    public func shutdown() async throws {
        await services.shutdown()
        client.close()
        try await components.shutdown()
    }
}

extension RedisListBroker: PriorityOrdering {
    /// `false`: a list is read in push order.
    public var honoursPriority: Bool { false }
}
