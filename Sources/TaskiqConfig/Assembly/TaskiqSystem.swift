import Taskiq
import TaskiqNATS
import TaskiqRedis
import TaskiqZeroMQ

/// The brokers with their result backends, ID generators, middlewares and task modules, assembled
/// from a validated configuration: what a worker runs and what a producer kicks through.
///
/// ```swift
/// let system = try TaskiqSystem.load("taskiq.json", modules: [MathTasks.module, BillingTasks.module])
/// try await system.startup()
/// let handle = try await MathTasks.add.kiq(1, 2)      // bound to the configured broker
/// try await BillingTasks.invoice.kiq(42)              // bound to "fast" by "routes": {"billing.*": "fast"}
/// ```
/// Loading registers every selected module with its broker — the one its `tasks.routes` entry
/// names, else the main `broker` — which binds its definitions there, so typed `kiq` calls need no
/// broker argument. Each broker is built with its own result backend, ID generator and
/// middlewares from the configuration's settings, and starts and stops with ``startup()`` and
/// ``shutdown()``.
public final class TaskiqSystem: Sendable {
    /// The configuration it was built from.
    public let configuration: TaskiqConfiguration
    /// The main broker (`broker` in the file), with result backend, ID generator and middlewares installed.
    public let broker: any AsyncBroker
    /// Every broker's name, in the order ``brokers`` lists them: `default` first, then the keys of `brokers`.
    public let brokerNames: [String]
    /// Every broker: the main one first, then those of `brokers` in the order written.
    public let brokers: [any AsyncBroker]
    /// The loaded task modules, in load order.
    public let modules: [TaskModule]
    /// Where schedules added from code go (`definition.schedule(cron: ..., on: system.scheduleSource)`)
    /// and where the schedulers of ``makeSchedulers(brokers:clock:)`` read them, next to the file's
    /// schedules and the tasks' `schedule` labels.
    ///
    /// When the main broker's result backend is `redis`, a ``/TaskiqRedis/RedisScheduleSource`` on
    /// the same server (prefix `schedule`, taskiq-redis's layout), shared by every process of the
    /// deployment: a web process adds a schedule and the `taskiq-run scheduler` process sends it.
    /// Otherwise an ``/Taskiq/InMemoryScheduleSource`` of this process, sent by the schedulers this
    /// process runs — which exist only for brokers with schedules in the file or in task labels
    /// (see ``scheduledBrokerNames``).
    public let scheduleSource: any ScheduleSource
    /// The queue of the `dead_letters` section, shared by every broker; `nil` when the file has none
    /// (``/TaskiqRedis/RedisStreamBroker``s then keep their own `<queue_name>:dead` stream).
    public let deadLetterQueue: (any DeadLetterQueue)?

    /// Builds the components and registers the selected modules.
    /// - Parameters:
    ///   - configuration: A validated configuration.
    ///   - modules: The compiled-in modules; those the configuration selects are loaded.
    /// - Throws: ``ConfigError`` when a component factory fails.
    public init(configuration: TaskiqConfiguration, modules: [TaskModule]) throws(ConfigError) {
        self.configuration = configuration
        var brokers: [any AsyncBroker] = []
        for name in configuration.brokerNames {
            guard let settings = configuration.brokerSettings(named: name) else { preconditionFailure("a declared broker") }
            brokers.append(try Self.assemble(settings.broker, resultBackend: settings.resultBackend, configuration))
        }
        var deadLetterQueue: (any DeadLetterQueue)? = nil
        if let settings = configuration.deadLetters, case .deadLetterQueue(let queue) = try settings.queue.make() {
            for broker in brokers { broker.withDeadLetterQueue(queue, failedTasks: settings.failedTasks) }
            deadLetterQueue = queue
        }
        self.deadLetterQueue = deadLetterQueue
        let selected = configuration.modules.compactMap { name in modules.first { $0.name == name } }
        for module in selected {
            let index = configuration.brokerNames.firstIndex(of: configuration.brokerName(forModule: module.name)) ?? 0
            brokers[index].register(module)
        }
        self.broker = brokers[0]
        self.brokerNames = configuration.brokerNames
        self.brokers = brokers
        self.modules = selected
        self.scheduleSource = try Self.makeScheduleSource(configuration)
        try validateScheduleLabels()
        try validateScheduleArguments()
    }

