import Taskiq

/// Stores results in Redis exactly as taskiq-redis's `RedisAsyncResultBackend` with
/// `JSONSerializer` does, so Swift and Python producers and workers can share results.
///
/// ```swift
/// let backend = try RedisResultBackend(url: "redis://127.0.0.1:6379/0", expiry: .seconds(600))
/// broker.withResultBackend(backend)
/// ```
/// A result is stored under `<task_id>` (or `<prefix>:<task_id>`) as the UTF-8 bytes Python's
/// `json.dumps(result.model_dump(mode="json"))` writes; progress under the same key plus
/// `__progress`, as `{"state": ..., "meta": ...}`. Reading needs the Python side to use JSON
/// too — taskiq-redis pickles by default, so configure it as
/// `RedisAsyncResultBackend(url, serializer=JSONSerializer())`; a pickled value is reported
/// as such rather than as corrupt data.
///
/// Waiting does not poll every 200 ms as taskiq does. After storing a result, a Swift worker
/// also publishes the task ID on the channel `taskiq:results` (`<prefix>:taskiq:results` with
/// a prefix), in the same round trip as the `SET`; a result of 512 bytes of JSON or less
/// follows the ID after a NUL byte, and a waiter that kept results takes it from there
/// without reading the key. Each backend keeps one subscriber
/// connection for all of its waiters, subscribed before any of them first checks for its
/// result, so such a result is read within a round trip of being stored. Python workers do
/// not publish, so waiters also poll, backing off from 1 ms to 50 ms: a Python worker's
/// result is seen within 50 ms. The poll also covers the time the subscriber needs to
/// reconnect after a server restart.
public final class RedisResultBackend: ResultBackend {
    /// How long Redis keeps results and progress (`SET ... EX` or `PX`).
    public struct Expiry: Sendable, Hashable {
        /// `EX` or `PX`.
        let option: String
        /// The amount in the option's unit.
        let amount: Int

        /// Keep results for whole seconds (taskiq-redis's `result_ex_time`).
        public static func seconds(_ seconds: Int) -> Expiry { Expiry(option: "EX", amount: seconds) }
        /// Keep results for milliseconds (taskiq-redis's `result_px_time`).
        public static func milliseconds(_ milliseconds: Int) -> Expiry { Expiry(option: "PX", amount: milliseconds) }
    }

    /// The key prefix (`prefix_str`), if any.
    public let prefix: String?
    /// How long results are kept; `nil` keeps them until deleted.
    public let expiry: Expiry?
    /// Whether a result stays after it is read; `false` deletes it on the first read (`GETDEL`).
    public let keepResults: Bool
    /// Results are kept after they are read unless told otherwise, as in taskiq-redis.
    public static let defaultKeepResults = true
    /// The channel result IDs are announced on.
    public var channel: String { notifier.channel }

    let pollInterval: ClosedRange<Duration>
    let client: RedisClient
    let notifier: RedisResultNotifier

    /// Creates a backend; nothing connects until it is used.
    /// - Parameters:
    ///   - url: `redis://[user:password@]host:port/db`.
    ///   - prefix: Stores results under `<prefix>:<task_id>` (taskiq-redis's `prefix_str`).
    ///   - expiry: How long results and progress are kept; `nil` keeps them.
    ///   - keepResults: `false` deletes a result when it is read.
    ///   - replyLimits: Caps on replies (a stored result is one bulk string); a reply over one closes
    ///     the connection and is counted.
    /// - Throws: ``RedisConnectionError`` for a malformed URL; ``/Taskiq/TaskiqError`` for an
    ///   expiry that is not positive.
    public convenience init(
        url: String = RedisDefaults.url, prefix: String? = nil, expiry: Expiry? = nil,
        keepResults: Bool = defaultKeepResults, replyLimits: RedisReplyLimits = RedisReplyLimits()
    ) throws {
        var configuration = try RedisConfiguration(url: url)
        configuration.apply(replyLimits)
        try self.init(configuration: configuration, prefix: prefix, expiry: expiry, keepResults: keepResults)
    }

    /// Connections closed because Redis sent invalid RESP or a reply over ``RedisReplyLimits`` (each is logged).
    public var protocolViolations: Int { client.configuration.violations.value }

    /// Creates a backend from a connection configuration.
    /// - Parameters:
    ///   - pollInterval: The first and the longest pause between polls while waiting.
    ///   - onSubscribe: Called after every confirmed subscription of the notifier.
    package init(
        configuration: RedisConfiguration, prefix: String? = nil, expiry: Expiry? = nil, keepResults: Bool = defaultKeepResults,
        pollInterval: ClosedRange<Duration> = .milliseconds(1) ... .milliseconds(50),
        logger: Logger = Logger(label: "taskiq.redis.results"), onSubscribe: (@Sendable () -> Void)? = nil
    ) throws {
        if let expiry, expiry.amount <= 0 {
            let name = expiry.option == "EX" ? "result_ex_time" : "result_px_time"
            throw TaskiqError(.resultBackend, "\(name) must be more than zero, found \(expiry.amount)")
        }
        self.prefix = prefix
        self.expiry = expiry
        self.keepResults = keepResults
        self.pollInterval = pollInterval
        self.client = RedisClient(configuration: configuration, logger: logger)
        self.notifier = RedisResultNotifier(
            channel: prefix.map { "\($0):taskiq:results" } ?? "taskiq:results",
            configuration: configuration, logger: logger, onSubscribe: onSubscribe)
    }

