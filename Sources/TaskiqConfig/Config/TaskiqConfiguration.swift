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
    /// The broker.
    public var broker: ComponentSettings
    /// The result backend, or `nil` to keep the broker's own.
    public var resultBackend: ComponentSettings?
    /// The task-ID generator, or `nil` for the broker's default (`uuid4`).
    public var taskIDGenerator: ComponentSettings?
    /// The middlewares, in order.
    public var middlewares: [ComponentSettings]
    /// The names of the task modules to load, in load order.
    public var modules: [String]
    /// The worker settings.
    public var worker: WorkerSettings
    /// The `schedules` array, kept as written for the scheduler.
    public var schedules: [JSONValue]
    /// The document as loaded (after `extends` and interpolation).
    public var document: ConfigDocument

    /// The keys allowed at the top level.
    static let topLevelKeys = ["$schema", "extends", "broker", "result_backend", "task_id_generator",
                               "middlewares", "tasks", "worker", "schedules"]

    /// Validates a loaded document.
    /// - Parameters:
    ///   - document: The loaded document.
    ///   - registry: The component types the document may name.
    ///   - modules: The compiled-in task modules the document may select.
    /// - Throws: ``ConfigError`` for the first problem found.
    public init(document: ConfigDocument, registry: ComponentRegistry = .standard,
                modules: [TaskModule]) throws(ConfigError) {
        self = try ConfigValidator(document: document, registry: registry, modules: modules).validate()
    }

    init(file: String, broker: ComponentSettings, resultBackend: ComponentSettings?, taskIDGenerator: ComponentSettings?,
         middlewares: [ComponentSettings], modules: [String], worker: WorkerSettings, schedules: [JSONValue],
         document: ConfigDocument) {
        self.file = file
        self.broker = broker
        self.resultBackend = resultBackend
        self.taskIDGenerator = taskIDGenerator
        self.middlewares = middlewares
        self.modules = modules
        self.worker = worker
        self.schedules = schedules
        self.document = document
    }

    /// Loads and validates a file.
    /// - Parameters:
    ///   - file: The file; when `nil`, `$TASKIQ_CONFIG`, else `taskiq.json`.
    ///   - registry: The component types the file may name.
    ///   - modules: The compiled-in task modules the file may select.
    ///   - environment: The variables `${VAR}` reads; the process's by default.
    /// - Throws: ``ConfigError`` for the first problem found.
    public static func load(_ file: String?, registry: ComponentRegistry = .standard, modules: [TaskModule],
                            environment: [String: String]? = nil) throws(ConfigError) -> TaskiqConfiguration {
        let loader = environment.map(ConfigLoader.init(environment:)) ?? ConfigLoader()
        let document = try loader.load(try loader.configFile(explicit: file))
        return try TaskiqConfiguration(document: document, registry: registry, modules: modules)
    }
}
