import Synchronization

/// The long-running services of one component, each running as a child of one task group, so
/// that none is detached and none outlives ``shutdown()``.
///
/// ``start(_:)`` hands a service to the group (starting the group on first use);
/// ``shutdown()`` cancels every service and returns once all have returned; a group shut down
/// can be started again (a broker listened to a second time). The group's root is the one
/// unstructured task here: a component's `startup()`/`listen()` returns while its services go on,
/// so they cannot be children of the caller's task; ``shutdown()`` (or, as a last resort, the
/// group's deinit) ends it.
///
/// ```swift
/// services.start(delayedQueue)        // in listen()
/// await services.shutdown()           // first thing in shutdown()
/// ```
package final class ServiceGroup: Sendable {
    private struct Running: Sendable {
        var root: Task<Void, Never>
        var intake: AsyncStream<any Service>.Continuation
    }

    private let running = Mutex<Running?>(nil)

    /// An empty group; nothing runs until ``start(_:)``.
    package init() {}

    deinit {
        running.withLock { $0?.root.cancel() }
    }

    /// Whether services are running: started and not shut down since.
    package var isRunning: Bool { running.withLock { $0 != nil } }

    /// Starts `service` in the group.
    package func start(_ service: any Service) {
        running.withLock { running in
            if running == nil {
                let (services, intake) = AsyncStream.makeStream(of: (any Service).self)
                let root = Task {
                    await withDiscardingTaskGroup { group in
                        // Ends when the root is cancelled; the group then cancels the services
                        // and waits for each to return.
                        for await service in services {
                            group.addTask { await service.run() }
                        }
                    }
                }
                running = Running(root: root, intake: intake)
            }
            running!.intake.yield(service)
        }
    }

    /// Starts `operation` in the group, as a service whose ``Service/run()`` it is.
    package func start(_ operation: @escaping @Sendable () async -> Void) {
        start(ClosureService(operation: operation))
    }

    /// Cancels every service and returns once all have returned. Does nothing when none runs.
    package func shutdown() async {
        guard
            let stopped = running.withLock({ running in
                defer { running = nil }
                return running
            })
        else { return }
        stopped.intake.finish()
        stopped.root.cancel()
        await stopped.root.value
    }

    /// Cancels every service without waiting for them, for synchronous teardown (a `close()`
    /// called from a deinit); a later ``shutdown()`` still waits for them to return. Services
    /// started after this do not run until ``shutdown()`` has returned.
    package func cancel() {
        guard let running = running.withLock({ $0 }) else { return }
        running.intake.finish()
        running.root.cancel()
    }
}

/// A service made of a closure.
private struct ClosureService: Service {
    let operation: @Sendable () async -> Void

    func run() async { await operation() }
}
