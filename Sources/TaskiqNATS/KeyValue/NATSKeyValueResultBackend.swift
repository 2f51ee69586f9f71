import Synchronization
import Taskiq

/// Keeps results and progress in a NATS JetStream key-value bucket (`taskiq_results` by
/// default), as JSON: a NATS-only deployment needs no Redis.
///
/// A result is the value of the key named after its task ID (task IDs NATS does not allow as a
/// key are base64-encoded), progress that of `<key>.progress`; both expire with the bucket's
/// ``ttl``. ``waitResult(_:timeout:withLogs:)`` is push-notified: it subscribes to the key's
/// subject, where every put is also a message, reads the key once (a result stored before), and
/// then wakes the moment the result is stored; a read every two seconds covers a notification
/// lost to a reconnect.
///
/// While NATS is briefly unavailable (a restart, a stalled server, a leader election), a put or a
/// read is tried again for up to ``unavailableTimeout``, and a waiter's read until its own
/// timeout: a worker does not lose the result of a task that ran, and a waiter whose result was
/// stored does not fail.
public final class NATSKeyValueResultBackend: ResultBackend {
    /// The bucket's name.
    public var bucketName: String { bucket.name }
    /// How long results live; `nil` forever.
    public let ttl: Duration?
    /// Keep results after they are read (taskiq's `keep_results`).
    public let keepResults: Bool
    let bucket: NATSKeyValueBucket
    let replicas: Int
    let recheckInterval: Duration
    /// How long a put or a read is tried again while NATS is briefly unavailable.
    public let unavailableTimeout: Duration
    let logger: Logger