    /// A Redis source on the main result backend's server when it is `redis`, a NATS key-value
    /// source (bucket `taskiq_schedules`) when it is `nats_kv`, else an in-memory one.
    private static func makeScheduleSource(_ configuration: TaskiqConfiguration) throws(ConfigError) -> any ScheduleSource {
        if let backend = configuration.resultBackend, backend.type.name == "nats_kv" {
            do {
                return try NATSKeyValueScheduleSource(url: try backend.options[ComponentRegistry.NATSKeyValueResultKeys().url])
            } catch {
                throw ConfigError(
                    .componentFailed, file: backend.file, path: "\(backend.path).url",
                    "cannot create the NATS schedule source: \(error)")
            }
        }
        guard let backend = configuration.resultBackend, backend.type.name == "redis" else { return InMemoryScheduleSource() }
        do {
            return try RedisScheduleSource(url: try backend.options[ComponentRegistry.RedisConnectionKeys().url])
        } catch {
            throw ConfigError(
                .componentFailed, file: backend.file, path: "\(backend.path).url",
                "cannot create the Redis schedule source: \(error)")
        }
    }

    /// Whether ``scheduleSource`` is shared with other processes (Redis or NATS).
    public var hasSharedScheduleSource: Bool { scheduleSource is RedisScheduleSource || scheduleSource is NATSKeyValueScheduleSource }

    /// Builds one broker with fresh instances of the shared components, so that each broker
    /// starts and stops its own.
    private static func assemble(
        _ brokerSettings: ComponentSettings, resultBackend: ComponentSettings?,
        _ configuration: TaskiqConfiguration
    ) throws(ConfigError) -> any AsyncBroker {
        guard case .broker(let broker) = try brokerSettings.make() else {
            preconditionFailure("a broker factory makes a broker")
        }
        if let settings = resultBackend, case .resultBackend(let backend) = try settings.make() {
            broker.withResultBackend(backend)
        }
        if let settings = configuration.taskIDGenerator, case .taskIDGenerator(let generator) = try settings.make() {
            broker.withIDGenerator(generator)
        }
        var middlewares: [any TaskiqMiddleware] = []
        for settings in configuration.middlewares {
            if case .middleware(let middleware) = try settings.make() { middlewares.append(middleware) }
        }
        broker.addMiddlewares(middlewares)
        let worker = configuration.worker
        (broker as? InMemoryBroker)?.useWorkerSettings(
            maxAsyncTasks: worker.maxAsyncTasks, castTypes: worker.castTypes, syncTasksPoolSize: worker.syncTasksPoolSize,
            logsFormat: worker.logsFormat, limits: worker.limits)
        if let limits = try? worker.receiverRateLimits(broker: TaskiqConfiguration.defaultBrokerName) {
            (broker as? InMemoryBroker)?.withRateLimits(limits)
        }
        return broker
    }

    /// A broker by name.
    /// - Parameter name: `default` for the main broker, or a key of `brokers`.
    /// - Returns: `nil` for a name the configuration does not declare.
    public func broker(named name: String) -> (any AsyncBroker)? {
        brokerNames.firstIndex(of: name).map { brokers[$0] }
    }

    /// The broker a loaded task is registered with, found by its module's route.
    /// - Parameter taskName: A task's name, such as `billing.invoice`.
    /// - Returns: `nil` when no loaded module provides the task.
    public func broker(forTask taskName: String) -> (any AsyncBroker)? {
        brokers.first { $0.components.registry[taskName] != nil }
    }

