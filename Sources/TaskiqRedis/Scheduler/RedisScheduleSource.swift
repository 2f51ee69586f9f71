import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Schedules stored in Redis, added and removed at run time from any process, in the key layout of
/// taskiq-redis's `ListRedisScheduleSource` with `JSONSerializer`.
///
/// ```swift
/// let source = try RedisScheduleSource(url: "redis://127.0.0.1:6379")
/// let handle = try await report.schedule(cron: "0 9 * * MON", "weekly", on: source)
/// let scheduler = Scheduler(broker: broker, sources: [source])   // in this or another process
/// try await handle.unschedule()
/// ```
///
/// **Keys** (`prefix` is `schedule` by default, as in taskiq-redis):
/// - `<prefix>:data:<schedule_id>`: the schedule as taskiq's `ScheduledTask` JSON (see
///   ``/Taskiq/Schedule/taskiqJSON``);
/// - `<prefix>:cron` and `<prefix>:interval`: lists of the IDs of cron and interval schedules;
/// - `<prefix>:time:<YYYY-MM-DDTHH:MM>`: the IDs of one-off schedules due in that UTC minute.
///
/// On a Redis Cluster every key starts with `{<prefix>}` instead, so they all share one slot
/// (the scripts and `MGET` touch several at once, and `SCAN` finds them on that slot's master).
/// That layout is ours: taskiq-redis' `RedisClusterScheduleSource` keeps `<prefix>:<schedule_id>`.
///
/// A Python process shares the schedules with
/// `ListRedisScheduleSource(url, serializer=JSONSerializer())` (taskiq-redis pickles by default;
/// pickled entries are skipped here with a warning naming the key). Unlike taskiq-redis, adding a
/// schedule whose ID exists replaces it instead of listing the ID twice, and ``schedules()`` returns
/// one-offs of every minute, not only of the current and past ones, so the scheduler can sleep until
/// them. A one-off is removed after it is sent, as in taskiq-redis.
///
/// The source keeps one connection for its lifetime: ``shutdown()`` leaves it open, since handles
/// and other schedulers may share the source; ``close()`` (or releasing the source) closes it.
public final class RedisScheduleSource: ScheduleSource {
    /// The key prefix.
    public let prefix: String

    let client: RedisClient
    private let logger: Logger

    /// The default prefix, `schedule` (taskiq-redis's).
    public static let defaultPrefix = "schedule"

    /// KEYS[1] data, KEYS[2] the list to add to, KEYS[3...] other lists; ARGV[1] the ID, ARGV[2] the JSON.
    static let addScript = """
        for i = 2, #KEYS do redis.call('LREM', KEYS[i], 0, ARGV[1]) end
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('RPUSH', KEYS[2], ARGV[1])
        return 1
        """
    /// KEYS[1] data, KEYS[2...] the lists that may hold the ID; ARGV[1] the ID.
    static let removeScript = """
        local removed = redis.call('DEL', KEYS[1])
        for i = 2, #KEYS do redis.call('LREM', KEYS[i], 0, ARGV[1]) end
        return removed
        """

    /// Creates a source; nothing connects until the first call.
    /// - Parameters:
    ///   - url: `redis://[user:password@]host:port/db`.
    ///   - prefix: The key prefix (taskiq-redis's `prefix`).
    /// - Throws: ``RedisConnectionError`` for a malformed URL.
    public convenience init(url: String = RedisDefaults.url, prefix: String = defaultPrefix) throws {
        self.init(configuration: try RedisConfiguration(url: url), prefix: prefix)
    }

    /// Creates a source from a connection configuration.
    package init(
        configuration: RedisConfiguration, prefix: String = defaultPrefix,
        logger: Logger = Logger(label: "taskiq.scheduler.redis_source")
    ) {
        self.prefix = prefix
        self.logger = logger
        client = RedisClient(configuration: configuration, logger: logger)
    }

    deinit {
        client.close()
    }

    /// Closes the connection; later calls fail.
    public func close() {
        client.close()
    }

    /// The prefix the keys start with: ``prefix``, or on a cluster `{prefix}`.
    var keyPrefix: String { RedisClusterSlot.anchor(prefix, on: client.configuration) }
    var cronKey: String { "\(keyPrefix):cron" }
    var intervalKey: String { "\(keyPrefix):interval" }
    func dataKey(_ scheduleID: String) -> String { "\(keyPrefix):data:\(scheduleID)" }
    /// The bucket of a one-off: its UTC minute.
    func timeKey(_ date: Date) -> String {
        "\(keyPrefix):time:\(ISO8601Timestamp.format(secondsSince1970: date.timeIntervalSince1970).prefix(16))"
    }

