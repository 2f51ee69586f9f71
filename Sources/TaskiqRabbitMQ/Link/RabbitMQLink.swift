import Synchronization
import Taskiq

/// A self-healing AMQP connection, like aio-pika's `connect_robust`: when the connection is
/// lost (Connection.Close such as 320 CONNECTION_FORCED, a server restart, a dead peer found by
/// heartbeats), it connects again with the shared ``Backoff`` and runs its `open` step again
/// (channel, confirm mode, QoS, topology, consumers).
///
/// ``start()`` makes the first connection and fails if it cannot; from then on one runner task
/// owns the connection: it watches it, serves it (the read side pumps its consumers), logs a
/// loss once with the server's reply, and reconnects until ``close()``. Callers get the current
/// session with ``ready()``, which waits while there is none or while the server blocks
/// publishing. A loss is logged once per connection, never per message.
package final class RabbitMQLink: Sendable {
    /// A usable session and the generation of its connection, to report its loss with.
    package struct Ready: Sendable {
        /// The session: channel and consumers.
        package var session: RabbitMQLinkSession
        /// The connection's generation (1 for the first connection).
        package var generation: UInt64
    }

    /// A caller waiting in ``ready()``.
    package typealias Waiter = UnsafeContinuation<Ready, any Error>

    /// `write` or `read`, for logs.
    package let name: String
    let configuration: AMQPConfiguration
    let backoff: Backoff
    let logger: Logger
    let open: @Sendable (AMQPConnection) async throws -> RabbitMQLinkSession
    let serve: (@Sendable (RabbitMQLinkSession) async -> Void)?
    let machine = Mutex(RabbitMQLinkMachine<RabbitMQLinkSession, Waiter>())
    let runner = Mutex<Task<Void, Never>?>(nil)
    let nextWaiter = Atomic<UInt64>(0)

    /// Creates a link; nothing connects before ``start()``.
    /// - Parameters:
    ///   - name: `write` or `read`, for logs.
    ///   - configuration: Where to connect.
    ///   - backoff: The waits between attempts after a loss (the first attempt waits its first delay).
    ///   - logger: Where losses and reconnects are logged.
    ///   - open: Sets up a fresh connection; an error closes it and counts as a failed attempt.
    ///   - serve: Runs while the connection lives (the read side's consumer pump); when it
    ///     returns early the connection is closed and replaced.
    package init(
        name: String, configuration: AMQPConfiguration, backoff: Backoff, logger: Logger,
        open: @escaping @Sendable (AMQPConnection) async throws -> RabbitMQLinkSession,
        serve: (@Sendable (RabbitMQLinkSession) async -> Void)? = nil
    ) {
        self.name = name
        self.configuration = configuration
        self.backoff = backoff
        self.logger = logger
        self.open = open
        self.serve = serve
    }

    /// Makes the first connection and starts the runner that keeps it.
    /// - Throws: The first connection's error (bad credentials, no server, a 406 on a declare).
    package func start() async throws {
        let session = try await connectOnce()
        guard let opened = machine.withLock({ $0.connected(session) }) else {
            await session.connection.close()
            throw closedError()
        }
        let task = Task { await self.run(session, generation: opened.generation) }
        runner.withLock { $0 = task }
    }

    /// The current session, waiting while the link reconnects or the server blocks publishing.
    /// A cancelled caller stops waiting with `CancellationError`.
    /// - Throws: `closedLocally` after ``close()``.
    package func ready() async throws -> Ready {
        if let current = machine.withLock({ $0.current }) { return Ready(session: current.link, generation: current.generation) }
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: Waiter) in
                let outcome = machine.withLock { machine -> RabbitMQLinkMachine<RabbitMQLinkSession, Waiter>.Acquire? in
                    if Task.isCancelled { return nil }
                    return machine.acquire(id, continuation)
                }
                switch outcome {
                case nil: continuation.resume(throwing: CancellationError())
                case .ready(let session, let generation)?: continuation.resume(returning: Ready(session: session, generation: generation))
                case .shutDown?: continuation.resume(throwing: closedError())
                case .wait?: break
                }
            }
        } onCancel: {
            machine.withLock { $0.abandon(id) }?.resume(throwing: CancellationError())
        }
    }

    /// Reports that the connection of `generation` failed a caller; later ``ready()`` calls
    /// wait for its replacement instead of getting it again. The runner logs and reconnects.
    package func lost(_ generation: UInt64) {
        _ = machine.withLock { $0.lost(generation: generation) }
    }

    /// Replaces a connection whose channel is unusable though the connection lives (the
    /// server closed the channel): closes it, so the runner reconnects with a fresh channel.
    package func discard(_ ready: Ready) async {
        guard machine.withLock({ $0.lost(generation: ready.generation) }) else { return }
        await ready.session.connection.close()
    }

    /// The phase, for tests and diagnostics.
    package var phase: RabbitMQLinkMachine<RabbitMQLinkSession, Waiter>.Phase { machine.withLock { $0.phase } }

    /// Connections lost so far.
    package var losses: Int { machine.withLock { $0.losses } }

    /// Closes the connection cleanly and stops reconnecting; waiting callers fail with `closedLocally`.
    package func close() async {
        let (session, waiters) = machine.withLock { $0.shutDown() }
        for waiter in waiters { waiter.resume(throwing: closedError()) }
        let task = runner.withLock { $0 }
        task?.cancel()
        await session?.connection.close()
        await task?.value
    }

    // MARK: The runner

    private func run(_ first: RabbitMQLinkSession, generation: UInt64) async {
        var current: Ready? = Ready(session: first, generation: generation)
        while true {
            if let live = current {
                let error = await keep(live)
                current = nil
                machine.withLock { _ = $0.lost(generation: live.generation) }
                guard machine.withLock({ $0.phase }) != .shutDown, !Task.isCancelled else { return }
                logger.warning(
                    "Lost the RabbitMQ \(name) connection to \(configuration.redactedURL): \(Self.describe(error)); reconnecting",
                    metadata: metadata(error))
            }
            let attempt = machine.withLock { $0.failedAttempts } + 1
            do {
                try await Task.sleep(for: backoff.delay(attempt: attempt))
            } catch {
                return
            }
            do {
                let session = try await connectOnce()
                guard let opened = machine.withLock({ $0.connected(session) }) else {
                    await session.connection.close()
                    return
                }
                for waiter in opened.ready { waiter.resume(returning: Ready(session: session, generation: opened.generation)) }
                logger.info(
                    "Reconnected the RabbitMQ \(name) connection to \(configuration.redactedURL) after \(opened.failedAttempts) failed attempts; channel, topology and \(session.consumers.count) consumers restored",
                    metadata: ["rabbitmq": configuration.redactedURL])
                TaskiqMetrics.reconnected("rabbitmq")
                current = Ready(session: session, generation: opened.generation)
            } catch {
                let failed = machine.withLock { $0.attemptFailed() }
                guard machine.withLock({ $0.phase }) != .shutDown else { return }
                let text =
                    "Cannot reconnect the RabbitMQ \(name) connection to \(configuration.redactedURL) yet (attempt \(failed)): \(Self.describe(error)); retrying in up to \(backoff.baseDelay(attempt: failed + 1))"
                // The first failure and then every tenth: a long outage is visible without a line per attempt.
                if failed % 10 == 1 {
                    logger.warning(text, metadata: metadata(error))
                } else {
                    logger.debug(text, metadata: metadata(error))
                }
            }
        }
    }

    /// Watches and serves one connection until it ends; returns the error that ended it.
    private func keep(_ live: Ready) async -> AMQPConnectionError? {
        let connection = live.session.connection
        let events = connection.watch()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events {
                    switch event {
                    case .blocked(let reason):
                        _ = self.machine.withLock { $0.blocked(generation: live.generation, reason: reason) }
                    case .unblocked:
                        let waiters = self.machine.withLock { $0.unblocked(generation: live.generation) }
                        if let current = self.machine.withLock({ $0.current }) {
                            for waiter in waiters { waiter.resume(returning: Ready(session: current.link, generation: current.generation)) }
                        } else {
                            // Lost in between: put them back to wait for the replacement.
                            for waiter in waiters { self.requeue(waiter) }
                        }
                    default:
                        return
                    }
                }
            }
            if let serve {
                group.addTask {
                    await serve(live.session)
                    // The consumers ended on a live connection (the server cancelled one): replace it.
                    if self.machine.withLock({ $0.lost(generation: live.generation) }) { await connection.close() }
                }
            }
            await group.next()
            group.cancelAll()
        }
        return connection.failure
    }

    private func requeue(_ waiter: Waiter) {
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        switch machine.withLock({ $0.acquire(id, waiter) }) {
        case .ready(let session, let generation): waiter.resume(returning: Ready(session: session, generation: generation))
        case .shutDown: waiter.resume(throwing: closedError())
        case .wait: break
        }
    }

    /// Connects and runs `open`; the connection is closed when `open` fails.
    private func connectOnce() async throws -> RabbitMQLinkSession {
        let connection = try await configuration.connect(logger: logger)
        do {
            return try await open(connection)
        } catch {
            await connection.close()
            throw error
        }
    }

    private func closedError() -> AMQPConnectionError {
        AMQPConnectionError(.closedLocally, message: "the RabbitMQ \(name) connection to \(configuration.redactedURL) was closed")
    }

    private func metadata(_ error: (any Error)?) -> [String: String] {
        var metadata = ["rabbitmq": configuration.redactedURL]
        if let error = error as? AMQPConnectionError {
            metadata["code"] = "\(error.code)"
            if let reply = error.replyCode { metadata["reply_code"] = String(reply) }
            if !error.replyText.isEmpty { metadata["reply_text"] = error.replyText }
        }
        return metadata
    }

    static func describe(_ error: (any Error)?) -> String {
        guard let error else { return "the connection ended" }
        return "\(error)"
    }
}