    /// Loads, validates and assembles a configuration file.
    /// - Parameters:
    ///   - file: The file; when `nil`, `$TASKIQ_CONFIG`, else `taskiq.json`.
    ///   - modules: The compiled-in task modules.
    ///   - registry: The component types the file may name.
    ///   - environment: The variables `${VAR}` reads; the process's by default.
    /// - Throws: ``ConfigError`` for the first problem found.
    public static func load(
        _ file: String?, modules: [TaskModule], registry: ComponentRegistry = .standard,
        environment: [String: String]? = nil
    ) throws(ConfigError) -> TaskiqSystem {
        let configuration = try TaskiqConfiguration.load(file, registry: registry, modules: modules, environment: environment)
        return try TaskiqSystem(configuration: configuration, modules: modules)
    }

    /// The worker settings.
    public var workerSettings: WorkerSettings { configuration.worker }

    /// Settings that are valid but probably not what the user wants, for `check` and the worker's log.
    public var warnings: [String] {
        var warnings: [String] = []
        for (name, broker) in zip(brokerNames, brokers) {
            guard let zeromq = broker as? ZeroMQBroker, zeromq.pattern == .pubSub, workerSettings.workers > 1,
                let settings = configuration.brokerSettings(named: name)
            else { continue }
            warnings.append(
                "\(settings.broker.file): \(settings.broker.path).pattern: pub_sub with worker.workers = "
                    + "\(workerSettings.workers) runs every task in every worker process; "
                    + "use \"pattern\": \"push_pull\" or one worker")
        }
        for task in tasks {
            guard let label = task.labels["priority"], (label.intValue ?? 1) != 0,
                let ordering = broker(named: task.broker) as? any PriorityOrdering, !ordering.honoursPriority
            else { continue }
            let type = configuration.brokerSettings(named: task.broker)?.broker.type.name ?? "?"
            warnings.append(
                "task '\(task.name)' declares priority \(label) but broker '\(task.broker)' (\(type)) runs tasks "
                    + "in arrival order; use redis_stream with \"priorities\" or rabbitmq with a classic queue's \"max_priority\"")
        }
        return warnings
    }

    /// Whether the main broker runs tasks inside this process (so a worker has nothing to listen to).
    public var isProcessLocal: Bool { isProcessLocal(broker: TaskiqConfiguration.defaultBrokerName) }

    /// Whether a broker runs tasks inside this process (so a worker has nothing to listen to).
    /// - Parameter name: `default` or a key of `brokers`; an unknown name is not process-local.
    public func isProcessLocal(broker name: String) -> Bool {
        configuration.brokerSettings(named: name)?.broker.type.isProcessLocal ?? false
    }

    /// Receiver options for the main broker; see ``receiverOptions(broker:)``.
    public var receiverOptions: ReceiverOptions { receiverOptions(broker: TaskiqConfiguration.defaultBrokerName) }

    /// Receiver options for a worker listening on a broker: the `worker` section's settings.
    /// - Parameter name: `default` or a key of `brokers`.
    public func receiverOptions(broker name: String) -> ReceiverOptions {
        Self.receiverOptions(configuration.worker, broker: name)
    }

    private static func receiverOptions(_ worker: WorkerSettings, broker name: String) -> ReceiverOptions {
        ReceiverOptions(
            maxAsyncTasks: worker.maxAsyncTasks, maxPrefetch: worker.maxPrefetch, ackType: worker.ackType,
            castTypes: worker.castTypes, syncTasksPoolSize: worker.syncTasksPoolSize, logsFormat: worker.logsFormat,
            waitTasksTimeout: worker.waitTasksTimeout ?? worker.shutdownTimeout, brokerName: name, limits: worker.limits,
            rateLimits: (try? worker.receiverRateLimits(broker: name)) ?? RateLimits(queueKey: name))
    }

    /// The loaded tasks with the broker each is registered with, sorted by name.
    public var tasks: [TaskSummary] {
        zip(brokerNames, brokers).flatMap { name, broker in
            broker.components.registry.all.map { task in
                TaskSummary(
                    name: task.name, module: modules.first { $0.taskNames.contains(task.name) }?.name ?? "",
                    broker: name, signature: task.signature, parameterNames: task.parameterNames,
                    labels: task.labels)
            }
        }.sorted { $0.name < $1.name }
    }

