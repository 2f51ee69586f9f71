import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Keeps dead letters in a Redis stream, one entry per letter; the entry ID is the letter's ID.
///
/// The ``RedisStreamBroker`` uses one over its own connection on `<queue_name>:dead` unless the
/// broker is given another queue. An entry's fields: `data` (the message bytes), `reason` (the
/// sentence for people), `code` (the ``/Taskiq/DeadLetter/Reason`` name), `time` (milliseconds
/// since 1970) and, when known, `queue`, `broker`, `original_id`, `delivery_count`, `task_name`,
/// `task_id` and `error` (taskiq's error JSON). Entries written before `code` existed (only
/// `data`, `reason`, `original_id`, `delivery_count` and `queue`) read as delivery-limit or
/// undecodable letters, by their reason.
public final class RedisStreamDeadLetterQueue: DeadLetterQueue {
    /// The stream key.
    public let stream: String
    /// Caps the stream at about this many entries (`XADD MAXLEN ~ n`); `nil` keeps all.
    public let maxlen: Int?
    let client: RedisClient
    private let ownsClient: Bool

    /// Creates a queue on a server; nothing connects until the first command.
    /// - Parameters:
    ///   - url: `redis://[user:password@]host:port/db`.
    ///   - stream: The stream key.
    ///   - maxlen: Caps the stream at about this many entries; `nil` keeps all.
    /// - Throws: ``RedisConnectionError`` with code `invalidURL` for a malformed URL.
    public convenience init(url: String, stream: String, maxlen: Int? = nil) throws {
        var configuration = try RedisConfiguration(url: url)
        configuration.connectTimeout = .seconds(5)
        self.init(
            client: RedisClient(configuration: configuration, logger: Logger(label: "taskiq.redis")),
            stream: stream, maxlen: maxlen, ownsClient: true)
    }

    /// A queue over a client someone else owns and closes (a broker's).
    init(client: RedisClient, stream: String, maxlen: Int? = nil, ownsClient: Bool = false) {
        self.client = client
        self.stream = stream
        self.maxlen = maxlen
        self.ownsClient = ownsClient
    }

    /// The server's address as `host:port`, for messages.
    public var address: String { client.configuration.address }

    /// Closes the connection, unless it is a broker's.
    public func shutdown() async throws {
        if ownsClient { client.close() }
    }

    @discardableResult
    public func add(_ letter: DeadLetter) async throws -> String {
        try await client.send(addCommand(letter)).string ?? ""
    }

    /// The `XADD` that stores a letter, for callers that pipeline it with other commands.
    func addCommand(_ letter: DeadLetter) -> [any RESPArgument] {
        var command: [any RESPArgument] = ["XADD", stream]
        if let maxlen { command += ["MAXLEN", "~", maxlen] }
        command += [
            "*", "data", letter.data, "reason", letter.message, "code", letter.reason.name,
            "time", Int((letter.timestamp.timeIntervalSince1970 * 1000).rounded()),
        ]
        if let queue = letter.queue { command += ["queue", queue] }
        if let broker = letter.broker { command += ["broker", broker] }
        if let originalID = letter.originalID { command += ["original_id", originalID] }
        if let deliveries = letter.deliveries { command += ["delivery_count", deliveries] }
        if let taskName = letter.taskName { command += ["task_name", taskName] }
        if let taskID = letter.taskID { command += ["task_id", taskID] }
        if let error = letter.error { command += ["error", error.wireValue.serialized(style: .compact)] }
        return command
    }

    public func list(order: DeadLetterOrder, limit: Int?) async throws -> [DeadLetter] {
        if let limit, limit <= 0 { return [] }
        var command: [any RESPArgument] = order == .newestFirst ? ["XREVRANGE", stream, "+", "-"] : ["XRANGE", stream, "-", "+"]
        if let limit { command += ["COUNT", limit] }
        return Self.letters(try await client.send(command))
    }

    public func letter(id: String) async throws -> DeadLetter? {
        do {
            return Self.letters(try await client.send(["XRANGE", stream, id, id])).first
        } catch let error as RedisError where Self.isInvalidID(error) {
            return nil  // not a stream ID at all; any other refusal (NOPERM, READONLY...) is thrown
        }
    }

    @discardableResult
    public func remove(id: String) async throws -> Bool {
        do {
            return try await client.send(["XDEL", stream, id]).int == 1
        } catch let error as RedisError where Self.isInvalidID(error) {
            return false
        }
    }

    /// Whether Redis refused the command only because the ID is not a stream ID.
    private static func isInvalidID(_ error: RedisError) -> Bool {
        error.message.lowercased().contains("invalid stream id")
    }

    @discardableResult
    public func purge() async throws -> Int {
        let replies = try await client.pipeline([["MULTI"], ["XLEN", stream], ["DEL", stream], ["EXEC"]])
        if let error = replies.lazy.compactMap(\.redisError).first { throw error }
        return replies.last?.array?.first?.int ?? 0
    }

    static func letters(_ reply: RESPValue) -> [DeadLetter] {
        RedisStreamEntry.fromList(reply).compactMap(letter)
    }

    static func letter(_ entry: RedisStreamEntry) -> DeadLetter? {
        guard let fields = entry.fields else { return nil }
        var values: [String: [UInt8]] = [:]
        for field in fields where values[field.name] == nil { values[field.name] = field.value }
        func text(_ name: String) -> String? { values[name].map { String(decoding: $0, as: UTF8.self) } }
        let message = text("reason") ?? ""
        let reason =
            text("code").map(DeadLetter.Reason.init(_:))
            ?? (message.contains("max_deliveries") ? .deliveryLimit : .undecodable)
        let milliseconds = text("time").flatMap(Int.init) ?? entry.id.split(separator: "-").first.flatMap { Int($0) } ?? 0
        let error = values["error"].flatMap { try? JSONParser().parse($0) }.flatMap { try? TaskError(wireValue: $0) }
        return DeadLetter(
            id: entry.id, reason: reason, message: message, data: values["data"] ?? [],
            taskName: text("task_name"), taskID: text("task_id"), broker: text("broker"),
            queue: text("queue"), originalID: text("original_id"),
            deliveries: text("delivery_count").flatMap(Int.init),
            timestamp: Date(timeIntervalSince1970: Double(milliseconds) / 1000), error: error
        )
        .withMessageDetails()
    }
}
