import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A ``/Taskiq/SchedulerStateStore`` in Redis, shared by every scheduler process and surviving
/// restarts.
///
/// ```swift
/// let store = try RedisSchedulerStateStore(url: "redis://127.0.0.1:6379")
/// ```
/// The last slot sent for a schedule is the key `<prefix>:<schedule_id>` holding the slot as whole
/// milliseconds since 1970 (a decimal string). ``claim(_:scheduleID:)`` compares and sets it in one
/// script, so of two schedulers claiming the same slot — both believing they hold the lease during
/// a network partition, say — exactly one gets `true` and sends it.
///
/// Keys do not expire: a schedule that was removed leaves its key (a few bytes) behind.
public final class RedisSchedulerStateStore: SchedulerStateStore {
    /// The key prefix.
    public let prefix: String

    let client: RedisClient

    /// The default prefix, `taskiq:scheduler:last_fired`.
    public static let defaultPrefix = "taskiq:scheduler:last_fired"

    /// Records ARGV[1] unless the key holds the same or a later slot; 1 when it recorded it.
    static let claimScript = """
        local last = redis.call('GET', KEYS[1])
        if last and tonumber(last) and tonumber(last) >= tonumber(ARGV[1]) then
          return 0
        end
        redis.call('SET', KEYS[1], ARGV[1])
        return 1
        """

    /// Creates a store; nothing connects until the first call.
    /// - Parameters:
    ///   - url: `redis://[user:password@]host:port/db`.
    ///   - prefix: The key prefix, the same for every scheduler that shares the schedules.
    /// - Throws: ``RedisConnectionError`` for a malformed URL.
    public convenience init(url: String = RedisDefaults.url, prefix: String = defaultPrefix) throws {
        self.init(configuration: try RedisConfiguration(url: url), prefix: prefix)
    }

    /// Creates a store from a connection configuration.
    package init(
        configuration: RedisConfiguration, prefix: String = defaultPrefix,
        logger: Logger = Logger(label: "taskiq.scheduler.state")
    ) {
        self.prefix = prefix
        client = RedisClient(configuration: configuration, logger: logger)
    }

    deinit {
        client.close()
    }

    /// The key of a schedule's last slot.
    public func key(scheduleID: String) -> String { "\(prefix):\(scheduleID)" }

    /// The last slot recorded for the schedule, if any.
    /// - Throws: ``/Taskiq/ScheduleError`` when the key holds something that is not a slot.
    public func lastFired(scheduleID: String) async throws -> Date? {
        let key = key(scheduleID: scheduleID)
        guard let text = try await client.send(["GET", key]).string else { return nil }
        guard let milliseconds = Int64(text) else {
            throw ScheduleError(.invalidValue, "Redis key '\(key)' holds '\(text.prefix(40))', not a slot in milliseconds since 1970")
        }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Records `slot` (to the millisecond) unless the same or a later slot is recorded, atomically.
    public func claim(_ slot: Date, scheduleID: String) async throws -> Bool {
        let milliseconds = Int64((slot.timeIntervalSince1970 * 1000).rounded())
        return try await client.send(["EVAL", Self.claimScript, 1, key(scheduleID: scheduleID), String(milliseconds)]).int == 1
    }

    /// Closes the connection; later calls fail.
    public func close() {
        client.close()
    }
}