    /// Starts every broker and its components, the main one first. When one fails, those
    /// already started are shut down before the error is thrown.
    /// - Throws: ``/Taskiq/TaskiqError`` with code `startupFailed` naming the broker and its type
    ///   (or the dead-letter queue), with the component's own error as `underlying`: a server's
    ///   refusal such as Redis's `MISCONF` does not otherwise say which broker met it. A
    ///   cancellation stays a `CancellationError`.
    public func startup() async throws {
        do {
            try await deadLetterQueue?.startup()
        } catch {
            throw error is CancellationError ? error : TaskiqError(.startupFailed, "cannot start the dead-letter queue", underlying: error)
        }
        for (index, broker) in brokers.enumerated() {
            do {
                try await broker.startup()
            } catch {
                for started in brokers[..<index].reversed() { try? await started.shutdown() }
                try? await deadLetterQueue?.shutdown()
                if error is CancellationError { throw error }
                let name = brokerNames[index]
                let type = configuration.brokerSettings(named: name)?.broker.type.name ?? "?"
                throw TaskiqError(.startupFailed, "cannot start broker '\(name)' (\(type))", underlying: error)
            }
        }
    }

    /// Shuts every broker and its components down, the main one last; in-memory brokers first
    /// wait for their in-process tasks. Every broker is shut down even when one fails; the first
    /// error is thrown.
    public func shutdown() async throws {
        var failure: (any Error)?
        for broker in brokers.reversed() {
            do {
                try await broker.shutdown()
            } catch {
                failure = failure ?? error
            }
        }
        do {
            try await deadLetterQueue?.shutdown()
        } catch {
            failure = failure ?? error
        }
        if let failure { throw failure }
    }

    /// Sends a task by name with JSON arguments, as another producer would, through the broker
    /// its module is routed to.
    /// - Parameters:
    ///   - taskName: A loaded task's name, such as `examples.add`.
    ///   - args: Positional arguments.
    ///   - kwargs: Keyword arguments, by declared parameter name.
    ///   - labels: Labels that override the task's defaults.
    ///   - taskID: A fixed task ID instead of a generated one.
    /// - Returns: The task ID: the first kick's for a unique task (`unique_for`) kicked again in its window.
    /// - Throws: ``ConfigError`` with code `.unknownTask` for a task that is not
    ///   loaded; the broker's errors when sending fails.
    public func kick(
        _ taskName: String, args: [JSONValue] = [], kwargs: JSONObject = [:], labels: JSONObject = [:],
        taskID: String? = nil
    ) async throws -> String {
        guard let broker = broker(forTask: taskName), let task = broker.components.registry[taskName] else {
            let names = tasks.map(\.name)
            var message = "unknown task '\(taskName)'"
            if let match = closestMatch(to: taskName, in: names) { message += "; did you mean '\(match)'?" }
            message += names.isEmpty ? "; no tasks are loaded" : "; loaded tasks: \(names.joined(separator: ", "))"
            throw ConfigError(.unknownTask, file: configuration.file, path: "tasks", message)
        }
        var merged = task.labels
        for (key, value) in labels { merged[key] = value }
        let message = TaskiqMessage(
            taskID: taskID ?? broker.components.idGenerator(), taskName: taskName,
            labels: merged, args: args, kwargs: kwargs)
        // A unique task (unique_for label) kicked again within its window resolves to the first ID.
        return try await broker.send(message)
    }

    /// Waits for a task's result in the result backend of the broker the task was sent through.
    /// - Parameters:
    ///   - taskID: The ID ``kick(_:args:kwargs:labels:taskID:)`` returned.
    ///   - taskName: The task's name, to find its broker's result backend; `nil` reads the main broker's.
    ///   - timeout: How long to wait; `nil` waits until the result arrives.
    public func waitResult(
        _ taskID: String, task taskName: String? = nil,
        timeout: Duration? = nil
    ) async throws -> TaskiqResult<JSONValue> {
        let target = taskName.flatMap { broker(forTask: $0) } ?? broker
        return try await target.resultBackend.waitResult(taskID, timeout: timeout, withLogs: false)
    }
}
