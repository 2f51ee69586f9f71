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
public final class RedisListBroker: AsyncBroker {
    public let components: BrokerComponents
    /// Where the server is, as given.
    public let url: String
    /// The list key tasks are pushed to and popped from.
    public let queueName: String
    /// How long one `BRPOP` blocks before it is issued again.
    public let blockTimeout: Duration

    let client: RedisClient
    private let logger = Logger(label: "taskiq.redis_list")

    /// Creates a list broker; nothing connects until ``startup()``.
    /// - Parameters:
    ///   - url: `redis://[user:password@]host:port/db`.
    ///   - queueName: The list key (taskiq-redis's default is `taskiq`).
    ///   - blockTimeout: How long one `BRPOP` blocks (default 2 s; whole seconds or fractions).
    ///   - resultBackend: Where workers store results; the dummy backend by default.
    ///   - taskIDGenerator: How task IDs are made.
    /// - Throws: ``RedisConnectionError`` with code `invalidURL` for a malformed URL.
    public init(url: String, queueName: String = "taskiq", blockTimeout: Duration = .seconds(2),
                resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil) throws {
        components = BrokerComponents(resultBackend: resultBackend, taskIDGenerator: taskIDGenerator)
        self.url = url
        self.queueName = queueName
        self.blockTimeout = blockTimeout
        client = RedisClient(configuration: try RedisConfiguration(url: url), logger: Logger(label: "taskiq.redis"))
    }

    /// Starts the components and checks that the server answers (`PING`).
    /// - Throws: ``RedisConnectionError`` naming the server when it cannot be reached or
    ///   refuses the credentials.
    public func startup() async throws {
        try await components.startup()
        try await client.send(["PING"])
    }

    /// Pushes the message on its list (`LPUSH`).
    public func kick(_ message: BrokerMessage) async throws {
        var queue = queueName
        if let label = message.labels["queue_name"]?.stringValue, !label.isEmpty { queue = label }
        try await client.send(["LPUSH", queue, message.message])
    }

    /// Pops messages one at a time; they cannot be acknowledged (at-most-once).
    public func listen() async throws -> AsyncThrowingStream<AckableMessage, any Error> {
        let client = client, queue = queueName, block = blockTimeout, logger = logger
        let seconds = Double(block.components.seconds) + Double(block.components.attoseconds) / 1e18
        logger.info("listening on list '\(queue)' of \(client.configuration.address)")
        return AsyncThrowingStream {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let reply = try await client.sendBlocking(["BRPOP", queue, max(0.01, seconds)], blockingFor: block)
                    failures = 0
                    guard let pair = reply.array, pair.count == 2, let data = pair[1].bytes else { continue }
                    return AckableMessage(data: data)
                } catch let error as RedisConnectionError
                            where error.code != .closedLocally && error.code != .authenticationFailed && !Task.isCancelled {
                    failures += 1
                    let delay = Duration.milliseconds(min(5000, 100 << min(failures, 6)))
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
        client.close()
        try await components.shutdown()
    }
}