    /// The list a schedule's ID belongs in.
    func listKey(_ schedule: Schedule) -> String {
        switch schedule.trigger {
        case .cron: cronKey
        case .interval: intervalKey
        case .once(let date): timeKey(date)
        }
    }

    /// Every schedule listed under the prefix, cron first, then interval, then one-offs by minute.
    /// Entries that are missing (listed but deleted) are skipped; entries that are not a taskiq
    /// schedule in JSON are skipped with a warning.
    public func schedules() async throws -> [Schedule] {
        var lists = [cronKey, intervalKey]
        var cursor = "0"
        var timeKeys: [String] = []
        repeat {
            let reply = try await client.send(["SCAN", cursor, "MATCH", "\(Self.globEscaped(keyPrefix)):time:*", "COUNT", 1000])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                throw ScheduleError(.invalidValue, "unexpected SCAN reply \(reply)")
            }
            cursor = next
            timeKeys += (parts[1].array ?? []).compactMap(\.string)
        } while cursor != "0"
        lists += Set(timeKeys).sorted()
        let replies = try await client.pipeline(lists.map { ["LRANGE", $0, 0, -1] })
        var ids: [String] = []
        var seen: Set<String> = []
        for (list, reply) in zip(lists, replies) {
            if let error = reply.redisError { throw ScheduleError(.invalidValue, "cannot read Redis list '\(list)': \(error)") }
            for id in (reply.array ?? []).compactMap(\.string) where seen.insert(id).inserted { ids.append(id) }
        }
        var schedules: [Schedule] = []
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 100, ids.count)]
            start += chunk.count
            let values = try await client.send(["MGET"] + chunk.map(dataKey)).array ?? []
            for (id, value) in zip(chunk, values) {
                guard let bytes = value.bytes else { continue }
                do {
                    schedules.append(try Self.decode(bytes, key: dataKey(id)))
                } catch {
                    logger.warning("Skipping the schedule at Redis key '\(dataKey(id))': \(error)")
                }
            }
        }
        return schedules
    }

    /// Stores a schedule, replacing one with the same ID (and its listing).
    public func add(_ schedule: Schedule) async throws {
        let id = schedule.scheduleID
        var others = [cronKey, intervalKey]
        if let old = try await stored(id), case .once(let date) = old.trigger { others.append(timeKey(date)) }
        let target = listKey(schedule)
        others.removeAll { $0 == target }
        let json = JSONWriter(style: .python).serialize(.object(schedule.taskiqJSON))
        let keys: [any RESPArgument] = [dataKey(id), target] + others
        try await client.send(["EVAL", Self.addScript, keys.count] + keys + [id, json])
    }

    /// Deletes a schedule and its listing; an unknown ID does nothing.
    public func remove(scheduleID: String) async throws {
        var lists = [cronKey, intervalKey]
        if let old = try? await stored(scheduleID), case .once(let date) = old.trigger { lists.append(timeKey(date)) }
        let keys: [any RESPArgument] = [dataKey(scheduleID)] + lists
        try await client.send(["EVAL", Self.removeScript, keys.count] + keys + [scheduleID])
    }

    /// Removes a one-off schedule once it has been sent.
    public func postSend(_ schedule: Schedule) async throws {
        if schedule.isOneOff { try await remove(scheduleID: schedule.scheduleID) }
    }

    /// The stored schedule with this ID, if any.
    private func stored(_ scheduleID: String) async throws -> Schedule? {
        guard let bytes = try await client.send(["GET", dataKey(scheduleID)]).bytes else { return nil }
        return try Self.decode(bytes, key: dataKey(scheduleID))
    }

    /// Parses a stored schedule, naming the likely cause when it is not JSON.
    static func decode(_ bytes: [UInt8], key: String) throws -> Schedule {
        if bytes.first == 0x80 {
            throw ScheduleError(
                .invalidValue,
                """
                it is a Python pickle, not JSON; taskiq-redis pickles schedules by default: configure the Python side \
                with ListRedisScheduleSource(..., serializer=JSONSerializer())
                """)
        }
        let value: JSONValue
        do {
            value = try JSONParser().parse(bytes)
        } catch {
            throw ScheduleError(.invalidValue, "it is not JSON (\(bytes.count) bytes): \(error)")
        }
        guard let object = value.objectValue else {
            throw ScheduleError(.invalidValue, "expected a JSON object, found \(value.typeName)")
        }
        return try Schedule(taskiqJSON: object)
    }

    /// The prefix with SCAN's glob characters escaped.
    private static func globEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
