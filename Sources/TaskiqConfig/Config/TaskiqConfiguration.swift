import Taskiq

/// A validated configuration: typed settings for every section, ready to assemble.
///
/// ```swift
/// let configuration = try TaskiqConfiguration.load("taskiq.json", modules: [MyTasks.module])
/// let system = try TaskiqSystem(configuration: configuration, modules: [MyTasks.module])
/// ```
/// Validation checks every key against the ``ComponentRegistry`` and the compiled-in modules and
/// throws the first problem as a ``ConfigError`` naming file, JSON path, what was found and what
/// was expected.
public struct TaskiqConfiguration: Sendable {
    /// The file that was loaded.
    public var file: String
    /// The main broker: modules that no route sends elsewhere are registered with it.
    public var broker: ComponentSettings
    /// Further named brokers from `brokers`, in the order written.
    public var brokers: [NamedBrokerSettings]
    /// The result backend, or `nil` to keep the broker's own.
    public var resultBackend: ComponentSettings?
    /// The task-ID generator, or `nil` for the broker's default (`uuid4`).
    public var taskIDGenerator: ComponentSettings?
    /// The middlewares, in order.
    public var middlewares: [ComponentSettings]
    /// The names of the task modules to load, in load order.
    public var modules: [String]
    /// `tasks.routes`, in the order written: the first route that matches a module picks its broker.
    public var routes: [ModuleRoute]
    /// The worker settings.
    public var worker: WorkerSettings
    /// The `schedules` list, in the order written.
    public var schedules: [ConfiguredSchedule]
    /// The `scheduler` section.
    public var scheduler: SchedulerSettings
    /// The `dead_letters` section, or `nil` when absent.
    public var deadLetters: DeadLetterSettings?
    /// The `metrics` section, or `nil` when absent (no metrics endpoint).
    public var metrics: MetricsSettings?
    /// The document as loaded (after `extends` and interpolation).
    public var document: ConfigDocument

    /// The keys allowed at the top level.
    static let topLevelKeys = [
        "$schema", "extends", "broker", "brokers", "result_backend", "task_id_generator",
        "middlewares", "tasks", "worker", "schedules", "scheduler", "dead_letters", "metrics",
    ]

    /// The name of the main broker (`broker`) in routes, `taskiq-run worker --broker` and listings.
    public static let defaultBrokerName = "default"

    /// Every broker's name: ``defaultBrokerName`` first, then the keys of `brokers` in order.
    public var brokerNames: [String] { [Self.defaultBrokerName] + brokers.map(\.name) }

    /// The settings of a broker by name, with the result backend it uses (its own or the top-level one).
    /// - Parameter name: ``defaultBrokerName`` or a key of `brokers`.
    /// - Returns: `nil` for a name the configuration does not declare.
    public func brokerSettings(named name: String) -> (broker: ComponentSettings, resultBackend: ComponentSettings?)? {
        if name == Self.defaultBrokerName { return (broker, resultBackend) }
        guard let named = brokers.first(where: { $0.name == name }) else { return nil }
        return (named.broker, named.resultBackend ?? resultBackend)
    }

    /// The route that sends a module to its broker, or `nil` when it goes to the main broker by default.
    public func route(forModule name: String) -> ModuleRoute? {
        routes.first { $0.matches(module: name) }
    }

    /// The name of the broker a module is registered with: its route's, else ``defaultBrokerName``.
    public func brokerName(forModule name: String) -> String {
        route(forModule: name)?.broker ?? Self.defaultBrokerName
    }

    /// Validates a loaded document.
    /// - Parameters:
    ///   - document: The loaded document.
    ///   - registry: The component types the document may name.
    ///   - modules: The compiled-in task modules the document may select.
    /// - Throws: ``ConfigError`` for the first problem found.
    public init(
        document: ConfigDocument, registry: ComponentRegistry = .standard,
        modules: [TaskModule]
    ) throws(ConfigError) {
        self = try ConfigValidator(document: document, registry: registry, modules: modules).validate()
    }

    init(
        file: String, broker: ComponentSettings, brokers: [NamedBrokerSettings], resultBackend: ComponentSettings?,
        taskIDGenerator: ComponentSettings?, middlewares: [ComponentSettings], modules: [String], routes: [ModuleRoute],
        worker: WorkerSettings, schedules: [ConfiguredSchedule], scheduler: SchedulerSettings,
        deadLetters: DeadLetterSettings?, metrics: MetricsSettings? = nil, document: ConfigDocument
    ) {
        self.deadLetters = deadLetters
        self.metrics = metrics
        self.file = file
        self.broker = broker
        self.brokers = brokers
        self.routes = routes
        self.resultBackend = resultBackend
        self.taskIDGenerator = taskIDGenerator
        self.middlewares = middlewares
        self.modules = modules
        self.worker = worker
        self.schedules = schedules
        self.scheduler = scheduler
        self.document = document
    }

    /// Loads and validates a file.
    /// - Parameters:
    ///   - file: The file; when `nil`, `$TASKIQ_CONFIG`, else `taskiq.json`.
    ///   - registry: The component types the file may name.
    ///   - modules: The compiled-in task modules the file may select.
    ///   - environment: The variables `${VAR}` reads; the process's by default.
    /// - Throws: ``ConfigError`` for the first problem found.
    public static func load(
        _ file: String?, registry: ComponentRegistry = .standard, modules: [TaskModule],
        environment: [String: String]? = nil
    ) throws(ConfigError) -> TaskiqConfiguration {
        let loader = environment.map(ConfigLoader.init(environment:)) ?? ConfigLoader()
        let document = try loader.load(try loader.configFile(explicit: file))
        return try TaskiqConfiguration(document: document, registry: registry, modules: modules)
    }
}
