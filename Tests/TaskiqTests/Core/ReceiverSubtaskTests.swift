import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// A worker whose every `max_async_tasks` runner runs a task that waits for a subtask on the
/// same broker starts one more runner (and lends the intake a permit), instead of waiting forever.
@Suite struct ReceiverSubtaskTests {
    @Test(arguments: [(1, 0), (1, 2), (2, 0)])
    func tasksThatAwaitSubtasksDoNotDeadlockAFullWorker(maxAsyncTasks: Int, maxPrefetch: Int) async throws {
        let broker = QueueBroker()
        let inner = broker.task("inner") { (n: Int) async throws -> Int in n * 2 }
        let middle = broker.task("middle") { (n: Int) async throws -> Int in
            try await inner.kiq(n).waitResult(timeout: .seconds(30)).returnValue! + 1
        }
        let outer = broker.task("outer") { (n: Int) async throws -> Int in
            try await middle.kiq(n).waitResult(timeout: .seconds(30)).returnValue! + 1
        }
        let receiver = Receiver(broker: broker, options: ReceiverOptions(maxAsyncTasks: maxAsyncTasks, maxPrefetch: maxPrefetch))
        let running = Task { try await receiver.run() }
        var kicked: [TaskHandle<Int>] = []
        for n in 0..<6 { kicked.append(try await outer.kiq(n)) }
        let handles = kicked
        try await withTimeout(seconds: 30) {
            for (n, handle) in handles.enumerated() {
                let result = try await handle.waitResult(timeout: .seconds(30))
                #expect(result.returnValue == n * 2 + 2, "\(result)")
            }
        }
        #expect(receiver.statistics.succeeded == 18)
        receiver.stop()
        try await withTimeout { try await running.value }
        receiver.shutdown()
    }

    /// The lent permits are taken back: after the waits, no more than max_async_tasks +
    /// max_prefetch deliveries are taken at once again.
    @Test func afterTheWaitsTheWorkerTakesNoMoreThanItsLimitAgain() async throws {
        let broker = QueueBroker()
        let inner = broker.task("inner") { (n: Int) async throws -> Int in n }
        let outer = broker.task("outer") { (n: Int) async throws -> Int in
            try await inner.kiq(n).waitResult(timeout: .seconds(30)).returnValue!
        }
        let started = EventStream<String>()
        let gate = AsyncGate()
        _ = broker.task("hold") { (id: String) async throws -> String in
            started.send(id)
            await gate.wait()
            return id
        }
        let receiver = Receiver(broker: broker, options: ReceiverOptions(maxAsyncTasks: 1))
        let running = Task { try await receiver.run() }
        #expect(try await outer.kiq(5).waitResult(timeout: .seconds(30)).returnValue == 5)
        for i in 0..<4 {
            broker.push(
                #"{"task_id": "h\#(i)", "task_name": "hold", "labels": {}, "args": ["h\#(i)"], "kwargs": {}}"#,
                id: "h\(i)")
        }
        #expect(try await started.first(1) == ["h0"])
        // One runs; with the permit repaid, nothing more is taken while it holds.
        try await withTimeout { while receiver.statistics.received < 3 { await Task.yield() } }
        // Give an intake holding a permit too many every chance to take h1 (no sleep: yields).
        for _ in 0..<2_000 { await Task.yield() }
        #expect(receiver.statistics.received == 3, "outer, inner and h0 only")
        receiver.stop()
        await gate.open()
        try await withTimeout { try await running.value }
        receiver.shutdown()
    }
}
