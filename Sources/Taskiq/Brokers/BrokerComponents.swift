import Synchronization

/// What every broker shares: the task registry, middlewares, result backend, formatter and
/// task-ID generator.
///
/// A broker type owns one and exposes it as ``AsyncBroker/components``; the fluent setters on
/// ``AsyncBroker`` change it. Configure a broker before it starts; changes while tasks are in
/// flight apply to later messages.
public final class BrokerComponents: Sendable {
    /// All four settings read under one lock: what a kick or a delivery uses, so the hot path
    /// takes one lock instead of one per setting.
    package struct Settings: Sendable {
        package var middlewares: [any TaskiqMiddleware] = []
        package var resultBackend: any ResultBackend
        package var formatter: any TaskiqFormatter = JSONFormatter()
        package var idGenerator: TaskIDGenerator
        package var deadLetterQueue: (any DeadLetterQueue)? = nil
        package var deadLetterPolicy: DeadLetterPolicy = .default
        package var rateLimiter: any RateLimiter = InMemoryRateLimiter()
        package var uniqueStore: any UniqueStore = InMemoryUniqueStore()
    }

    private let state: Mutex<Settings>
    package let registry = TaskRegistry()
    /// The tasks running in this process and the recent requests to cancel tasks by ID.
    package let cancellations = TaskCancellations()
    /// The worker startup and shutdown hooks of the registered modules, and the state they share
    /// with the tasks.
    public let lifecycle = TaskLifecycle()

    /// Creates the components.
    /// - Parameters:
    ///   - resultBackend: Where results go; taskiq's default is the ``DummyResultBackend``.
    ///   - taskIDGenerator: How task IDs are made; taskiq's default is ``TaskIDGenerator/uuid4``.
    public init(resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil) {
        state = Mutex(
            Settings(
                resultBackend: resultBackend ?? DummyResultBackend(),
                idGenerator: taskIDGenerator ?? .uuid4))
    }

    /// The current settings, read at once.
    package var settings: Settings { state.withLock { $0 } }

    /// The middlewares, in order.
    public var middlewares: [any TaskiqMiddleware] {
        get { state.withLock { $0.middlewares } }
        set { state.withLock { $0.middlewares = newValue } }
    }

    /// The result backend.
    public var resultBackend: any ResultBackend {
        get { state.withLock { $0.resultBackend } }
        set { state.withLock { $0.resultBackend = newValue } }
    }

    /// The message formatter.
    public var formatter: any TaskiqFormatter {
        get { state.withLock { $0.formatter } }
        set { state.withLock { $0.formatter = newValue } }
    }

    /// The task-ID generator.
    public var idGenerator: TaskIDGenerator {
        get { state.withLock { $0.idGenerator } }
        set { state.withLock { $0.idGenerator = newValue } }
    }

    /// Where undecodable messages, unknown tasks and finally failed tasks go; `nil` logs, counts
    /// and acknowledges them. Not started or shut down with the broker: its owner does that.
    public var deadLetterQueue: (any DeadLetterQueue)? {
        get { state.withLock { $0.deadLetterQueue } }
        set { state.withLock { $0.deadLetterQueue = newValue } }
    }

    /// Which failed tasks go to the ``deadLetterQueue``.
    public var deadLetterPolicy: DeadLetterPolicy {
        get { state.withLock { $0.deadLetterPolicy } }
        set { state.withLock { $0.deadLetterPolicy = newValue } }
    }

    /// Where workers count rate-limited starts (see ``RateLimits``): this process by default;
    /// Redis brokers count them in Redis, across every worker of the queue.
    public var rateLimiter: any RateLimiter {
        get { state.withLock { $0.rateLimiter } }
        set { state.withLock { $0.rateLimiter = newValue } }
    }

    /// Where kicks of unique tasks (the `unique_for` label) are recorded: this process by
    /// default; Redis brokers record them in Redis, for every producer of the queue.
    public var uniqueStore: any UniqueStore {
        get { state.withLock { $0.uniqueStore } }
        set { state.withLock { $0.uniqueStore = newValue } }
    }

    /// Starts the middlewares in order, then the result backend.
    public func startup() async throws {
        for middleware in middlewares { try await middleware.startup() }
        try await resultBackend.startup()
    }

    /// Shuts the middlewares down in order, then the result backend.
    public func shutdown() async throws {
        for middleware in middlewares { try await middleware.shutdown() }
        try await resultBackend.shutdown()
    }
}
