import Synchronization

/// A broker that runs tasks in this process: the embedded default, for development, tests and
/// "run one task as a script".
///
/// `kick` sends the formatted bytes straight through the worker pipeline, so arguments round-trip
/// through JSON and are cast exactly as on a remote worker, and every middleware hook runs.
/// Results go to an ``InMemoryResultBackend`` unless another is given. A message with a `delay`
/// label (seconds) runs that much later, so ``SmartRetryMiddleware``'s delays are real.
///
/// Kicked tasks wait as their message bytes in a queue that at most `maxAsyncTasks` runner
/// tasks drain (unlike Python taskiq's, which starts one asyncio task per kick), so a backlog
/// costs memory per message, not per suspended task. A task that waits for another task's
/// result does not deadlock the broker: while every runner waits like that, one more starts.
/// ``cancelTask(id:)`` cancels a running or pending task.
///
/// ```swift
/// let broker = InMemoryBroker()
/// let add = broker.task("math.add") { (a: Int, b: Int) async throws -> Int in a + b }
/// let result = try await add.kiq(1, 2).waitResult(timeout: .seconds(5))
/// ```
public final class InMemoryBroker: AsyncBroker {
    /// Warns once that this broker runs tasks in arrival order whatever their `priority` label.
    private let unhonouredPriority = UnhonouredPriority(broker: "inmemory")
    public let components: BrokerComponents
    /// Whether `kiq` waits for the task to finish before returning.
    public let awaitInplace: Bool
    /// `kiq` returns before the task runs unless told otherwise, as in taskiq.
    public static let defaultAwaitInplace = false
    private let receiver: MutexBox<Receiver?>
    private let runners: InMemoryRunners

    /// Creates an in-memory broker.
    /// - Parameters:
    ///   - maxAsyncTasks: Tasks running at once (the worker's `max_async_tasks`); more wait in a
    ///     queue. `0` or less for no limit.
    ///   - syncTasksPoolSize: Threads for synchronous tasks (default 4).
    ///   - logsFormat: A Python-logging-style format for logs captured into results; `nil` captures none.
    ///   - maxStoredResults: Results kept by the default in-memory backend (`-1` keeps all).
    ///   - castTypes: Apply lossless conversions to arguments (`"5"` → `5`).
    ///   - resultBackend: Another backend instead of the in-memory one.
    ///   - taskIDGenerator: How task IDs are made (default ``TaskIDGenerator/uuid4``).
    ///   - awaitInplace: Make `kiq` return only after the task finished.
    ///   - limits: Caps on the messages kicked; one over a cap is rejected and counted, not run.
    public convenience init(
        maxAsyncTasks: Int = ReceiverOptions().maxAsyncTasks,
        syncTasksPoolSize: Int = ReceiverOptions().syncTasksPoolSize, logsFormat: String? = nil,
        maxStoredResults: Int = InMemoryResultBackend.defaultMaxStoredResults,
        castTypes: Bool = ReceiverOptions().castTypes, resultBackend: (any ResultBackend)? = nil,
        taskIDGenerator: TaskIDGenerator? = nil, awaitInplace: Bool = InMemoryBroker.defaultAwaitInplace,
        limits: MessageLimits = MessageLimits()
    ) {
        self.init(
            maxAsyncTasks: maxAsyncTasks, syncTasksPoolSize: syncTasksPoolSize, logsFormat: logsFormat,
            maxStoredResults: maxStoredResults,
            castTypes: castTypes, resultBackend: resultBackend, taskIDGenerator: taskIDGenerator,
            awaitInplace: awaitInplace, limits: limits, receiverLogger: Logger(label: "taskiq.receiver"))
    }

    /// The public initialiser, with the embedded receiver logging through `receiverLogger`.
    init(
        maxAsyncTasks: Int, syncTasksPoolSize: Int, logsFormat: String?, maxStoredResults: Int, castTypes: Bool,
        resultBackend: (any ResultBackend)?, taskIDGenerator: TaskIDGenerator?, awaitInplace: Bool,
        limits: MessageLimits, receiverLogger: Logger
    ) {
        components = BrokerComponents(
            resultBackend: resultBackend ?? InMemoryResultBackend(maxStoredResults: maxStoredResults),
            taskIDGenerator: taskIDGenerator)
        self.awaitInplace = awaitInplace
        runners = InMemoryRunners(limit: maxAsyncTasks)
        receiver = MutexBox(nil)
        receiver.value = Receiver(
            broker: self,
            options: ReceiverOptions(
                maxAsyncTasks: 0, castTypes: castTypes, syncTasksPoolSize: syncTasksPoolSize, logsFormat: logsFormat,
                limits: limits), logger: receiverLogger)
    }

