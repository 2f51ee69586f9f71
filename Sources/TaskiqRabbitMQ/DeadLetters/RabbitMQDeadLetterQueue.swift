import Synchronization
import Taskiq

/// Keeps dead letters in a RabbitMQ queue (`taskiq.dead_letter` by default, the queue
/// taskiq-aio-pika declares), one message per letter; the letter's ID is the message ID.
///
/// ``add(_:)`` publishes the letter's bytes through the default exchange, persistent, mandatory
/// and with a publisher confirm, so it returns only once the server stored it; the reason and
/// details travel in headers (`properties(for:id:)`): `x-taskiq-reason`, `x-taskiq-error`,
/// `task_id`, `task_name`, …. Messages RabbitMQ dead-lettered itself (a reject, an expiry) are
/// letters too, with the server's reason.
///
/// A queue cannot be read without taking messages, so reading **borrows** them: a fresh channel
/// consumes (manual ack) the ready messages until none came for half a second, and closing it returns every
/// unacknowledged one to the queue in its place. ``list(order:limit:)`` and ``letter(id:)`` ack
/// nothing; ``remove(id:)`` acks the one letter, ``purge()`` all it read. While a call reads,
/// the letters it holds are invisible to another reader (two operators listing at once may each
/// see part), and each borrowed message counts as a redelivery (`redelivered`, and a quorum
/// queue's `x-delivery-count`), which no taskiq code reads here; the queue is declared without a
/// delivery limit. Listing reads every ready message when newest first is asked.
///
/// One connection, opened on first use and again after it failed, closed by ``shutdown()``.
public final class RabbitMQDeadLetterQueue: DeadLetterQueue {
    /// The queue name.
    public let queue: String
    /// Only check that the queue exists instead of declaring it.
    public let passive: Bool
    /// The longest a read waits for the messages the queue reported ready (another reader may hold them).
    package let readTimeout: Duration = .seconds(10)
    /// How long a read waits for more messages after the last one, once the reported count arrived.
    package let settleTime: Duration = .milliseconds(500)
    let configuration: AMQPConfiguration

    private struct Session: Sendable {
        var connection: AMQPConnection
        var channel: AMQPChannel
    }

    private let session = Mutex<Task<Session, any Error>?>(nil)

    /// Creates a queue on a server; nothing connects before the first call.
    /// - Parameters:
    ///   - url: `amqp://user:password@host:port/vhost`.
    ///   - queue: The queue name; taskiq-aio-pika's `taskiq.dead_letter` by default.
    ///   - passive: Only check that the queue exists (a missing one is an error) rather than
    ///     declaring it as a durable quorum queue, as the broker does.
    /// - Throws: ``AMQPConnectionError`` `invalidArgument` for a bad URL (password masked) or a
    ///   queue name over 255 bytes.
    public convenience init(
        url: String = "amqp://guest:guest@localhost:5672", queue: String = "taskiq.dead_letter",
        passive: Bool = false
    ) throws {
        try self.init(configuration: AMQPConfiguration(url: url), queue: queue, passive: passive)
    }

    init(configuration: AMQPConfiguration, queue: String, passive: Bool) throws(AMQPConnectionError) {
        guard AMQPByteWriter.isShortString(queue), !queue.isEmpty else {
            throw AMQPConnectionError(
                .invalidArgument, message: "the dead-letter queue name must be 1 to 255 bytes, not \(queue.utf8.count)")
        }
        self.configuration = configuration
        self.queue = queue
        self.passive = passive
    }

    /// The server URL with its password masked.
    public var url: String { configuration.redactedURL }

    /// Connects and declares the queue (or checks it exists).
    public func startup() async throws {
        _ = try await open()
    }

    /// Closes the connection; a later call opens a new one.
    public func shutdown() async throws {
        let task = session.withLock { state in
            defer { state = nil }
            return state
        }
        if let current = try? await task?.value { await current.connection.close() }
    }

    @discardableResult
    public func add(_ letter: DeadLetter) async throws -> String {
        let id = AMQPConnection.randomMessageID()
        try await using { session in
            try await session.channel.publish(
                exchange: "", routingKey: queue, body: letter.data,
                properties: Self.properties(for: letter, id: id), mandatory: true)
        }
        return id
    }

    public func list(order: DeadLetterOrder, limit: Int?) async throws -> [DeadLetter] {
        if let limit, limit <= 0 { return [] }
        let letters = try await read(limit: order == .oldestFirst ? limit : nil) { _ in false }.letters
        switch order {
        case .oldestFirst: return letters
        default: return Array(letters.reversed().prefix(limit ?? letters.count))
        }
    }

    public func letter(id: String) async throws -> DeadLetter? {
        try await read(limit: nil) { _ in false }.letters.first { $0.id == id }
    }

    @discardableResult
    public func remove(id: String) async throws -> Bool {
        var found = false
        _ = try await read(limit: nil) { letter in
            guard !found, letter.id == id else { return false }
            found = true
            return true
        }
        return found
    }

