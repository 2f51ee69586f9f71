import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// Cancellation by task ID across connections: a producer's request reaches the worker
    /// running (or about to run) the task.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisCancelTests {
        typealias Kind = RedisDelayTests.Kind

        /// A task that runs until cancelled, reporting its start and its interruption.
        final class LongTask: Sendable {
            let started = EventStream<String>()
            let interrupted = EventStream<Void>()
            let starts = Atomic<Int>(0)

            @discardableResult
            func register(on broker: any AsyncBroker, labels: JSONObject = [:]) -> TaskDefinition<Int> {
                broker.task("long", labels: labels) { [self] () async throws -> Int in
                    starts.add(1, ordering: .relaxed)
                    started.send(TaskContext.current?.message.taskID ?? "")
                    do {
                        try await Task.sleep(for: .seconds(3600))
                    } catch {
                        interrupted.send(())
                        throw error
                    }
                    return 1
                }
            }
        }

        @Test(arguments: Kind.allCases)
        func aRunningTaskIsCancelledFromAnotherConnection(_ kind: Kind) async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let worker = try RedisDelayTests.broker(kind, server)
                let producer = try RedisDelayTests.broker(kind, server)
                let long = LongTask()
                long.register(on: worker)
                let send = long.register(on: producer)
                try await producer.startup()
                try await Redis.withWorker(worker) { (_: Receiver) async throws in
                    let handle = try await send.kiq()
                    #expect(try await long.started.first(1) == [handle.taskID])
                    try await producer.cancelTask(id: handle.taskID)
                    let result = try await worker.resultBackend.waitResult(handle.taskID, timeout: .seconds(10), withLogs: false)
                    #expect(result.isErr)
                    #expect(result.error == .cancelled)
                    _ = try await long.interrupted.first(1)
                    if kind == .stream {
                        try await eventually("the message is acknowledged") { try await Redis.pendingCount(client) == 0 }
                    }
                }
                try await producer.shutdown()
                #expect(long.starts.load(ordering: .relaxed) == 1)
            }
        }

        @Test(arguments: Kind.allCases)
        func aTaskCancelledBeforeItStartsDoesNotRun(_ kind: Kind) async throws {
            try await RedisServer.with { server in
                let producer = try RedisDelayTests.broker(kind, server)
                let runs = Atomic<Int>(0)
                let send = producer.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await producer.startup()
                // Cancelled and queued while no worker runs: the worker finds the request in Redis.
                try await producer.cancelTask(id: "early")
                let early = try await send.kicker().withTaskID("early").kiq(1, 2)
                let worker = try RedisDelayTests.broker(kind, server)
                let add = worker.task("add") { (a: Int, b: Int) async throws -> Int in
                    runs.add(1, ordering: .relaxed)
                    return a + b
                }
                try await Redis.withWorker(worker) { (_: Receiver) async throws in
                    let result = try await worker.resultBackend.waitResult(early.taskID, timeout: .seconds(10), withLogs: false)
                    #expect(result.error == .cancelled)
                    // Cancelled while the worker runs, then kicked: also refused.
                    try await producer.cancelTask(id: "late")
                    try await eventually("the worker heard the request") {
                        worker.components.cancellations.isRequested("late")
                    }
                    let late = try await add.kicker().withTaskID("late").kiq(1, 2)
                    #expect(try await late.waitResult(timeout: .seconds(10)).error == .cancelled)
                    #expect(try await add.kiq(2, 2).waitResult(timeout: .seconds(10)).returnValue == 4)
                }
                try await producer.shutdown()
                #expect(runs.load(ordering: .relaxed) == 1, "only the task that was not cancelled ran")
            }
        }

        @Test func cancellingAnUnknownOrFinishedTaskIsHarmless() async throws {
            try await RedisServer.with { server in
                let broker = try RedisDelayTests.broker(.stream, server)
                let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await Redis.withWorker(broker) { (_: Receiver) async throws in
                    try await broker.cancelTask(id: "no-such-task")
                    let done = try await add.kiq(1, 2)
                    #expect(try await done.waitResult(timeout: .seconds(10)).returnValue == 3)
                    try await done.cancel()
                    #expect(try await done.getResult().returnValue == 3)
                    #expect(try await add.kiq(3, 3).waitResult(timeout: .seconds(10)).returnValue == 6)
                }
            }
        }

        @Test func retryMiddlewaresDoNotRetryACancelledTask() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let worker = try RedisDelayTests.broker(.stream, server)
                worker.addMiddlewares([SmartRetryMiddleware(defaultRetryCount: 5, defaultDelay: 0)])
                let long = LongTask()
                let send = long.register(on: worker, labels: ["retry_on_error": true])
                try await Redis.withWorker(worker) { (_: Receiver) async throws in
                    let handle = try await send.kiq()
                    _ = try await long.started.first(1)
                    try await handle.cancel()
                    #expect(try await handle.waitResult(timeout: .seconds(10)).error == .cancelled)
                    try await eventually("the message is acknowledged") { try await Redis.pendingCount(client) == 0 }
                }
                #expect(long.starts.load(ordering: .relaxed) == 1)
                #expect(try await client.send(["XLEN", "taskiq"]).int == 1, "no retry was added")
                #expect(try await client.send(["EXISTS", "taskiq:delayed"]).int == 0, "nor delayed")
            }
        }
    }
}