    deinit {
        notifier.close()
        client.close()
    }

    /// The key a task's result is stored under.
    public func key(for taskID: String) -> String {
        prefix.map { "\($0):\(taskID)" } ?? taskID
    }

    /// The key a task's progress is stored under.
    public func progressKey(for taskID: String) -> String {
        key(for: taskID) + "__progress"
    }

    /// Closes the connections; waiters and later calls fail.
    public func shutdown() async throws {
        // The client first: a waiter woken by the notifier's close must find it closed
        // (and throw shutDown), not poll once more and sleep until its next poll.
        client.close()
        await notifier.shutdown()
    }

    /// Stores the result and announces it to waiters, in one round trip.
    ///
    /// A server restarting, loading its data, failing over or out of reach for a moment is
    /// waited for, up to the command timeout: the task already ran, so its result is worth a wait.
    public func setResult(_ result: TaskiqResult<JSONValue>, for taskID: String) async throws {
        let key = key(for: taskID)
        let value = result.wireValue.serialized(style: .python)
        let commands: [[any RESPArgument]] = [
            setCommand(key, value),
            ["PUBLISH", notifier.channel, RedisResultNotifier.announcement(taskID: taskID, result: value)],
        ]
        do {
            // The task ran: a server restarting, loading or failing over is waited for (up to
            // the command timeout) rather than the result lost. SET and PUBLISH may repeat harmlessly.
            try await client.retryingTransientFailures("SET", whileUnreachable: true) {
                let replies = try await client.pipeline(commands)
                if let error = replies.first?.redisError {
                    throw RedisError(code: error.code, message: error.message, command: "SET")
                }
            }
        } catch {
            throw failure(error, "cannot store the result of task \(taskID)", key: key)
        }
    }

    /// Whether the result key exists (`EXISTS`).
    public func isResultReady(_ taskID: String) async throws -> Bool {
        let key = key(for: taskID)
        do {
            return try await client.send(["EXISTS", key]).int == 1
        } catch {
            throw failure(error, "cannot check for the result of task \(taskID)", key: key)
        }
    }

    /// Reads the result with `GET`, or `GETDEL` when results are not kept.
    /// - Throws: ``/Taskiq/TaskiqError`` with code `.resultMissing` when none is
    ///   stored, `.invalidResult` when the value is not taskiq result JSON
    ///   (pickled by a Python backend, or a key of another type).
    public func getResult(_ taskID: String, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        let key = key(for: taskID)
        let reply: RESPValue
        do {
            reply = try await client.send([keepResults ? "GET" : "GETDEL", key])
        } catch {
            throw failure(error, "cannot read the result of task \(taskID)", key: key)
        }
        guard let bytes = reply.bytes else {
            throw TaskiqError(.resultMissing, "no result is stored for task \(taskID) (Redis key '\(key)' does not exist)")
        }
        var result = try Self.decodeResult(bytes, key: key)
        if !withLogs { result.log = nil }
        return result
    }

    /// Stores progress under `<key>__progress` with the results' expiry; a `nil` meta keeps
    /// the meta stored before.
    public func setProgress(_ progress: TaskProgress, for taskID: String) async throws {
        var progress = progress
        if progress.meta == nil, let previous = try await getProgress(taskID) { progress.meta = previous.meta }
        let key = progressKey(for: taskID)
        do {
            try await client.send(setCommand(key, progress.wireValue))
        } catch {
            throw failure(error, "cannot store the progress of task \(taskID)", key: key)
        }
    }

    /// Reads progress; `nil` when none was reported.
    public func getProgress(_ taskID: String) async throws -> TaskProgress? {
        let key = progressKey(for: taskID)
        let reply: RESPValue
        do {
            reply = try await client.send(["GET", key])
        } catch {
            throw failure(error, "cannot read the progress of task \(taskID)", key: key)
        }
        guard let bytes = reply.bytes else { return nil }
        return try TaskProgress(wireValue: try Self.decode(bytes, key: key))
    }

    private func setCommand(_ key: String, _ value: JSONValue) -> [any RESPArgument] {
        setCommand(key, value.serialized(style: .python))
    }

    private func setCommand(_ key: String, _ value: [UInt8]) -> [any RESPArgument] {
        var command: [any RESPArgument] = ["SET", key, value]
        if let expiry { command += [expiry.option, expiry.amount] }
        return command
    }
}
