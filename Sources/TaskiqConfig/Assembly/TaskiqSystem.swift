import Taskiq

/// A broker with its result backend, ID generator, middlewares and task modules, assembled from a
/// validated configuration: what a worker runs and what a producer kicks through.
///
/// ```swift
/// let system = try TaskiqSystem.load("taskiq.json", modules: [MathTasks.module])
/// try await system.startup()
/// let handle = try await MathTasks.add.kiq(1, 2)      // bound to the configured broker
/// ```
/// Loading registers every selected module with the broker, which binds its definitions there,
/// so typed `kiq` calls need no broker argument.
public final class TaskiqSystem: Sendable {
    /// The configuration it was built from.
    public let configuration: TaskiqConfiguration
    /// The configured broker, with result backend, ID generator and middlewares installed.
    public let broker: any AsyncBroker
    /// The loaded task modules, in load order.
    public let modules: [TaskModule]

    /// Builds the components and registers the selected modules.
    /// - Parameters:
    ///   - configuration: A validated configuration.
    ///   - modules: The compiled-in modules; those the configuration selects are loaded.
    /// - Throws: ``ConfigError`` when a component factory fails.
    public init(configuration: TaskiqConfiguration, modules: [TaskModule]) throws(ConfigError) {
        self.configuration = configuration
        guard case .broker(let broker) = try configuration.broker.make() else {
            preconditionFailure("a broker factory makes a broker")
        }
        if let settings = configuration.resultBackend, case .resultBackend(let backend) = try settings.make() {
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
        let selected = configuration.modules.compactMap { name in modules.first { $0.name == name } }
        for module in selected { broker.register(module) }
        self.broker = broker
        self.modules = selected
    }

    /// Loads, validates and assembles a configuration file.
    /// - Parameters:
    ///   - file: The file; when `nil`, `$TASKIQ_CONFIG`, else `taskiq.json`.
    ///   - modules: The compiled-in task modules.
    ///   - registry: The component types the file may name.
    ///   - environment: The variables `${VAR}` reads; the process's by default.
    /// - Throws: ``ConfigError`` for the first problem found.
    public static func load(_ file: String?, modules: [TaskModule], registry: ComponentRegistry = .standard,
                            environment: [String: String]? = nil) throws(ConfigError) -> TaskiqSystem {
        let configuration = try TaskiqConfiguration.load(file, registry: registry, modules: modules, environment: environment)
        return try TaskiqSystem(configuration: configuration, modules: modules)
    }

    /// The worker settings.
    public var workerSettings: WorkerSettings { configuration.worker }

    /// Settings that are valid but probably not what the user wants, for `check` and the worker's log.
    public var warnings: [String] {
        var warnings: [String] = []
        if let zeromq = broker as? ZeroMQBroker, zeromq.pattern == .pubSub, workerSettings.workers > 1 {
            warnings.append("\(configuration.file): broker.pattern: pub_sub with worker.workers = "
                + "\(workerSettings.workers) runs every task in every worker process; "
                + "use \"pattern\": \"push_pull\" or one worker")
        }
        return warnings
    }

    /// Whether the broker runs tasks inside this process (so a worker has nothing to listen to).
    public var isProcessLocal: Bool { configuration.broker.type.isProcessLocal }

    /// Receiver options from the worker settings and, where the broker declares them,
    /// `cast_types`, `sync_tasks_pool_size` and `logs_format`.
    public var receiverOptions: ReceiverOptions {
        let worker = configuration.worker
        let brokerOptions = configuration.broker.options
        return ReceiverOptions(
            maxAsyncTasks: worker.maxAsyncTasks, maxPrefetch: worker.maxPrefetch, ackType: worker.ackType,
            castTypes: brokerOptions["cast_types"]?.boolValue ?? true,
            syncTasksPoolSize: brokerOptions["sync_tasks_pool_size"]?.intValue ?? 4,
            logsFormat: brokerOptions["logs_format"]?.stringValue,
            waitTasksTimeout: worker.waitTasksTimeout ?? worker.shutdownTimeout)
    }

    /// The loaded tasks, sorted by name.
    public var tasks: [TaskSummary] {
        broker.components.registry.all.map { task in
            TaskSummary(name: task.name, module: modules.first { $0.taskNames.contains(task.name) }?.name ?? "",
                        signature: task.signature, parameterNames: task.parameterNames, labels: task.labels)
        }
    }

    /// Starts the broker and its components.
    public func startup() async throws {
        try await broker.startup()
    }

    /// Waits for in-process tasks (in-memory broker), then shuts the broker and its components down.
    public func shutdown() async throws {
        try await broker.shutdown()
    }

    /// Sends a task by name with JSON arguments, as another producer would.
    /// - Parameters:
    ///   - taskName: A loaded task's name, such as `examples.add`.
    ///   - args: Positional arguments.
    ///   - kwargs: Keyword arguments, by declared parameter name.
    ///   - labels: Labels that override the task's defaults.
    ///   - taskID: A fixed task ID instead of a generated one.
    /// - Returns: The task ID.
    /// - Throws: ``ConfigError`` with code ``ConfigError/Code/unknownTask`` for a task that is not
    ///   loaded; the broker's errors when sending fails.
    public func kick(_ taskName: String, args: [JSONValue] = [], kwargs: JSONObject = [:], labels: JSONObject = [:],
                     taskID: String? = nil) async throws -> String {
        guard let task = broker.components.registry[taskName] else {
            let names = broker.registeredTaskNames
            var message = "unknown task '\(taskName)'"
            if let match = closestMatch(to: taskName, in: names) { message += "; did you mean '\(match)'?" }
            message += names.isEmpty ? "; no tasks are loaded" : "; loaded tasks: \(names.joined(separator: ", "))"
            throw ConfigError(.unknownTask, file: configuration.file, path: "tasks", message)
        }
        var merged = task.labels
        for (key, value) in labels { merged[key] = value }
        let message = TaskiqMessage(taskID: taskID ?? broker.components.idGenerator(), taskName: taskName,
                                    labels: merged, args: args, kwargs: kwargs)
        try await broker.send(message)
        return message.taskID
    }

    /// Waits for a task's result.
    /// - Parameters:
    ///   - taskID: The ID ``kick(_:args:kwargs:labels:taskID:)`` returned.
    ///   - timeout: How long to wait; `nil` waits until the result arrives.
    public func waitResult(_ taskID: String, timeout: Duration? = nil) async throws -> TaskiqResult<JSONValue> {
        try await broker.resultBackend.waitResult(taskID, timeout: timeout, withLogs: false)
    }
}
