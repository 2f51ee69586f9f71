import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// Worker startup and shutdown hooks of task modules, and the typed state they share with
/// tasks, on the in-memory broker (which is its own worker).
@Suite struct TaskLifecycleTests {
    /// A module whose hooks open and close a pool, and a task that reads it.
    static func poolModule(_ journal: Journal) -> (module: TaskModule, query: TaskDefinition<String, String>) {
        let query = TaskDefinition("db.query", parameters: ["sql"]) { (sql: String) async throws -> String in
            let pool = try TaskContext.current!.state.require(.pool)
            journal.append("task \(sql) on \(pool.name)")
            return "\(pool.name): \(sql)"
        }
        return (
            TaskModule(
                "db", tasks: [query],
                hooks: [
                    .onWorkerStartup("open the pool") { context in
                        journal.append("db start")
                        context.state.set(FakePool(name: "pool-1"), for: .pool)
                    },
                    .onWorkerShutdown("close the pool") { context in
                        context.state.remove(.pool)?.closed.store(true, ordering: .relaxed)
                        journal.append("db stop")
                    },
                ]), query
        )
    }

    @Test func hooksOpenStateForTasksAndCloseItAfterTheLastTask() async throws {
        let journal = Journal()
        let broker = InMemoryBroker()
        let (module, query) = Self.poolModule(journal)
        broker.register(module)
        broker.register(
            TaskModule(
                "mail", tasks: [],
                hooks: [
                    .onWorkerStartup("connect") { _ in journal.append("mail start") },
                    .onWorkerShutdown("disconnect") { _ in journal.append("mail stop") },
                ]))
        try await broker.startup()
        #expect(journal.all == ["db start", "mail start"])
        let pool = try #require(broker.components.lifecycle.state[.pool])
        let handle = try await query.kiq("select 1")
        try await broker.shutdown()
        // Shutdown hooks run after the last task, in reverse module order.
        #expect(journal.all == ["db start", "mail start", "task select 1 on pool-1", "mail stop", "db stop"])
        #expect(pool.isClosed)
        #expect(broker.components.lifecycle.state[.pool] == nil)
        #expect(try await handle.waitResult(timeout: .seconds(10)).returnValue == "pool-1: select 1")
    }

    @Test func aFailingStartupHookStopsTheStartedModulesAndSaysWhich() async throws {
        let journal = Journal()
        let broker = InMemoryBroker()
        broker.register(Self.poolModule(journal).module)
        struct Refused: Error, CustomStringConvertible { var description: String { "connection refused" } }
        broker.register(
            TaskModule(
                "cache", tasks: [],
                hooks: [
                    .onWorkerStartup("connect to the cache") { _ in throw Refused() },
                    .onWorkerShutdown("disconnect") { _ in journal.append("cache stop") },
                ]))
        broker.register(TaskModule("late", tasks: [], hooks: [.onWorkerStartup("never") { _ in journal.append("late start") }]))
        let error = await #expect(throws: TaskiqError.self) { try await broker.startup() }
        #expect(error?.code == .startupFailed)
        #expect(
            error?.message
                == "worker startup hook 'connect to the cache' of module 'cache' failed: connection refused; the worker does not start")
        // db started and was stopped again; cache never started, so its shutdown hook did not run.
        #expect(journal.all == ["db start", "db stop"])
        try await broker.shutdown()
        #expect(journal.all == ["db start", "db stop"], "nothing runs twice")
    }

    @Test func aTaskAskingForMissingStateGetsAClearError() async throws {
        let broker = InMemoryBroker()
        let journal = Journal()
        let (module, query) = Self.poolModule(journal)
        broker.register(module)
        // No startup: the hook never ran.
        let result = try await query.kiq("select 1").waitResult(timeout: .seconds(10))
        let failure = try #require(result.error)
        #expect("\(failure)".contains("the worker state has no 'pool'"), "\(failure)")
        try await broker.shutdown()

        let state = TaskiqState()
        state.set(FakePool(name: "x"), for: .pool)
        #expect(throws: TaskiqError.self) { try state.require(StateKey<Int>("pool")) }
        #expect(state[StateKey<Int>("pool")] == nil)
        #expect(state.names == ["pool"])
    }

    @Test func aFailingShutdownHookIsLoggedAndTheOthersStillRun() async throws {
        let journal = Journal()
        let capture = LogCapture()
        var logger = Logger(label: "test.lifecycle")
        logger.capture = capture
        let broker = InMemoryBroker()
        let lifecycle = TaskLifecycle()
        struct Stuck: Error {}
        lifecycle.add([.onWorkerShutdown("first") { _ in journal.append("a stop") }], module: "a")
        lifecycle.add([.onWorkerShutdown("flush") { _ in throw Stuck() }], module: "b")
        try await lifecycle.start(broker: broker, logger: logger)
        try await lifecycle.start(broker: broker, logger: logger)
        await lifecycle.stop(broker: broker, logger: logger)
        await lifecycle.stop(broker: broker, logger: logger)
        #expect(journal.all == ["a stop"])
        #expect(capture.text.contains("worker shutdown hook 'flush' of module 'b' failed"), "\(capture.text)")
        try await broker.shutdown()
    }

    @Test func shutdownHooksRunEvenWhenTheWorkerIsCancelled() async throws {
        let journal = Journal()
        let broker = InMemoryBroker()
        let lifecycle = TaskLifecycle()
        lifecycle.add(
            [
                .onWorkerShutdown("close") { _ in
                    // Would throw at once in a cancelled task.
                    try await Task.sleep(for: .milliseconds(1))
                    journal.append("closed")
                }
            ], module: "m")
        try await lifecycle.start(broker: broker, logger: Logger(label: "test"))
        let stopping = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await lifecycle.stop(broker: broker, logger: Logger(label: "test"))
        }
        await stopping.value
        #expect(journal.all == ["closed"])
        try await broker.shutdown()
    }
}
