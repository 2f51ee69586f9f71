import Taskiq

/// Cancellation by task ID for the Redis brokers, across processes.
///
/// A request (``request(_:queue:client:)``) does two things in one script: it records the ID
/// in the sorted set `<queue>:cancelled` (score: expiry in server milliseconds; kept an hour,
/// at most 10,000 IDs) and publishes it on the channel `<queue>:cancel`. Every worker of the
/// queue runs ``run()``: it subscribes to the channel and, after each (re)subscription, reads
/// the set, so a request is seen even if it was made while the worker was down or
/// reconnecting, and a task that arrives after its cancellation does not run. Each ID goes to
/// the worker's ``TaskCancellations``, which cancels the task if it runs there.
///
/// On a server that speaks only RESP2 (no pub/sub push frames on a shared reader), the worker
/// reads the set every second instead.
final class RedisCancelChannel: Service {
    let client: RedisClient
    let queue: String
    let cancellations: TaskCancellations
    let logger: Logger

    /// How long a request is kept in Redis.
    static let retention = Duration.seconds(3600)
    /// The most requests kept in Redis.
    static let capacity = 10_000

    init(client: RedisClient, queue: String, cancellations: TaskCancellations, logger: Logger) {
        self.client = client
        self.queue = queue
        self.cancellations = cancellations
        self.logger = logger
    }

    /// The pub/sub channel requests are announced on.
    static func channel(for queue: String) -> String { "\(queue):cancel" }
    /// The sorted set of recent requests.
    static func key(for queue: String) -> String { "\(queue):cancelled" }

    /// Records and announces a request to cancel `taskID` for the workers of `queue`.
    /// - Returns: How many workers were subscribed when it was announced.
    @discardableResult
    static func request(_ taskID: String, queue: String, client: RedisClient) async throws -> Int {
        let reply = try await client.send([
            "EVAL", requestScript, 1, key(for: queue), channel(for: queue), taskID,
            Int(retention.components.seconds) * 1000, capacity,
        ])
        return reply.int ?? 0
    }

    /// Subscribes until cancelled, reconnecting with the client's backoff.
    func run() async {
        let address = client.configuration.address
        await RedisSubscription(
            channel: Self.channel(for: queue), configuration: client.configuration, logger: logger,
            purpose: "cancel requests",
            // Requests made while nobody here listened are in the set.
            subscribed: { try await self.loadRequests() },
            received: { taskID in
                self.logger.info("cancel requested for task \(taskID)")
                self.cancellations.cancel(taskID)
            },
            withoutPushes: {
                self.logger.notice("Redis at \(address) speaks only RESP2: cancel requests for '\(self.queue)' are read every second")
                while !Task.isCancelled {
                    try await self.loadRequests()
                    try await Task.sleep(for: .seconds(1))
                }
            }
        ).run()
    }

    /// Passes every request still in the set to ``cancellations``. Workers call it before the
    /// first delivery, so a task cancelled while no worker ran is refused from the start.
    func loadRequests() async throws {
        let reply = try await client.send(["EVAL", Self.loadScript, 1, Self.key(for: queue)])
        for id in reply.array?.compactMap(\.string) ?? [] { cancellations.cancel(id) }
    }

    /// `KEYS[1]` the set; `ARGV` channel, task ID, retention in ms, capacity.
    static let requestScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[4]) - 1)
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
        return redis.call('PUBLISH', ARGV[1], ARGV[2])
        """

    /// `KEYS[1]` the set: the IDs not yet expired.
    static let loadScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
        """
}
