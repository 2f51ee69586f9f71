import Taskiq

/// A registered component type: what the config file names with `"type"`, and how to build it.
public struct ComponentType: Sendable {
    /// Which section of the config the type belongs to.
    public let kind: ComponentKind
    /// The name written as `"type"`, such as `inmemory`.
    public let name: String
    /// One sentence for the schema and for listings.
    public let summary: String
    /// The settings it accepts, in the order the schema lists them.
    public let options: [ComponentOption]
    /// Whether the component only works inside one process (the in-memory broker), which rules
    /// out `worker.workers > 1`.
    public let isProcessLocal: Bool

    /// Checks that take several options together (two that exclude each other), run when the
    /// config is validated, before anything is built. Paths in its errors are relative to the component.
    var check: (@Sendable (ComponentOptions) throws(ConfigError) -> Void)? = nil

    let make: @Sendable (ComponentOptions) throws -> Component
}

/// A built component, whichever its kind.
enum Component: Sendable {
    case broker(any AsyncBroker)
    case resultBackend(any ResultBackend)
    case middleware(any TaskiqMiddleware)
    case taskIDGenerator(TaskIDGenerator)
    case schedulerLease(any SchedulerLease)
    case schedulerStateStore(any SchedulerStateStore)
    case deadLetterQueue(any DeadLetterQueue)
}
