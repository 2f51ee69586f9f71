import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// Rate limits on the in-memory broker: a label or a per-task limit spaces starts, and a
/// limited task waits without holding a `max_async_tasks` runner.
@Suite struct InMemoryRateLimitTests {
    @Test func aRateLimitLabelSpacesStartsAtTheRate() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 10)
        let starts = StartTimes()
        let limited = broker.task("limited", labels: ["rate_limit": "20/s"]) { (n: Int) async throws -> Int in
            starts.record()
            return n
        }
        var handles: [TaskHandle<Int>] = []
        for n in 0..<40 { handles.append(try await limited.kiq(n)) }
        for handle in handles { _ = try await handle.waitResult(timeout: .seconds(60)) }
        let rate = starts.rate
        print("in-memory, 40 tasks at 20/s: \(rate)/s")
        #expect(starts.count == 40)
        // Never above the limit; reaching it within 10% is measured in processes of their own
        // (RedisRateLimitProcessTests): timers in this shared test process fire late while the
        // whole suite runs.
        #expect(rate <= 22, "\(rate)/s")
        try await broker.shutdown()
    }

    @Test func aLimitedTaskWaitsWithoutHoldingTheOnlyRunner() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 1)
        broker.withRateLimits(RateLimits(tasks: ["slow": try RateLimit(parsing: "1/h")]))
        let slowRuns = Atomic<Int>(0)
        let slow = broker.task("slow") { () async throws -> Void in slowRuns.add(1, ordering: .relaxed) }
        let free = broker.task("free") { (n: Int) async throws -> Int in n }
        _ = try await slow.kiq()
        let parked = try await slow.kiq()  // waits an hour for its turn
        let result = try await free.kiq(7).waitResult(timeout: .seconds(30))
        #expect(result.returnValue == 7, "the one runner is free while the limited task waits")
        try await eventually("the first slow task ran") { slowRuns.load(ordering: .relaxed) == 1 }
        #expect(try await parked.isReady() == false)
        try await broker.cancelTask(id: parked.taskID)
    }

    @Test func anUnreadableLabelIsIgnoredAndTheTaskRuns() async throws {
        let broker = InMemoryBroker()
        let task = broker.task("labelled", labels: ["rate_limit": "lots"]) { () async throws -> Int in 1 }
        #expect(try await task.kiq().waitResult(timeout: .seconds(30)).returnValue == 1)
        try await broker.shutdown()
    }

    @Test func theQueueLimitCoversEveryTask() async throws {
        let broker = InMemoryBroker(maxAsyncTasks: 10)
        broker.withRateLimits(RateLimits(queue: try RateLimit(parsing: "20/s")))
        let starts = StartTimes()
        let a = broker.task("a") { () async throws -> Void in starts.record() }
        let b = broker.task("b") { () async throws -> Void in starts.record() }
        var handles: [TaskHandle<Void>] = []
        for _ in 0..<15 {
            handles.append(try await a.kiq())
            handles.append(try await b.kiq())
        }
        for handle in handles { _ = try await handle.waitResult(timeout: .seconds(60)) }
        let rate = starts.rate
        print("in-memory, 30 tasks of two names under a queue limit of 20/s: \(rate)/s")
        // Never above the limit; reaching it within 10% is measured in processes of their own
        // (RedisRateLimitProcessTests): timers in this shared test process fire late while the
        // whole suite runs.
        #expect(rate <= 22, "\(rate)/s")
        try await broker.shutdown()
    }
}
