/// Code a task module runs when a worker starts or stops: taskiq's `WORKER_STARTUP` and
/// `WORKER_SHUTDOWN` events, declared with the module's tasks.
///
/// Startup hooks run in the order of the modules and of their hooks, before the worker takes its
/// first task; shutdown hooks run in the reverse order, after the last running task has finished
/// and before the broker, its middlewares and result backend shut down, so they may still kick
/// tasks or store results.
/// ```swift
/// static let module = TaskModule("billing", tasks: [charge], hooks: [
///     .onWorkerStartup("open the database") { context in
///         context.state.set(try await DatabasePool.open(), for: .database)
///     },
///     .onWorkerShutdown("close the database") { context in
///         await context.state.remove(.database)?.close()
///     },
/// ])
/// ```
public struct LifecycleHook: Sendable {
    /// When a hook runs.
    public enum Event: String, Sendable {
        /// Before the worker takes its first task.
        case workerStartup = "worker_startup"
        /// After the worker's last task has finished.
        case workerShutdown = "worker_shutdown"
    }

    /// When the hook runs.
    public let event: Event
    /// What the hook does, for logs and errors ("open the database").
    public let name: String
    let body: @Sendable (LifecycleContext) async throws -> Void

    /// Creates a hook.
    public init(_ event: Event, _ name: String, _ body: @escaping @Sendable (LifecycleContext) async throws -> Void) {
        self.event = event
        self.name = name
        self.body = body
    }

    /// A hook that runs before the worker takes its first task; when it throws, the worker
    /// does not start (the modules already started are shut down first).
    public static func onWorkerStartup(
        _ name: String,
        _ body: @escaping @Sendable (LifecycleContext) async throws -> Void
    ) -> LifecycleHook {
        LifecycleHook(.workerStartup, name, body)
    }

    /// A hook that runs after the worker's last task has finished; when it throws, the error is
    /// logged and the other shutdown hooks still run.
    public static func onWorkerShutdown(
        _ name: String,
        _ body: @escaping @Sendable (LifecycleContext) async throws -> Void
    ) -> LifecycleHook {
        LifecycleHook(.workerShutdown, name, body)
    }
}

/// What a ``LifecycleHook`` can reach: the shared state, the broker and a logger.
public struct LifecycleContext: Sendable {
    /// The state every task of the broker reads through ``TaskContext/state``.
    public let state: TaskiqState
    /// The broker whose worker starts or stops.
    public let broker: any AsyncBroker
    /// A logger naming the module and the hook.
    public let logger: Logger
}
