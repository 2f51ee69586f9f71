import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct SmartRetryTests {
    @Test func retriesWaitTheDelayAndKeepTheTaskID() async throws {
        let broker = InMemoryBroker()
        let seen = EventStream<TaskiqMessage>()
        broker.addMiddlewares([SmartRetryMiddleware(defaultDelay: 0.05), CaptureMiddleware(messages: seen)])
        let times = Mutex<[ContinuousClock.Instant]>([])
        let flaky = broker.task("flaky", labels: ["retry_on_error": true, "max_retries": 3]) { () async throws -> Int in
            let count = times.withLock { times in
                times.append(.now)
                return times.count
            }
            if count < 3 { throw TaskError(name: "ValueError", arguments: ["again"]) }
            return 7
        }
        let handle = try await flaky.kiq()
        let result = try await handle.waitResult(timeout: .seconds(10))
        #expect(result.returnValue == 7)
        let attempts = try await seen.first(3)
        #expect(attempts.map { $0.labels["_retries"] } == [nil, 1, 2])
        #expect(attempts.map { $0.labels["delay"] } == [nil, 0.05, 0.05], "the delay does not compound")
        #expect(Set(attempts.map(\.taskID)) == [handle.taskID])
        let instants = times.withLock { $0 }
        #expect(instants.count == 3)
        let gaps = zip(instants.dropFirst(), instants).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= .milliseconds(50) }, "each retry waited at least its delay: \(gaps)")
        await broker.waitAll()
    }

    @Test(arguments: [(1, 2.0), (2, 4.0), (3, 8.0), (4, 10.0), (60, 10.0)])
    func exponentialDelayIsCapped(attempt: Int, expected: Double) {
        let middleware = SmartRetryMiddleware(useDelayExponent: true, maxDelayExponent: 10)
        #expect(middleware.delay(forRetry: attempt, base: 2) == expected)
        #expect(SmartRetryMiddleware().delay(forRetry: attempt, base: 2) == 2)
    }

    @Test func errorTypeFiltersDecideWhatIsRetried() async throws {
        let broker = InMemoryBroker()
        broker.addMiddlewares([
            SmartRetryMiddleware(
                defaultRetryLabel: true, defaultDelay: 0,
                retryOn: ["TimeoutError"], doNotRetryOn: ["PermissionError"])
        ])
        let attempts = Recorder()
        let denied = broker.task("denied") { () async throws -> Int in
            attempts.record("denied")
            throw TaskError(name: "PermissionError")
        }
        let other = broker.task("other") { () async throws -> Int in
            attempts.record("other")
            throw TaskError(name: "ValueError")
        }
        _ = try await denied.kiq().waitResult(timeout: .seconds(5))
        _ = try await other.kiq().waitResult(timeout: .seconds(5))
        await broker.waitAll()
        #expect(attempts.all.sorted() == ["denied", "other"], "neither error type is retried")
    }

    @Test func timeoutsAreRetriedWhenAsked() async throws {
        let broker = InMemoryBroker()
        broker.addMiddlewares([
            SmartRetryMiddleware(
                defaultRetryCount: 2, defaultRetryLabel: true, defaultDelay: 0,
                retryOn: ["TimeoutError"])
        ])
        let attempts = Recorder()
        let slow = broker.task("slow", labels: ["timeout": 0.02]) { () async throws -> Int in
            attempts.record("x")
            try await Task.sleep(for: .seconds(30))
            return 1
        }
        let result = try await slow.kiq().waitResult(timeout: .seconds(10))
        await broker.waitAll()
        #expect(result.error?.name == "TimeoutError")
        #expect(attempts.all.count == 2)
    }
}
