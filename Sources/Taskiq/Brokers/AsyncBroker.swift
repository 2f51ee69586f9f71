/// A message transport: producers kick messages into it, workers listen for deliveries.
///
/// Implement ``kick(_:)`` and ``listen()``; everything else (registering tasks, middlewares, result
/// backend, formatter, task IDs) comes from ``components``. An implementation that overrides
/// ``startup()`` or ``shutdown()`` calls `components.startup()` / `components.shutdown()` itself.
public protocol AsyncBroker: AnyObject, Sendable {
    /// The registry, middlewares, result backend, formatter and ID generator.
    var components: BrokerComponents { get }
    /// Starts middlewares, the result backend and the transport.
    func startup() async throws
    /// Stops the transport, middlewares and the result backend.
    func shutdown() async throws
    /// Puts a formatted message on the transport.
    func kick(_ message: BrokerMessage) async throws
    /// Deliveries for a worker, until the transport closes or the consuming task is cancelled:
    /// made with ``DeliveryStream/makeStream()`` and fed by the broker's reader, or with
    /// ``DeliveryStream/init(unfolding:)`` from a function that reads the next delivery.
    func listen() async throws -> DeliveryStream
    /// Asks the workers to cancel the task with this ID: a running async task is cancelled
    /// (cooperatively, through Swift task cancellation) and a task not started yet will not run.
    /// Either way its result is a ``TaskError/cancelled`` error and its message is acknowledged,
    /// never retried. An unknown or finished ID is harmless.
    ///
    /// The default implementation throws: only brokers that can carry the signal support it.
    /// - Throws: ``TaskiqError`` with code `.unsupported` when the broker cannot.
    func cancelTask(id: String) async throws
    /// Called once a worker has stopped taking deliveries from ``listen()`` (its intake stopped;
    /// running tasks still drain). A broker that reads ahead gives what it read and has not
    /// delivered back to the transport at once, so other workers can take it during the drain;
    /// deliveries already handed out are not affected. The default does nothing.
    func stopListening() async
}

extension AsyncBroker {
    /// Starts the components.
    public func startup() async throws { try await components.startup() }
    /// Shuts the components down.
    public func shutdown() async throws { try await components.shutdown() }

    /// Does nothing: this broker reads nothing ahead of its deliveries.
    public func stopListening() async {}

    /// Throws: this broker cannot carry a cancellation to its workers.
    /// - Throws: ``TaskiqError`` with code `.unsupported`.
    public func cancelTask(id: String) async throws {
        throw TaskiqError(
            .unsupported, "\(type(of: self)) cannot cancel tasks (task \(id)); cancellation needs the in-memory or a Redis broker")
    }

    /// The result backend.
    public var resultBackend: any ResultBackend { components.resultBackend }
    /// The middlewares, in order.
    public var middlewares: [any TaskiqMiddleware] { components.middlewares }

    /// Appends middlewares; they run in the order added.
    public func addMiddlewares(_ middlewares: [any TaskiqMiddleware]) {
        components.middlewares += middlewares
        for case let attached as any BrokerAttachedMiddleware in middlewares { attached.attach(to: self) }
    }

    /// Replaces the result backend.
    @discardableResult
    public func withResultBackend(_ backend: any ResultBackend) -> Self {
        components.resultBackend = backend
        return self
    }

    /// Sends undecodable messages, unknown task names and finally failed tasks to a dead-letter
    /// queue instead of only logging them.
    /// - Parameters:
    ///   - queue: Where the letters go. The broker does not start or shut it down.
    ///   - failedTasks: Which failed tasks are dead-lettered; by default those whose retry
    ///     middleware gave up.
    @discardableResult
    public func withDeadLetterQueue(_ queue: any DeadLetterQueue, failedTasks: DeadLetterPolicy = .default) -> Self {
        components.deadLetterQueue = queue
        components.deadLetterPolicy = failedTasks
        return self
    }

    /// Replaces the task-ID generator.
    @discardableResult
    public func withIDGenerator(_ generator: TaskIDGenerator) -> Self {
        components.idGenerator = generator
        return self
    }

    /// Replaces the message formatter.
    @discardableResult
    public func withFormatter(_ formatter: any TaskiqFormatter) -> Self {
        components.formatter = formatter
        return self
    }

    /// Registers a task definition with this broker and binds it here, so its `kiq` sends through this broker.
    @discardableResult
    public func register<each A: Codable & Sendable, R: Sendable>(
        _ definition: TaskDefinition<repeat each A, R>
    ) -> TaskDefinition<repeat each A, R> {
        definition.register(with: self)
        return definition
    }

    /// Formats a message and puts it on the transport, without running middlewares
    /// (retries and requeues use this, as in taskiq).
    public func kick(_ message: TaskiqMessage) async throws {
        try await kick(try components.formatter.dumps(message))
    }

    /// Sends a message the way `kiq` does: `preSend` on each middleware in order, format, kick,
    /// then `postSend` in reverse order.
    ///
    /// A message with a `unique_for` label (seconds) is sent only if no kick with the same key
    /// (its `unique_key` label, else its task name and arguments) was recorded in the broker's
    /// ``BrokerComponents/uniqueStore`` within that window; otherwise nothing is sent and the
    /// first kick's task ID is returned (see `UniqueKick`).
    /// - Returns: The ID of the task that runs: this message's, or the first kick's for a duplicate.
    /// - Throws: ``TaskiqError`` with code `.sendFailed`, wrapping the cause;
    ///   `.duplicateTask` for a duplicate with `unique_on_duplicate: "refuse"`;
    ///   `.invalidArguments` for an unreadable `unique_*` label.
    @discardableResult
    public func send(_ message: TaskiqMessage) async throws -> String {
        try await send(message, settings: components.settings)
    }

    /// ``send(_:)`` with settings the caller already read.
    @discardableResult
    package func send(_ message: TaskiqMessage, settings: BrokerComponents.Settings) async throws -> String {
        let unique = try UniqueKick(message)
        if let unique {
            let first: String?
            do {
                first = try await settings.uniqueStore.claim(unique.key, taskID: message.taskID, for: unique.window)
            } catch {
                throw TaskiqError(
                    .sendFailed, "cannot send task '\(message.taskName)' (\(message.taskID)): cannot record its unique key",
                    underlying: error)
            }
            if let first {
                if unique.refuses {
                    throw TaskiqError(
                        .duplicateTask,
                        "task '\(message.taskName)' was kicked with the same unique key within unique_for (\(unique.window)) as task \(first); not sent"
                    )
                }
                return first
            }
        }
        let middlewares = settings.middlewares
        var message = message
        do {
            for middleware in middlewares { message = try await middleware.preSend(message) }
            try await kick(try settings.formatter.dumps(message))
        } catch {
            // The kick did not happen: a later kick of the same key may try again.
            if let unique { try? await settings.uniqueStore.release(unique.key, taskID: message.taskID) }
            if let error = error as? TaskiqError, error.code == .sendFailed { throw error }
            throw TaskiqError(.sendFailed, "cannot send task '\(message.taskName)' (\(message.taskID))", underlying: error)
        }
        for middleware in middlewares.reversed() { try await middleware.postSend(message) }
        return message.taskID
    }
}
