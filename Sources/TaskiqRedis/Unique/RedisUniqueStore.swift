import Taskiq

/// A ``/Taskiq/UniqueStore`` in Redis, shared by every producer of a queue: the first kick of a key
/// sets it with `SET key task_id NX PX window`, and a script reads the recorded ID in the same
/// step when the key exists, so of any number of concurrent kicks exactly one records its task
/// ID and every other one gets that ID.
public final class RedisUniqueStore: UniqueStore {
    let client: RedisClient

    /// Sets KEYS[1] to ARGV[1] for ARGV[2] ms unless it exists; returns nil when set, else the value.
    static let claimScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
        return redis.call('GET', KEYS[1])
        """

    /// Deletes KEYS[1] if it holds ARGV[1].
    static let releaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """

    /// Creates a store on the client's server.
    package init(client: RedisClient) {
        self.client = client
    }

    /// Creates a store with a connection of its own; nothing connects until the first call.
    /// - Throws: ``RedisConnectionError`` for a malformed URL.
    public convenience init(url: String) throws {
        self.init(client: RedisClient(configuration: try RedisConfiguration(url: url)))
    }

    /// Records `taskID` under `key` for `window` unless the key exists.
    /// - Returns: `nil` when recorded; otherwise the task ID recorded first.
    public func claim(_ key: String, taskID: String, for window: Duration) async throws -> String? {
        let milliseconds = max(1, Int(min(window.inSecondsForUnique, 1e12) * 1000))
        let reply = try await client.send(["EVAL", Self.claimScript, 1, key, taskID, milliseconds])
        if case .null = reply.withoutAttributes { return nil }
        guard let first = reply.string else {
            throw TaskiqError(.unsupported, "the unique-key script answered \(reply); expected a task ID or nil")
        }
        return first
    }

    /// Removes `key` if it still records `taskID`.
    public func release(_ key: String, taskID: String) async throws {
        try await client.send(["EVAL", Self.releaseScript, 1, key, taskID])
    }
}

extension Duration {
    fileprivate var inSecondsForUnique: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
