import Synchronization

/// A broker's worker lifecycle: the ``LifecycleHook``s its task modules declare and the
/// ``TaskiqState`` they fill.
///
/// Whatever runs a broker's tasks starts it before the first task and stops it after the last:
/// a ``Receiver`` around its ``Receiver/run()``, the in-memory broker in its `startup()` and
/// `shutdown()`. Starting or stopping twice does nothing the second time.
public final class TaskLifecycle: Sendable {
    /// The values the hooks share with the tasks.
    public let state = TaskiqState()

    private struct Registered: Sendable {
        var module: String
        var hook: LifecycleHook
    }

    private struct Phase: Sendable {
        var hooks: [Registered] = []
        /// The modules whose startup hooks all ran, in order; `nil` while not started.
        var started: [String]?
        var starting = false
    }

    private let phase = Mutex(Phase())

    /// Creates a lifecycle with no hooks.
    public init() {}

    /// Adds `hooks` of `module`, after those added before.
    public func add(_ hooks: [LifecycleHook], module: String) {
        phase.withLock { $0.hooks += hooks.map { Registered(module: module, hook: $0) } }
    }

    /// Whether any hook is declared.
    public var hasHooks: Bool { phase.withLock { !$0.hooks.isEmpty } }

    /// Runs the startup hooks in order. When one throws, the shutdown hooks of the modules
    /// started before it run (in reverse order) and the error is thrown.
    /// - Throws: ``TaskiqError`` with code `startup_failed` naming the module, the hook and the error.
    public func start(broker: any AsyncBroker, logger: Logger) async throws {
        let hooks = phase.withLock { phase -> [Registered]? in
            guard phase.started == nil, !phase.starting else { return nil }
            phase.starting = true
            return phase.hooks
        }
        guard let hooks else { return }
        var started: [String] = []
        for module in Self.modules(of: hooks) {
            for registered in hooks where registered.module == module && registered.hook.event == .workerStartup {
                do {
                    try await registered.hook.body(context(broker, logger, registered))
                } catch {
                    await stop(modules: started, hooks: hooks, broker: broker, logger: logger)
                    phase.withLock { $0.starting = false }
                    throw TaskiqError(
                        .startupFailed,
                        """
                        worker startup hook '\(registered.hook.name)' of module '\(module)' failed: \(error); \
                        the worker does not start
                        """, underlying: error)
                }
            }
            started.append(module)
        }
        phase.withLock {
            $0.started = started
            $0.starting = false
        }
    }

    /// Runs the shutdown hooks of the started modules in reverse order; a hook that throws is
    /// logged and the others still run. Runs outside the caller's cancellation, so a worker
    /// cancelled at its drain deadline still closes what its hooks opened.
    public func stop(broker: any AsyncBroker, logger: Logger) async {
        let taken = phase.withLock { phase -> ([String], [Registered])? in
            guard let started = phase.started else { return nil }
            phase.started = nil
            return (started, phase.hooks)
        }
        guard let (started, hooks) = taken else { return }
        await Task { await stop(modules: started, hooks: hooks, broker: broker, logger: logger) }.value
    }

    private func stop(modules: [String], hooks: [Registered], broker: any AsyncBroker, logger: Logger) async {
        for module in modules.reversed() {
            for registered in hooks.reversed() where registered.module == module && registered.hook.event == .workerShutdown {
                do {
                    try await registered.hook.body(context(broker, logger, registered))
                } catch {
                    logger.error(
                        "worker shutdown hook '\(registered.hook.name)' of module '\(module)' failed: \(error)",
                        metadata: ["module": module])
                }
            }
        }
    }

    private func context(_ broker: any AsyncBroker, _ logger: Logger, _ registered: Registered) -> LifecycleContext {
        var logger = logger
        logger[metadataKey: "module"] = registered.module
        logger[metadataKey: "hook"] = registered.hook.name
        return LifecycleContext(state: state, broker: broker, logger: logger)
    }

    private static func modules(of hooks: [Registered]) -> [String] {
        var seen = Set<String>()
        return hooks.map(\.module).filter { seen.insert($0).inserted }
    }
}
