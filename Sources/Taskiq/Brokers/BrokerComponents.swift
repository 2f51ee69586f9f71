import Synchronization

/// What every broker shares: the task registry, middlewares, result backend, formatter and
/// task-ID generator.
///
/// A broker type owns one and exposes it as ``AsyncBroker/components``; the fluent setters on
/// ``AsyncBroker`` change it. Configure a broker before it starts; changes while tasks are in
/// flight apply to later messages.
public final class BrokerComponents: Sendable {
    private struct State {
        var middlewares: [any TaskiqMiddleware] = []
        var resultBackend: any ResultBackend
        var formatter: any TaskiqFormatter = JSONFormatter()
        var idGenerator: TaskIDGenerator
    }

    private let state: Mutex<State>
    package let registry = TaskRegistry()

    /// Creates the components.
    /// - Parameters:
    ///   - resultBackend: Where results go; taskiq's default is the ``DummyResultBackend``.
    ///   - taskIDGenerator: How task IDs are made; taskiq's default is ``TaskIDGenerator/uuid4``.
    public init(resultBackend: (any ResultBackend)? = nil, taskIDGenerator: TaskIDGenerator? = nil) {
        state = Mutex(State(resultBackend: resultBackend ?? DummyResultBackend(),
                            idGenerator: taskIDGenerator ?? .uuid4))
    }

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
