import Synchronization
import Taskiq

/// Keeps dead letters in a JetStream stream (`taskiq_dead_letter` by default), one message per
/// letter on the subject of the stream's name; a letter's ID is its sequence number.
///
/// ``add(_:)`` returns once the stream acknowledged the letter (the letter's JSON, as
/// ``/Taskiq/DeadLetter/jsonValue``). Reading never takes letters away: ``list(order:limit:)`` and
/// ``letter(id:)`` read stored messages by sequence; ``remove(id:)`` deletes one, ``purge()`` all.
/// The stream is created on first use, file-backed, with the broker's replicas.
public final class NATSDeadLetterQueue: DeadLetterQueue {
    /// The stream's name (and subject).
    public let stream: String
    let jetStream: JetStream
    let replicas: Int
    /// Whether this queue connects and closes its client itself (made from a URL), or uses a broker's.
    let connects: Bool
    let created = Mutex(false)

    /// A dead-letter queue on its own connection; nothing connects before ``startup()``.
    /// - Parameters:
    ///   - url: `nats://…` or `tls://…`.
    ///   - stream: The stream name.
    ///   - replicas: Copies of the stream in a cluster.
    /// - Throws: ``NATSClientError`` `invalidArgument` for a bad URL or stream name.
    public convenience init(url: String = "nats://localhost:4222", stream: String = "taskiq_dead_letter", replicas: Int = 1) throws {
        try NATSNames.checkName(stream, what: "stream")
        let client = NATSClient(configuration: try NATSConfiguration(url: url))
        self.init(jetStream: JetStream(client: client), stream: stream, replicas: replicas, connects: true)
    }

    init(jetStream: JetStream, stream: String, replicas: Int, connects: Bool) {
        self.jetStream = jetStream
        self.stream = stream
        self.replicas = replicas
        self.connects = connects
    }

    /// Connects, when this queue has a connection of its own.
    public func startup() async throws {
        if connects { try await jetStream.client.connect() }
    }

    /// Closes the connection, when this queue has one of its own.
    public func shutdown() async throws {
        if connects { await jetStream.client.close() }
    }

    /// Creates the stream once.
    private func ensureStream() async throws {
        guard !created.withLock({ $0 }) else { return }
        var config: JSONObject = ["name": .string(stream), "subjects": [.string(stream)], "retention": "limits", "storage": "file"]
        if replicas != 1 { config["num_replicas"] = .int(replicas) }
        try await jetStream.ensureStream(config, logger: Logger(label: "taskiq.nats"))
        created.withLock { $0 = true }
    }

    /// Stores a letter; returns its sequence number as its ID.
    @discardableResult
    public func add(_ letter: DeadLetter) async throws -> String {
        try await ensureStream()
        var stored = letter
        stored.id = ""
        let ack = try await jetStream.publish(stream, payload: stored.jsonValue.serialized(style: .compact))
        return String(ack.sequence)
    }

    /// Letters in order, at most `limit` of them.
    public func list(order: DeadLetterOrder, limit: Int?) async throws -> [DeadLetter] {
        try await ensureStream()
        let info = try await jetStream.api("STREAM.INFO.\(stream)")
        guard let state = info["state"]?.objectValue, let first = state["first_seq"]?.intValue, let last = state["last_seq"]?.intValue,
            (state["messages"]?.intValue ?? 0) > 0, first <= last
        else { return [] }
        var letters: [DeadLetter] = []
        let sequences: any Sequence<Int> = order == .oldestFirst ? AnySequence(first...last) : AnySequence((first...last).reversed())
        for sequence in sequences {
            if let limit, letters.count >= limit { break }
            if let letter = try await letter(sequence: UInt64(sequence)) { letters.append(letter) }
        }
        return letters
    }

    /// The letter stored under an ID, or `nil`.
    public func letter(id: String) async throws -> DeadLetter? {
        guard let sequence = UInt64(id), sequence > 0 else { return nil }
        try await ensureStream()
        return try await letter(sequence: sequence)
    }

    private func letter(sequence: UInt64) async throws -> DeadLetter? {
        guard let message = try await jetStream.message(stream: stream, sequence: sequence) else { return nil }
        var letter = try DeadLetter(jsonValue: JSONParser().parse(message.payload))
        letter.id = String(sequence)
        return letter
    }

    /// Deletes a letter; returns whether it was there.
    @discardableResult
    public func remove(id: String) async throws -> Bool {
        guard let sequence = UInt64(id), sequence > 0 else { return false }
        try await ensureStream()
        return try await jetStream.deleteMessage(stream: stream, sequence: sequence)
    }

    /// Deletes every letter; returns how many there were.
    @discardableResult
    public func purge() async throws -> Int {
        try await ensureStream()
        return try await jetStream.purge(stream: stream)
    }
}
