import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// Worker startup and shutdown hooks around a Redis worker: the hooks run before the first
    /// delivery is taken and after the last running task finished, and a failed startup hook
    /// takes nothing from the stream.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisLifecycleTests {
        static func module(_ journal: Journal, started: EventStream<Void>? = nil, failing: Bool = false) -> TaskModule {
            let slow = TaskDefinition("lifecycle.slow", parameters: ["n"]) { (n: Int) async throws -> String in
                let pool = try TaskContext.current!.state.require(.pool)
                journal.append("task \(n) start")
                started?.send(())
                try await Task.sleep(for: .milliseconds(300))
                journal.append("task \(n) end")
                return pool.name
            }
            struct Refused: Error {}
            return TaskModule(
                "lifecycle", tasks: [slow],
                hooks: [
                    .onWorkerStartup("open the pool") { context in
                        if failing { throw Refused() }
                        context.state.set(FakePool(name: "redis-pool"), for: .pool)
                        journal.append("start")
                    },
                    .onWorkerShutdown("close the pool") { context in
                        context.state.remove(.pool)?.closed.store(true, ordering: .relaxed)
                        journal.append("stop")
                    },
                ])
        }

        @Test func hooksRunAroundTheTasksOfARedisWorker() async throws {
            try await RedisServer.with { server in
                let journal = Journal()
                let started = EventStream<Void>()
                let worker = try Redis.streamBroker(server)
                worker.register(Self.module(journal, started: started))
                let producer = try Redis.streamBroker(server)
                let slow = producer.task("lifecycle.slow") { (n: Int) async throws -> String in "" }
                try await producer.startup()
                let handles = try await Redis.withWorker(worker) { _ in
                    let handles = [try await slow.kiq(1), try await slow.kiq(2)]
                    _ = try await started.first(2, timeout: 30)
                    return handles
                    // withWorker stops the receiver here, while both tasks still sleep.
                }
                #expect(journal.all.first == "start")
                #expect(journal.all.last == "stop", "the shutdown hook ran after both tasks: \(journal.all)")
                #expect(Set(journal.all.dropFirst().dropLast()) == ["task 1 start", "task 2 start", "task 1 end", "task 2 end"])
                // Results are in the worker's in-memory backend.
                for handle in handles {
                    let result = try await worker.resultBackend.waitResult(handle.taskID, timeout: .seconds(10), withLogs: false)
                    #expect(result.returnValue == .string("redis-pool"))
                }
                try await producer.shutdown()
            }
        }

        @Test func aFailedStartupHookTakesNothingFromTheStream() async throws {
            try await RedisServer.with { server in
                let journal = Journal()
                let worker = try Redis.streamBroker(server)
                worker.register(Self.module(journal, failing: true))
                let producer = try Redis.streamBroker(server)
                let slow = producer.task("lifecycle.slow") { (n: Int) async throws -> String in "" }
                try await producer.startup()
                _ = try await slow.kiq(1)
                try await worker.startup()
                let receiver = Receiver(broker: worker)
                let error = await #expect(throws: TaskiqError.self) { try await receiver.run() }
                #expect(error?.code == .startupFailed)
                #expect(error?.message.contains("'open the pool' of module 'lifecycle'") == true, "\(error.map { "\($0)" } ?? "")")
                #expect(journal.all.isEmpty)
                // The task is still waiting in the stream for a worker whose hooks start.
                let healthy = try Redis.streamBroker(server)
                healthy.register(Self.module(journal))
                try await Redis.withWorker(healthy) { _ in
                    try await eventually("the task ran on the healthy worker") { journal.all.contains("task 1 end") }
                }
                try await worker.shutdown()
                try await producer.shutdown()
            }
        }
    }
}
