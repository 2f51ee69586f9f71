import Taskiq

/// The component types a configuration file can name, by kind and `type`.
///
/// Start from ``standard`` and register your own types; the config can then name them, and
/// ``jsonSchema()`` describes them:
/// ```swift
/// var registry = ComponentRegistry.standard
/// let channel = Option<String>.string("channel", default: "tasks", description: "Where audit lines go.")
/// registry.register(middleware: "audit", summary: "Logs every task.", options: [channel]) { options in
///     AuditMiddleware(channel: try options[channel])
/// }
/// await TaskiqRunner(modules: [MyTasks.module], registry: registry).main()
/// ```
/// Registering a name again replaces the earlier type.
public struct ComponentRegistry: Sendable {
    private var types: [ComponentKind: [ComponentType]] = [:]

    /// Creates an empty registry; most programs start from ``standard`` instead.
    public init() {}

    /// The registered types of one kind, in registration order.
    public func types(of kind: ComponentKind) -> [ComponentType] {
        types[kind] ?? []
    }

    /// The type of a kind with a name.
    public func type(_ kind: ComponentKind, named name: String) -> ComponentType? {
        types[kind]?.first { $0.name == name }
    }

    /// Registers a broker type.
    /// - Parameters:
    ///   - name: The `type` the config names, such as `inmemory`.
    ///   - summary: One sentence for the schema.
    ///   - options: The settings it accepts besides `type`: typed ``Option`` keys the factory reads back, or
    ///     untyped ``ComponentOption``s.
    ///   - isProcessLocal: Whether the broker only works inside one process, which rules out `workers > 1`.
    ///   - check: Validates options together when the config is loaded; throw a ``ConfigError``
    ///     whose path names the option.
    ///   - make: Builds the broker from validated options.
    public mutating func register(
        broker name: String, summary: String = "", options: [any OptionDeclaration] = [], isProcessLocal: Bool = false,
        check: (@Sendable (ComponentOptions) throws(ConfigError) -> Void)? = nil,
        make: @escaping @Sendable (ComponentOptions) throws -> any AsyncBroker
    ) {
        add(
            ComponentType(
                kind: .broker, name: name, summary: summary, options: options.map(\.declaration),
                isProcessLocal: isProcessLocal, check: check, make: { .broker(try make($0)) }))
    }

    /// Registers a result-backend type.
    /// - Parameters:
    ///   - name: The `type` the config names, such as `inmemory`.
    ///   - summary: One sentence for the schema.
    ///   - options: The settings it accepts besides `type`: typed ``Option`` keys the factory reads back, or
    ///     untyped ``ComponentOption``s.
    ///   - isProcessLocal: Whether the backend only works inside one process.
    ///   - check: Validates options together when the config is loaded, such as two that
    ///     exclude each other; throw a ``ConfigError`` whose path names the option.
    ///   - make: Builds the backend from validated options.
    public mutating func register(
        resultBackend name: String, summary: String = "", options: [any OptionDeclaration] = [], isProcessLocal: Bool = false,
        check: (@Sendable (ComponentOptions) throws(ConfigError) -> Void)? = nil,
        make: @escaping @Sendable (ComponentOptions) throws -> any ResultBackend
    ) {
        add(
            ComponentType(
                kind: .resultBackend, name: name, summary: summary, options: options.map(\.declaration),
                isProcessLocal: isProcessLocal, check: check, make: { .resultBackend(try make($0)) }))
    }

    /// Registers a middleware type.
    /// - Parameters:
    ///   - name: The `type` the config names, such as `simple_retry`.
    ///   - summary: One sentence for the schema.
    ///   - options: The settings it accepts besides `type`: typed ``Option`` keys the factory reads back, or
    ///     untyped ``ComponentOption``s.
    ///   - make: Builds the middleware from validated options.
    public mutating func register(
        middleware name: String, summary: String = "", options: [any OptionDeclaration] = [],
        make: @escaping @Sendable (ComponentOptions) throws -> any TaskiqMiddleware
    ) {
        add(
            ComponentType(
                kind: .middleware, name: name, summary: summary, options: options.map(\.declaration),
                isProcessLocal: false, make: { .middleware(try make($0)) }))
    }

