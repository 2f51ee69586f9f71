import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct ResultBackendTests {
    static func result(_ value: JSONValue) -> TaskiqResult<JSONValue> {
        TaskiqResult(isErr: false, returnValue: value, executionTime: 0.01)
    }

    @Test func evictsOldestInsertedFirst() async throws {
        let backend = InMemoryResultBackend(maxStoredResults: 2)
        try await backend.setResult(Self.result(1), for: "a")
        try await backend.setResult(Self.result(2), for: "b")
        try await backend.setResult(Self.result(20), for: "b")  // replacing does not move "b"
        try await backend.setResult(Self.result(3), for: "c")
        #expect(try await backend.isResultReady("a") == false)
        #expect(try await backend.getResult("b", withLogs: false).returnValue == 20)
        #expect(try await backend.getResult("c", withLogs: false).returnValue == 3)
        try await backend.setResult(Self.result(4), for: "d")
        #expect(try await backend.isResultReady("b") == false)
        #expect(backend.count == 2)
    }

    @Test func readResultsAreEvictedBeforeUnreadOnes() async throws {
        let backend = InMemoryResultBackend(maxStoredResults: 3)
        try await backend.setResult(Self.result(1), for: "unread")  // finished before anyone waited
        try await backend.setResult(Self.result(2), for: "b")
        try await backend.setResult(Self.result(3), for: "c")
        _ = try await backend.getResult("c", withLogs: false)
        _ = try await backend.waitResult("b", timeout: .seconds(1), withLogs: false)
        try await backend.setResult(Self.result(4), for: "d")  // evicts "c", the first read
        #expect(try await backend.isResultReady("c") == false)
        try await backend.setResult(Self.result(5), for: "e")  // then "b"
        #expect(try await backend.isResultReady("b") == false)
        #expect(try await backend.isResultReady("unread"), "an unread result outlives read ones")
        // With nothing read left, the oldest-inserted goes, as in taskiq.
        try await backend.setResult(Self.result(6), for: "f")
        #expect(try await backend.isResultReady("unread") == false)
        #expect(backend.count == 3)
    }

    @Test func aResultHandedToAWaiterCountsAsRead() async throws {
        let backend = InMemoryResultBackend(maxStoredResults: 2)
        try await backend.setResult(Self.result(1), for: "unread")
        let waiting = Task { try await backend.waitResult("awaited", timeout: nil, withLogs: false) }
        try await eventually("the waiter is registered", every: .milliseconds(1)) { backend.waiterCount > 0 }
        try await backend.setResult(Self.result(2), for: "awaited")  // handed straight to the waiter
        #expect(try await waiting.value.returnValue == 2)
        try await backend.setResult(Self.result(3), for: "next")
        #expect(try await backend.isResultReady("awaited") == false, "the delivered result went first")
        #expect(try await backend.isResultReady("unread"))
    }

    @Test func evictionQueuesStayBoundedWhenOnlyReadResultsAreEvicted() async throws {
        let backend = InMemoryResultBackend(maxStoredResults: 100)
        for i in 0..<50_000 {
            try await backend.setResult(Self.result(.int(i)), for: "t\(i)")
            _ = try await backend.getResult("t\(i)", withLogs: false)
        }
        #expect(backend.count == 100)
        // Unbounded, the two queues would hold 100,000 keys; compaction keeps each under 4 × 100 + 4,096.
        #expect(backend.queuedKeyCount <= 10_000, "stale keys are dropped: \(backend.queuedKeyCount)")
    }

    @Test func aResultThatFinishedBeforeItsProducerWaitedSurvivesAFullStore() async throws {
        // The producer kicks, is held up, and meanwhile more tasks than the store holds finish and
        // are read: its result must still be there when it finally waits.
        let broker = InMemoryBroker(maxStoredResults: 10)
        let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
        let first = try await add.kiq(1, 1)
        try await eventually("the first result is stored", every: .milliseconds(1)) {
            try await broker.resultBackend.isResultReady(first.taskID)
        }
        for i in 0..<50 { #expect(try await add.kiq(i, 1).waitResult(timeout: .seconds(10)).returnValue == i + 1) }
        #expect(try await first.waitResult(timeout: .seconds(10)).returnValue == 2)
        try await broker.shutdown()
    }

    @Test func unlimitedKeepsEverything() async throws {
        let backend = InMemoryResultBackend(maxStoredResults: -1)
        for i in 0..<500 { try await backend.setResult(Self.result(.int(i)), for: "t\(i)") }
        #expect(backend.count == 500)
        #expect(try await backend.isResultReady("t0"))
    }

    @Test func missingResultIsAClearError() async throws {
        let backend = InMemoryResultBackend()
        await #expect(throws: TaskiqError.self) { try await backend.getResult("nope", withLogs: false) }
    }

    @Test func waiterIsWokenWhenTheResultArrives() async throws {
        let backend = InMemoryResultBackend()
        let waiting = EventStream<Int>()
        async let waited = backend.waitResult("late", timeout: .seconds(10), withLogs: false)
        // The waiter is registered once the wait has started; storing afterwards must wake it.
        waiting.send(1)
        _ = try await waiting.first(1)
        try await backend.setResult(Self.result(42), for: "late")
        #expect(try await waited.returnValue == 42)
    }

    @Test func waitingTimesOut() async throws {
        let backend = InMemoryResultBackend()
        do {
            _ = try await backend.waitResult("never", timeout: .milliseconds(50), withLogs: false)
            Issue.record("expected a timeout")
        } catch let error as TaskiqError {
            #expect(error.code == .resultTimeout)
        }
    }

    @Test func dummyBackendIsAlwaysReadyWithNil() async throws {
        let broker = InMemoryBroker(resultBackend: DummyResultBackend())
        let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
        let handle = try await add.kiq(1, 2)
        #expect(try await handle.isReady())
        let result = try await handle.waitResult(timeout: .seconds(1))
        #expect(!result.isErr)
        #expect(result.returnValue == nil)
        #expect(result.executionTime == 0)
        await broker.waitAll()
    }

    @Test func progressIsStoredAndRead() async throws {
        let broker = InMemoryBroker()
        let task = broker.task("progress") { () async throws -> Int in
            try await TaskContext.current!.setProgress("STARTED", meta: ["pct": 50])
            return 1
        }
        let handle = try await task.kiq()
        _ = try await handle.waitResult(timeout: .seconds(5))
        #expect(try await handle.getProgress() == TaskProgress(state: "STARTED", meta: ["pct": 50]))
        #expect(TaskProgress(state: "STARTED", meta: ["pct": 50]).wireValue.description == #"{"state":"STARTED","meta":{"pct":50}}"#)
    }
}
