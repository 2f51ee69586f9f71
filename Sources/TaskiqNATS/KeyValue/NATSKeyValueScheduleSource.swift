import Taskiq

/// Schedules stored in a NATS JetStream key-value bucket, added and removed at run time from any
/// process, in the layout of taskiq-nats' `NATSKeyValueScheduleSource` with `JSONSerializer`:
/// bucket `taskiq_schedules`, key `<prefix>.<schedule_id>` (prefix `schedule`), value taskiq's
/// `ScheduledTask` JSON (``/Taskiq/Schedule/taskiqJSON``). A deleted schedule is a
/// `KV-Operation: DEL` marker, as nats-py writes it; a one-off is deleted after it was sent, as in
/// taskiq-nats.
///
/// ``schedules()`` walks the bucket's stream with `STREAM.MSG.GET` `next_by_subj`: the bucket
/// keeps one message per key, so that is one request per schedule, and no consumer is made.
/// Entries that are not a taskiq schedule in JSON (a Python pickle) are skipped with a warning
/// naming the key.
public final class NATSKeyValueScheduleSource: ScheduleSource {
    /// The key prefix.
    public let prefix: String
    /// The bucket's name.
    public var bucketName: String { bucket.name }
    let bucket: NATSKeyValueBucket
    let logger: Logger

    /// Creates a source; nothing connects before ``startup()``.
    /// - Parameters:
    ///   - url: `nats://…` or `tls://…`.
    ///   - bucket: The key-value bucket (taskiq-nats' `bucket_name`).
    ///   - prefix: The key prefix (taskiq-nats' `prefix`).
    ///   - logger: Where connection losses and reconnects are logged, a bucket that exists with
    ///     another configuration, and stored schedules that cannot be read (they are skipped).
    /// - Throws: ``NATSClientError`` `invalidArgument` for a bad URL, bucket or prefix.
    public init(
        url: String = "nats://localhost:4222", bucket: String = "taskiq_schedules", prefix: String = "schedule",
        logger: Logger = Logger(label: "taskiq.scheduler.nats_source")
    ) throws {
        guard NATSKeyValueBucket.key(for: prefix) == prefix else {
            throw NATSClientError(
                .invalidArgument,
                message: "schedule prefix '\(prefix)' is not a NATS key: letters, digits, '-', '_', '=', '/' and single dots")
        }
        let client = NATSClient(configuration: try NATSConfiguration(url: url), logger: logger)
        self.bucket = try NATSKeyValueBucket(name: bucket, jetStream: JetStream(client: client))
        self.prefix = prefix
        self.logger = logger
    }

    /// Connects and creates the bucket.
    public func startup() async throws {
        if bucket.jetStream.client.connectedServer == nil { try await bucket.jetStream.client.connect() }
        try await bucket.create(ttl: nil, replicas: 1, memoryStorage: false, logger: logger)
    }

    /// Closes the connection.
    public func shutdown() async throws {
        await bucket.jetStream.client.close()
    }

    /// The key of a schedule.
    func key(_ scheduleID: String) -> String { "\(prefix).\(NATSKeyValueBucket.key(for: scheduleID))" }

    /// Every schedule in the bucket, in the order they were last written.
    public func schedules() async throws -> [Schedule] {
        var schedules: [Schedule] = []
        var sequence: UInt64 = 1
        let filter = bucket.subject("\(prefix).>")
        while let message = try await bucket.jetStream.nextMessage(stream: bucket.stream, from: sequence, subject: filter) {
            sequence = message.sequence + 1
            guard !NATSKeyValueBucket.isRemoval(message.headers), !message.payload.isEmpty else { continue }
            do {
                schedules.append(try Self.decode(message.payload))
            } catch {
                logger.warning("Skipping the schedule at NATS key '\(message.subject)': \(error)")
            }
        }
        return schedules
    }

    /// Stores a schedule, replacing one with the same ID.
    public func add(_ schedule: Schedule) async throws {
        let json = JSONWriter(style: .python).serialize(.object(schedule.taskiqJSON))
        try await bucket.put(key(schedule.scheduleID), json)
    }

    /// Deletes a schedule (a `DEL` marker); an unknown ID does nothing harmful.
    public func remove(scheduleID: String) async throws {
        var headers = NATSHeaders()
        headers.append(name: "KV-Operation", value: "DEL")
        _ = try await bucket.jetStream.publish(bucket.subject(key(scheduleID)), headers: headers, payload: [])
    }

    /// Deletes a one-off once it was sent.
    public func postSend(_ schedule: Schedule) async throws {
        if case .once = schedule.trigger { try await remove(scheduleID: schedule.scheduleID) }
    }

    static func decode(_ bytes: [UInt8]) throws -> Schedule {
        if bytes.first == 0x80 {
            throw ScheduleError(
                .invalidValue,
                "it is a Python pickle, not JSON; configure taskiq-nats' NATSKeyValueScheduleSource with serializer=JSONSerializer()")
        }
        let value: JSONValue
        do {
            value = try JSONParser().parse(bytes)
        } catch {
            throw ScheduleError(.invalidValue, "it is not JSON (\(bytes.count) bytes): \(error)")
        }
        guard let object = value.objectValue else { throw ScheduleError(.invalidValue, "expected a JSON object, found \(value.typeName)") }
        return try Schedule(taskiqJSON: object)
    }
}