    /// Registers a task-ID generator type. The config may name it as a plain string when it has
    /// no required options: `"task_id_generator": "uuid7"`.
    /// - Parameters:
    ///   - name: The `type` the config names, such as `uuid7`.
    ///   - summary: One sentence for the schema.
    ///   - options: The settings it accepts besides `type`: typed ``Option`` keys the factory reads back, or
    ///     untyped ``ComponentOption``s.
    ///   - make: Builds the generator from validated options.
    public mutating func register(
        taskIDGenerator name: String, summary: String = "", options: [any OptionDeclaration] = [],
        make: @escaping @Sendable (ComponentOptions) throws -> TaskIDGenerator
    ) {
        add(
            ComponentType(
                kind: .taskIDGenerator, name: name, summary: summary, options: options.map(\.declaration),
                isProcessLocal: false, make: { .taskIDGenerator(try make($0)) }))
    }

    /// Registers a scheduler-lease type, for `"scheduler": {"lease": {"type": ...}}`.
    ///
    /// Each scheduler the runner starts (one per broker with schedules) gets its own instance.
    /// - Parameters:
    ///   - name: The `type` the config names, such as `local`.
    ///   - summary: One sentence for the schema.
    ///   - options: The settings it accepts besides `type`: typed ``Option`` keys the factory reads back, or
    ///     untyped ``ComponentOption``s.
    ///   - isProcessLocal: Whether the lease only coordinates schedulers inside one process.
    ///   - check: Validates options together when the config is loaded (a renewal interval
    ///     shorter than the expiry); throw a ``ConfigError`` whose path names the option.
    ///   - make: Builds the lease from validated options.
    public mutating func register(
        schedulerLease name: String, summary: String = "", options: [any OptionDeclaration] = [], isProcessLocal: Bool = false,
        check: (@Sendable (ComponentOptions) throws(ConfigError) -> Void)? = nil,
        make: @escaping @Sendable (ComponentOptions) throws -> any SchedulerLease
    ) {
        add(
            ComponentType(
                kind: .schedulerLease, name: name, summary: summary, options: options.map(\.declaration),
                isProcessLocal: isProcessLocal, check: check, make: { .schedulerLease(try make($0)) }))
    }

    /// Registers a scheduler-state-store type, for `"scheduler": {"state_store": {"type": ...}}`.
    /// - Parameters:
    ///   - name: The `type` the config names, such as `inmemory`.
    ///   - summary: One sentence for the schema.
    ///   - options: The settings it accepts besides `type`: typed ``Option`` keys the factory reads back, or
    ///     untyped ``ComponentOption``s.
    ///   - isProcessLocal: Whether the store lives in this process only (lost on exit).
    ///   - check: Validates options together when the config is loaded; throw a ``ConfigError``
    ///     whose path names the option.
    ///   - make: Builds the store from validated options.
    public mutating func register(
        schedulerStateStore name: String, summary: String = "", options: [any OptionDeclaration] = [],
        isProcessLocal: Bool = false, check: (@Sendable (ComponentOptions) throws(ConfigError) -> Void)? = nil,
        make: @escaping @Sendable (ComponentOptions) throws -> any SchedulerStateStore
    ) {
        add(
            ComponentType(
                kind: .schedulerStateStore, name: name, summary: summary, options: options.map(\.declaration),
                isProcessLocal: isProcessLocal, check: check, make: { .schedulerStateStore(try make($0)) }))
    }

    /// Registers a dead-letter-queue type, for `"dead_letters": {"type": ...}`.
    ///
    /// The section also takes `failed_tasks` (`exhausted`, `all` or `none`, see
    /// ``/Taskiq/DeadLetterPolicy``), which the validator reads; the factory gets only its own options.
    /// - Parameters:
    ///   - name: The `type` the config names, such as `file`.
    ///   - summary: One sentence for the schema.
    ///   - options: The settings it accepts besides `type` and `failed_tasks`.
    ///   - isProcessLocal: Whether the letters live in this process only (another process cannot list them).
    ///   - check: Validates options together when the config is loaded; throw a ``ConfigError``
    ///     whose path names the option.
    ///   - make: Builds the queue from validated options.
    public mutating func register(
        deadLetterQueue name: String, summary: String = "", options: [any OptionDeclaration] = [], isProcessLocal: Bool = false,
        check: (@Sendable (ComponentOptions) throws(ConfigError) -> Void)? = nil,
        make: @escaping @Sendable (ComponentOptions) throws -> any DeadLetterQueue
    ) {
        add(
            ComponentType(
                kind: .deadLetterQueue, name: name, summary: summary, options: options.map(\.declaration),
                isProcessLocal: isProcessLocal, check: check, make: { .deadLetterQueue(try make($0)) }))
    }

    private mutating func add(_ type: ComponentType) {
        var list = types[type.kind] ?? []
        if let index = list.firstIndex(where: { $0.name == type.name }) {
            list[index] = type
        } else {
            list.append(type)
        }
        types[type.kind] = list
    }
}