    @discardableResult
    public func purge() async throws -> Int {
        try await read(limit: nil) { _ in true }.acked
    }

    /// Borrows the ready messages (at most `limit`) on a channel of their own, acks those
    /// `take` says, and closes the channel, which returns the others to the queue in order.
    private func read(limit: Int?, take: (DeadLetter) -> Bool) async throws -> ReadResult {
        try await using { session in
            let channel = try await session.connection.openChannel()
            do {
                let ready = Int(try await channel.declareQueue(queue, passive: true).messageCount)
                try await channel.qos(prefetchCount: limit.map { UInt16(clamping: $0) } ?? 0)
                let deliveries = try await borrow(ready: min(ready, limit ?? ready), limit: limit, on: channel)
                var letters: [DeadLetter] = []
                var acked = 0
                for delivery in deliveries {
                    let letter = Self.letter(from: delivery.properties, body: delivery.body)
                    if take(letter) {
                        try channel.ack(delivery.deliveryTag)
                        acked += 1
                    } else {
                        letters.append(letter)
                    }
                }
                // Channel.Close is answered after the acks before it are processed.
                await channel.close()
                return ReadResult(letters: letters, acked: acked)
            } catch {
                await channel.close()
                throw error
            }
        }
    }

    /// Consumes up to `limit` messages: stops at the limit, or once at least the `ready` count
    /// the queue reported arrived and nothing more came for ``settleTime`` (a quorum queue's
    /// reported count lags behind its publishes), or after ``readTimeout`` (another reader holds them).
    private func borrow(ready: Int, limit: Int?, on channel: AMQPChannel) async throws -> [AMQPDelivery] {
        let consumer = try await channel.consume(queue: queue)
        let (timeout, settle) = (readTimeout, settleTime)
        let progress = ReadProgress()
        return try await withThrowingTaskGroup(of: [AMQPDelivery]?.self) { group in
            group.addTask {
                var received: [AMQPDelivery] = []
                for try await delivery in consumer {
                    received.append(delivery)
                    progress.state.withLock { $0 = (.now, received.count) }
                    if let limit, received.count >= limit { break }
                }
                return received
            }
            group.addTask {
                let start = ContinuousClock.now
                while true {
                    try await Task.sleep(for: .milliseconds(50))
                    let (last, count) = progress.state.withLock { ($0.last, $0.count) }
                    if (count >= ready && ContinuousClock.now - last >= settle) || ContinuousClock.now - start >= timeout { break }
                }
                // Ends the consumer's sequence, so the reader returns what it has.
                try? await channel.cancel(consumer.tag)
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let received = result { return received }
            }
            return []
        }
    }

    /// Runs `body` on the session; a failure drops the session (closing its connection), so the
    /// next call connects afresh.
    private func using<T: Sendable>(_ body: (Session) async throws -> T) async throws -> T {
        let current = try await open()
        do {
            return try await body(current)
        } catch let error as AMQPConnectionError where error.code != .publishReturned && error.code != .publishNacked {
            await drop(current)
            throw error
        }
    }

    /// The open session, connecting (and declaring the queue) when there is none or it failed.
    private func open() async throws -> Session {
        for _ in 0..<2 {
            let task = session.withLock { state in
                if let state { return state }
                let task = Task { [configuration, queue, passive] in
                    let connection = try await configuration.connect()
                    do {
                        let channel = try await connection.openChannel()
                        try await channel.confirmSelect()
                        try await channel.declareQueue(
                            queue, durable: true, passive: passive,
                            arguments: passive ? [:] : ["x-queue-type": .string("quorum")])
                        return Session(connection: connection, channel: channel)
                    } catch {
                        await connection.close()
                        throw error
                    }
                }
                state = task
                return task
            }
            do {
                let current = try await task.value
                if current.connection.failure == nil { return current }
                session.withLock { if $0 == task { $0 = nil } }
            } catch {
                session.withLock { if $0 == task { $0 = nil } }
                throw error
            }
        }
        throw AMQPConnectionError(.connectionLost, message: "the connection for dead-letter queue '\(queue)' failed as it opened")
    }

    /// Forgets `current` if it is still the session, and closes its connection.
    private func drop(_ current: Session) async {
        // Only the session that failed: another caller may have replaced it already.
        if let task = session.withLock({ $0 }), let active = try? await task.value, active.connection === current.connection {
            session.withLock { if $0 == task { $0 = nil } }
        }
        await current.connection.close()
    }
}

/// When a read last received a message, and how many it has.
private final class ReadProgress: Sendable {
    let state = Mutex((last: ContinuousClock.now, count: 0))
}

/// What a read kept and how many letters it acknowledged (a struct: async closures returning
/// tuples are miscompiled in release by Swift 6.3.1, docs/toolchain/async-tuple-result.md).
private struct ReadResult: Sendable {
    var letters: [DeadLetter]
    var acked: Int
}