    /// Replaces the embedded worker's settings that the configuration's `worker` section holds
    /// (`max_async_tasks`, `cast_types`, `sync_tasks_pool_size`, `logs_format`, `limits`); call before kicking.
    package func useWorkerSettings(
        maxAsyncTasks: Int, castTypes: Bool, syncTasksPoolSize: Int, logsFormat: String?,
        limits: MessageLimits
    ) {
        runners.limit = maxAsyncTasks
        let replaced = receiver.withLock { receiver -> Receiver? in
            guard let current = receiver else { return nil }
            var options = current.options
            guard
                options.castTypes != castTypes || options.syncTasksPoolSize != syncTasksPoolSize
                    || options.logsFormat != logsFormat || options.limits != limits
            else { return nil }
            options.castTypes = castTypes
            options.syncTasksPoolSize = syncTasksPoolSize
            options.logsFormat = logsFormat
            options.limits = limits
            receiver = Receiver(broker: self, options: options, logger: current.baseLogger)
            return current
        }
        replaced?.shutdown()
    }

    /// Applies rate limits to the tasks this broker runs (see ``RateLimits``); a limited task
    /// waits in the delayed queue, not on a runner. Call before kicking. A task run in place
    /// (`awaitInplace`) is not limited.
    @discardableResult
    public func withRateLimits(_ limits: RateLimits) -> Self {
        let replaced = receiver.withLock { receiver -> Receiver? in
            guard let current = receiver, current.options.rateLimits != limits else { return nil }
            var options = current.options
            options.rateLimits = limits
            receiver = Receiver(broker: self, options: options, logger: current.baseLogger)
            return current
        }
        replaced?.shutdown()
        return self
    }

    /// Runner tasks alive now, idle ones included (tests watch the pool grow and shrink).
    var runnerCount: Int { runners.runnerCount }

    /// The embedded worker; `nil` after ``shutdown()``.
    var embeddedReceiver: Receiver? { receiver.value }

    /// What the embedded worker has done so far.
    public var statistics: ReceiverStatistics { receiver.value?.statistics ?? ReceiverStatistics() }

    /// Runs the message in this process.
    /// - Throws: ``TaskiqError`` with code `.unknownTask` when no such task is
    ///   registered, or `.shutDown` after ``shutdown()``.
    public func kick(_ message: BrokerMessage) async throws {
        unhonouredPriority.note(message)
        guard let receiver = receiver.value else {
            throw TaskiqError(.shutDown, "the in-memory broker is shut down; cannot run task '\(message.taskName)'")
        }
        guard let task = components.registry[message.taskName] else {
            throw TaskiqError(.unknownTask, "task '\(message.taskName)' is not registered with this broker")
        }
        let delivery = AckableMessage(data: message.message)
        let delay = message.delay
        if awaitInplace && delay == nil {
            await receiver.handle(delivery, knownTask: task)
            return
        }
        // kick returns before the task runs, as taskiq's InMemoryBroker does.
        guard runners.push(InMemoryRunners.Job(delivery: delivery, task: task, receiver: receiver), after: delay) else {
            throw TaskiqError(.shutDown, "the in-memory broker is shut down; cannot run task '\(message.taskName)'")
        }
    }

    /// Cancels the task if it is running here (an async task at once; a synchronous one finishes
    /// on its thread, its result reported as cancelled), or keeps it from running if it has not
    /// started (a delayed retry, say). Its result is a ``TaskError/cancelled`` error. Requests are
    /// remembered for an hour (at most 10,000), so an unknown or finished ID is harmless.
    public func cancelTask(id: String) async throws {
        components.cancellations.cancel(id)
    }

    /// Not available: this broker runs tasks on `kick`, so there is nothing to listen to.
    public func listen() async throws -> DeliveryStream {
        throw TaskiqError(.unknownTask, "the in-memory broker runs tasks as they are kicked; it cannot be listened to by a worker")
    }

    /// Waits until every kicked task has finished.
    public func waitAll() async {
        await runners.waitUntilIdle()
    }

    /// Starts the middlewares and the result backend, then runs the registered modules' worker
    /// startup hooks: tasks kicked here run here, so this process is their worker.
    /// - Throws: What a middleware or the backend throws, or ``TaskiqError`` with code
    ///   `startup_failed` when a startup hook fails (the components are shut down again).
    public func startup() async throws {
        try await components.startup()
        do {
            try await components.lifecycle.start(broker: self, logger: Self.lifecycleLogger)
        } catch {
            try? await components.shutdown()
            throw error
        }
    }

    private static let lifecycleLogger = Logger(label: "taskiq.worker")

    /// Waits for kicked tasks, runs the worker shutdown hooks, shuts down middlewares and the
    /// backend, and stops the sync pool.
    public func shutdown() async throws {
        await waitAll()
        await components.lifecycle.stop(broker: self, logger: Self.lifecycleLogger)
        await runners.shutdown()
        try await components.shutdown()
        let receiver = self.receiver.withLock { value -> Receiver? in
            defer { value = nil }
            return value
        }
        receiver?.shutdown()
    }
}

extension InMemoryBroker: PriorityOrdering {
    /// `false`: tasks run in the order they are kicked.
    public var honoursPriority: Bool { false }
}
