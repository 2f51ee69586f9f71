import Taskiq

/// Messages of the Redis brokers that carry a `delay` label: held in a sorted set in Redis
/// until due, then moved to their stream or list by the workers listening there.
///
/// A delayed kick adds the message bytes to `<queue>:delayed` with its due time (the server's
/// clock, in milliseconds) as the score, so producers on machines with skewed clocks agree.
/// Every worker runs ``run()``, which moves due messages with one Lua script
/// (`ZRANGEBYSCORE … LIMIT`, then `XADD` or `LPUSH`, then `ZREM`): the script runs atomically,
/// so with any number of workers each message is moved exactly once, and a message is never in
/// neither place. The messages live in Redis, so they survive worker restarts; a message that
/// fell due while no worker ran is moved when one starts. Moved messages keep their bytes, so
/// the wire format is that of an ordinary kick.
final class RedisDelayedQueue: Service {
    /// Where due messages go.
    enum Target: Sendable {
        /// `XADD <queue> [MAXLEN ~ n] * data <message>`.
        case stream(maxlen: Int?)
        /// `LPUSH <queue> <message>`.
        case list
    }

    let client: RedisClient
    let queue: String
    let target: Target
    let pollInterval: Duration
    let logger: Logger

    /// The most messages one script call moves; a full batch is followed by another at once.
    static let batchSize = 100

    init(client: RedisClient, queue: String, target: Target, pollInterval: Duration, logger: Logger) {
        self.client = client
        self.queue = queue
        self.target = target
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// The sorted set holding a queue's delayed messages: `<queue>:delayed`, or on a cluster
    /// `{<queue>}:delayed`, in the queue's slot, so one script can move messages between them.
    static func key(for queue: String, on configuration: RedisConfiguration) -> String {
        "\(RedisClusterSlot.anchor(queue, on: configuration)):delayed"
    }

    /// Holds `message` back for `delay` in the queue's sorted set.
    static func schedule(_ message: [UInt8], on queue: String, after delay: Duration, client: RedisClient) async throws {
        try await client.send(scheduleCommand(message, on: queue, after: delay, configuration: client.configuration))
    }

    /// The command ``schedule(_:on:after:client:)`` sends, for a caller that pipelines it.
    static func scheduleCommand(
        _ message: [UInt8], on queue: String, after delay: Duration,
        configuration: RedisConfiguration
    ) -> [any RESPArgument] {
        let (seconds, attoseconds) = delay.components
        let milliseconds = max(1, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        return ["EVAL", scheduleScript, 1, key(for: queue, on: configuration), milliseconds, message]
    }

    /// Moves due messages until cancelled, sleeping until the next one is due, but never longer
    /// than ``pollInterval`` (kicks from other processes are not announced).
    func run() async {
        var failures = 0
        while !Task.isCancelled {
            let wait: Duration
            do {
                wait = try await moveDue()
                failures = 0
            } catch {
                if Task.isCancelled { return }
                if let error = error as? RedisConnectionError, error.code == .closedLocally { return }
                failures += 1
                wait = Backoff.redisRetry.delay(attempt: failures)
                logger.warning("moving due delayed messages of '\(queue)' failed (\(failures) in a row), retrying in \(wait): \(error)")
            }
            if wait > .zero {
                do { try await Task.sleep(for: wait) } catch { return }
            }
        }
    }

    /// Moves every due message; returns how long to wait before looking again.
    func moveDue() async throws -> Duration {
        while true {
            let kind: String
            let maxlen: String
            switch target {
            case .stream(let limit):
                kind = "stream"
                maxlen = limit.map(String.init) ?? ""
            case .list:
                kind = "list"
                maxlen = ""
            }
            let reply = try await client.send([
                "EVAL", Self.moveScript, 2, Self.key(for: queue, on: client.configuration), queue,
                Self.batchSize, kind, maxlen,
            ])
            guard let values = reply.array, values.count == 2, let moved = values[0].int, let next = values[1].int else {
                throw RedisConnectionError(
                    .protocolViolation, host: client.configuration.host, port: client.configuration.port,
                    "unexpected reply to the delayed-message script: \(reply)")
            }
            if moved > 0 { logger.debug("moved \(moved) due delayed messages to '\(queue)'") }
            if moved >= Self.batchSize { continue }
            if next < 0 { return pollInterval }
            return min(pollInterval, .milliseconds(next))
        }
    }

    /// `KEYS[1]` the sorted set; `ARGV[1]` the delay in milliseconds, `ARGV[2]` the message. The
    /// due time is rounded up and the mover's clock down, so no message moves early.
    static let scheduleScript = """
        local t = redis.call('TIME')
        local due = tonumber(t[1]) * 1000 + math.ceil(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
        redis.call('ZADD', KEYS[1], due, ARGV[2])
        return due
        """

    /// `KEYS[1]` the sorted set, `KEYS[2]` the queue; `ARGV` batch size, `stream` or `list`, and
    /// the stream's approximate MAXLEN or an empty string. Returns the number moved and the
    /// milliseconds until the next message is due (`-1` when none is left).
    static let moveScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
        for _, message in ipairs(due) do
            if ARGV[2] == 'stream' then
                if ARGV[3] ~= '' then
                    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'data', message)
                else
                    redis.call('XADD', KEYS[2], '*', 'data', message)
                end
            else
                redis.call('LPUSH', KEYS[2], message)
            end
            redis.call('ZREM', KEYS[1], message)
        end
        local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        if #head == 0 then return {#due, -1} end
        return {#due, math.max(0, tonumber(head[2]) - now)}
        """
}