    /// Creates a backend; nothing connects before ``startup()``.
    /// - Parameters:
    ///   - url: `nats://…` or `tls://…`.
    ///   - bucket: The key-value bucket.
    ///   - ttl: How long a result lives (the bucket's `max_age`); `nil` forever.
    ///   - keepResults: Keep a result after it was read; `false` purges it on read.
    ///   - replicas: Copies of the bucket in a cluster.
    ///   - recheckInterval: How often a waiter also reads the bucket, in case the put's notification
    ///     was lost with a connection.
    ///   - unavailableTimeout: How long a put or a read is tried again while NATS is briefly
    ///     unavailable, before it fails.
    ///   - logger: Where connection losses and reconnects are logged, and a bucket that exists with
    ///     another configuration.
    /// - Throws: ``NATSClientError`` `invalidArgument` for a bad URL or bucket name.
    public init(
        url: String = "nats://localhost:4222", bucket: String = "taskiq_results", ttl: Duration? = nil, keepResults: Bool = true,
        replicas: Int = 1, recheckInterval: Duration = .seconds(2), unavailableTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "taskiq.nats")
    ) throws {
        let client = NATSClient(configuration: try NATSConfiguration(url: url), logger: logger)
        self.bucket = try NATSKeyValueBucket(name: bucket, jetStream: JetStream(client: client))
        self.ttl = ttl
        self.keepResults = keepResults
        self.replicas = replicas
        self.recheckInterval = recheckInterval
        self.unavailableTimeout = unavailableTimeout
        self.logger = logger
    }

    /// Connects and creates the bucket.
    public func startup() async throws {
        try await bucket.jetStream.client.connect()
        try await bucket.create(ttl: ttl, replicas: replicas, memoryStorage: false, logger: logger)
    }

    /// Closes the connection.
    public func shutdown() async throws {
        await bucket.jetStream.client.close()
    }

    /// Stores a result; returns once the stream acknowledged it.
    public func setResult(_ result: TaskiqResult<JSONValue>, for taskID: String) async throws {
        let key = NATSKeyValueBucket.key(for: taskID)
        do {
            let value = result.wireValue.serialized(style: .compact)
            _ = try await whileUnavailable("storing the result of task \(taskID)", until: unavailableDeadline) {
                try await bucket.put(key, value)
            }
        } catch {
            throw failure(error, "cannot store the result of task \(taskID)", key: key)
        }
    }

    /// Whether a result is stored.
    public func isResultReady(_ taskID: String) async throws -> Bool {
        let key = NATSKeyValueBucket.key(for: taskID)
        do {
            return try await whileUnavailable("looking for the result of task \(taskID)", until: unavailableDeadline) {
                try await bucket.get(key)
            } != nil
        } catch {
            throw failure(error, "cannot look for the result of task \(taskID)", key: key)
        }
    }

    /// Reads a stored result.
    /// - Throws: ``/Taskiq/TaskiqError`` `resultMissing` when none is stored, `invalidResult` for a
    ///   value that is no result.
    public func getResult(_ taskID: String, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        try await readResult(taskID, withLogs: withLogs, until: unavailableDeadline)
    }

    /// ``getResult(_:withLogs:)``, reading again while NATS is unavailable until `deadline`
    /// (`nil`: as long as that lasts).
    private func readResult(_ taskID: String, withLogs: Bool, until deadline: ContinuousClock.Instant?) async throws
        -> TaskiqResult<JSONValue>
    {
        let key = NATSKeyValueBucket.key(for: taskID)
        let entry: NATSKeyValueBucket.Entry?
        do {
            entry = try await whileUnavailable("reading the result of task \(taskID)", until: deadline) { try await bucket.get(key) }
        } catch {
            throw failure(error, "cannot read the result of task \(taskID)", key: key)
        }
        guard let entry else {
            throw TaskiqError(.resultMissing, "no result is stored for task \(taskID) (key '\(key)' of bucket '\(bucket.name)')")
        }
        var result = try decode(entry.value, key: key)
        if !keepResults { try? await bucket.purge(key) }
        if !withLogs { result.log = nil }
        return result
    }

    /// Waits for the result, woken by the put itself.
    public func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        let key = NATSKeyValueBucket.key(for: taskID)
        let arrived = OnceContinuation<Void>()
        let client = bucket.jetStream.client
        let sid = try client.subscribe(bucket.subject(key)) { message in
            if !NATSKeyValueBucket.isRemoval(message.headers) { arrived.resume(with: .success(())) }
        }
        defer { client.unsubscribe(sid) }
        let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        let pause = recheckInterval
        let checker = Task {
            while !Task.isCancelled {
                if let entry = try? await bucket.get(key), !entry.value.isEmpty {
                    arrived.resume(with: .success(()))
                    return
                }
                if let deadline, ContinuousClock.now.advanced(by: pause) >= deadline {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    arrived.resume(with: .failure(TaskiqError(.resultTimeout, "no result for task \(taskID) within \(timeout ?? .zero)")))
                    return
                }
                try? await Task.sleep(for: pause)
            }
        }
        defer { checker.cancel() }
        try await withTaskCancellationHandler {
            try await arrived.value
        } onCancel: {
            arrived.resume(with: .failure(CancellationError()))
        }
        // The result is stored: a read that meets NATS unavailable is tried again for as long as
        // the caller waits.
        return try await readResult(taskID, withLogs: withLogs, until: deadline)
    }

    /// Stores progress under `<key>.progress`.
    public func setProgress(_ progress: TaskProgress, for taskID: String) async throws {
        let key = NATSKeyValueBucket.key(for: taskID) + ".progress"
        do {
            let value = progress.wireValue.serialized(style: .compact)
            _ = try await whileUnavailable("storing the progress of task \(taskID)", until: unavailableDeadline) {
                try await bucket.put(key, value)
            }
        } catch {
            throw failure(error, "cannot store the progress of task \(taskID)", key: key)
        }
    }

    /// Reads progress, if any was stored.
    public func getProgress(_ taskID: String) async throws -> TaskProgress? {
        let key = NATSKeyValueBucket.key(for: taskID) + ".progress"
        let entry: NATSKeyValueBucket.Entry?
        do {
            entry = try await whileUnavailable("reading the progress of task \(taskID)", until: unavailableDeadline) {
                try await bucket.get(key)
            }
        } catch {
            throw failure(error, "cannot read the progress of task \(taskID)", key: key)
        }
        guard let entry else { return nil }
        return try TaskProgress(wireValue: try parse(entry.value, key: key))
    }

    /// ``unavailableTimeout`` from now: how long a put or a read started now may be tried again.
    private var unavailableDeadline: ContinuousClock.Instant { ContinuousClock.now.advanced(by: unavailableTimeout) }

    /// Runs `operation`, again while NATS is briefly unavailable, until `deadline` (`nil`: for
    /// as long as that lasts), logging the first failure. A put sent again is harmless: a key
    /// keeps its last value.
    private func whileUnavailable<Value: Sendable>(
        _ doing: @autoclosure () -> String, until deadline: ContinuousClock.Instant?, _ operation: () async throws -> Value
    ) async throws -> Value {
        try await NATSClientError.retryingTransient(
            until: deadline,
            firstFailure: { logger.warning("\(doing()) failed (\($0)); trying again while NATS is unavailable") },
            operation)
    }

    private func parse(_ bytes: [UInt8], key: String) throws(TaskiqError) -> JSONValue {
        do {
            return try JSONParser(allowNonFinite: true).parse(bytes)
        } catch {
            throw TaskiqError(
                .invalidResult, "the value of key '\(key)' in bucket '\(bucket.name)' is not JSON (\(bytes.count) bytes)", underlying: error
            )
        }
    }

    private func decode(_ bytes: [UInt8], key: String) throws(TaskiqError) -> TaskiqResult<JSONValue> {
        do {
            return try TaskiqResult(wireValue: try parse(bytes, key: key))
        } catch {
            throw TaskiqError(
                .invalidResult, "the value of key '\(key)' in bucket '\(bucket.name)' is not a taskiq result: \(error.message)")
        }
    }

    private func failure(_ error: any Error, _ doing: String, key: String) -> any Error {
        switch error {
        case is CancellationError, is TaskiqError:
            return error
        case let nats as NATSClientError where nats.code == .closed:
            return TaskiqError(.shutDown, "\(doing): the NATS result backend was shut down", underlying: nats)
        default:
            return TaskiqError(.resultBackend, "\(doing) at key '\(key)' of NATS bucket '\(bucket.name)'", underlying: error)
        }
    }
}
