import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// Cancellation by task ID on the in-memory broker, and the registry behind it.
@Suite struct CancellationTests {
    @Test func cancellingARunningAsyncTaskStoresTheCancelledErrorPromptly() async throws {
        let broker = InMemoryBroker()
        let started = EventStream<Void>()
        let interrupted = EventStream<Void>()
        let long = broker.task("long") { () async throws -> Int in
            started.send(())
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                interrupted.send(())
                throw error
            }
            return 1
        }
        let handle = try await long.kiq()
        _ = try await started.first(1)
        try await handle.cancel()
        let result = try await handle.waitResult(timeout: .seconds(10))
        #expect(result.isErr)
        #expect(result.error == .cancelled)
        #expect(result.error?.isCancelled == true)
        _ = try await interrupted.first(1)
        try await broker.shutdown()
    }

    @Test func aCancelledTaskIsNeverADeadLetterEvenWhenEveryFailureIs() async throws {
        let broker = InMemoryBroker()
        let letters = InMemoryDeadLetterQueue()
        broker.withDeadLetterQueue(letters, failedTasks: .all)
        let started = EventStream<Void>()
        let long = broker.task("long") { () async throws -> Int in
            started.send(())
            try await Task.sleep(for: .seconds(3600))
            return 1
        }
        let failing = broker.task("failing") { () async throws -> Int in
            throw TaskError(name: "ValueError", arguments: ["no"], module: "builtins")
        }
        let handle = try await long.kiq()
        _ = try await started.first(1)
        try await handle.cancel()
        #expect(try await handle.waitResult(timeout: .seconds(10)).error == .cancelled)
        // A failure after it is dead-lettered, so the policy is live and the cancel was skipped, not late.
        _ = try await failing.kiq().waitResult(timeout: .seconds(10))
        try await eventually("the failure is dead-lettered") { letters.count > 0 }
        #expect(try await letters.list(order: .oldestFirst, limit: nil).map(\.taskName) == ["failing"])
        try await broker.shutdown()
    }

    @Test func aTaskCancelledBeforeItStartsDoesNotRun() async throws {
        let broker = InMemoryBroker()
        let runs = Atomic<Int>(0)
        let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in
            runs.add(1, ordering: .relaxed)
            return a + b
        }
        let handle = try await add.kicker().withLabels(["delay": .double(0.2)]).kiq(1, 2)
        try await broker.cancelTask(id: handle.taskID)
        let result = try await handle.waitResult(timeout: .seconds(10))
        #expect(result.error == .cancelled)
        #expect(runs.load(ordering: .relaxed) == 0)
        try await broker.shutdown()
    }

    @Test func cancellingAnUnknownOrFinishedTaskIsHarmless() async throws {
        let broker = InMemoryBroker()
        let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
        try await broker.cancelTask(id: "no-such-task")
        let done = try await add.kiq(1, 2)
        #expect(try await done.waitResult(timeout: .seconds(10)).returnValue == 3)
        try await done.cancel()
        #expect(try await done.getResult().returnValue == 3, "a finished task's result stays")
        #expect(try await add.kiq(2, 2).waitResult(timeout: .seconds(10)).returnValue == 4)
        try await broker.shutdown()
    }

    @Test(arguments: ["simple", "smart"])
    func retryMiddlewaresDoNotRetryACancelledTask(_ kind: String) async throws {
        let broker = InMemoryBroker()
        let middleware: any TaskiqMiddleware =
            kind == "simple"
            ? SimpleRetryMiddleware(defaultRetryCount: 5) : SmartRetryMiddleware(defaultRetryCount: 5, defaultDelay: 0)
        broker.addMiddlewares([middleware])
        let starts = Atomic<Int>(0)
        let started = EventStream<Void>()
        let long = broker.task("long", labels: ["retry_on_error": true]) { () async throws -> Int in
            starts.add(1, ordering: .relaxed)
            started.send(())
            try await Task.sleep(for: .seconds(3600))
            return 1
        }
        let handle = try await long.kiq()
        _ = try await started.first(1)
        try await handle.cancel()
        let result = try await handle.waitResult(timeout: .seconds(10))
        #expect(result.error == .cancelled)
        await broker.waitAll()
        #expect(starts.load(ordering: .relaxed) == 1, "no retry was kicked")
        try await broker.shutdown()
    }

    @Test func aSynchronousTaskFinishesButIsReportedCancelled() async throws {
        let broker = InMemoryBroker()
        let started = EventStream<Void>()
        let finished = EventStream<Void>()
        let release = DispatchSemaphore(value: 0)
        let blocking = broker.task("blocking") { () throws -> Int in
            started.send(())
            release.wait()
            finished.send(())
            return 1
        }
        let handle = try await blocking.kiq()
        _ = try await started.first(1)
        try await handle.cancel()
        let result = try await handle.waitResult(timeout: .seconds(10))
        #expect(result.error == .cancelled, "reported at once, while the thread is still blocked")
        release.signal()
        _ = try await finished.first(1)
        try await broker.shutdown()
    }

    @Test func theCancelledErrorHasAPythonDecodableShape() throws {
        let error = TaskError.cancelled
        #expect(error.name == "TaskCancelledError")
        #expect(error.module == "taskiq.exceptions")
        #expect(!error.arguments.isEmpty)
    }

    @Test func requestsAreBoundedAndExpire() async throws {
        let registry = TaskCancellations(ttl: .milliseconds(100), capacity: 2)
        registry.cancel("a")
        registry.cancel("b")
        registry.cancel("c")
        #expect(!registry.isRequested("a"), "the oldest is forgotten beyond the capacity")
        #expect(registry.isRequested("b") && registry.isRequested("c"))
        #expect(registry.begin("c") {} == nil, "a requested ID may not start")
        try await eventually("the request for c expires") { !registry.isRequested("c") }
        let ran = Atomic<Int>(0)
        let token = try #require(registry.begin("c") { ran.add(1, ordering: .relaxed) })
        #expect(registry.runningIDs == ["c"])
        #expect(registry.cancel("c"))
        #expect(ran.load(ordering: .relaxed) == 1)
        registry.end(token)
        #expect(registry.runningIDs.isEmpty)
        #expect(!registry.cancel("unknown"), "nothing ran under that ID")
    }
}
