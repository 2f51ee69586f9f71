import Taskiq

/// A ``/Taskiq/RateLimiter`` in Redis, shared by every worker of a queue: one key per limit holding
/// the earliest time (microseconds of the server's clock) the next start may happen.
///
/// One Lua script reads the server's `TIME`, compares, and either moves the key on by one
/// interval (the start is counted) or returns the microseconds to wait; it runs atomically, so
/// workers in any number of processes together never start more than the limit. It is sent
/// with `EVALSHA`, falling back to `EVAL` when the server answers `NOSCRIPT` (after a restart
/// or `SCRIPT FLUSH`, or on another cluster node). Keys expire a second after their next start.
public final class RedisRateLimiter: RateLimiter {
    /// The prefix of every key: `taskiq:rate_limit:task:<name>`, `taskiq:rate_limit:queue:<name>`.
    public let prefix: String

    let client: RedisClient
    private let sha = MutexBox<String?>(nil)

    /// ARGV[1]: interval, ARGV[2]: slack, both in microseconds. Returns 0 (counted) or the wait.
    static let script = """
        local interval = tonumber(ARGV[1])
        local slack = tonumber(ARGV[2])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local stored = redis.call('GET', KEYS[1])
        local allowed = stored and tonumber(stored) or now
        if allowed > now then return math.ceil(allowed - now) end
        local base = allowed
        if base < now - slack then base = now - slack end
        local next_at = base + interval
        redis.call('SET', KEYS[1], string.format('%.0f', next_at), 'PX', math.ceil((next_at - now) / 1000) + 1000)
        return 0
        """

    /// The default prefix, `taskiq:rate_limit:`.
    public static let defaultPrefix = "taskiq:rate_limit:"

    /// Creates a limiter on the client's server.
    package init(client: RedisClient, prefix: String = defaultPrefix) {
        self.client = client
        self.prefix = prefix
    }

    /// Creates a limiter with a connection of its own; nothing connects until the first call.
    /// - Throws: ``RedisConnectionError`` for a malformed URL.
    public convenience init(url: String, prefix: String = defaultPrefix) throws {
        self.init(client: RedisClient(configuration: try RedisConfiguration(url: url)), prefix: prefix)
    }

    /// Counts one start under `key` if `limit` allows it now; otherwise returns how long to wait.
    public func acquire(_ key: String, limit: RateLimit) async throws -> Duration {
        let arguments: [any RESPArgument] = [1, prefix + key, limit.intervalMicroseconds, limit.slackMicroseconds]
        let reply: RESPValue
        if let sha = sha.value {
            do {
                reply = try await client.send(["EVALSHA", sha] + arguments)
            } catch let error as RedisError where error.code == "NOSCRIPT" {
                reply = try await client.send(["EVAL", Self.script] + arguments)
            }
        } else {
            let loaded = try await client.send(["SCRIPT", "LOAD", Self.script])
            guard let text = loaded.string else {
                throw TaskiqError(.unsupported, "Redis answered SCRIPT LOAD with \(loaded); expected the script's SHA1")
            }
            sha.value = text
            reply = try await client.send(["EVALSHA", text] + arguments)
        }
        guard let micros = reply.int, micros >= 0 else {
            throw TaskiqError(.unsupported, "the rate-limit script answered \(reply); expected a number of microseconds")
        }
        return .microseconds(min(micros, 86_400_000_000))
    }
}
