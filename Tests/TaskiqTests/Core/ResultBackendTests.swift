import Testing
import TaskiqTestSupport
@testable import Taskiq

@Suite struct ResultBackendTests {
    static func result(_ value: JSONValue) -> TaskiqResult<JSONValue> {
        TaskiqResult(isErr: false, returnValue: value, executionTime: 0.01)
    }

    @Test func evictsOldestInsertedFirst() async throws {
        let backend = InMemoryResultBackend(maxStoredResults: 2)
        try await backend.setResult(Self.result(1), for: "a")
        try await backend.setResult(Self.result(2), for: "b")
        try await backend.setResult(Self.result(20), for: "b")   // replacing does not move "b"
        try await backend.setResult(Self.result(3), for: "c")
        #expect(try await backend.isResultReady("a") == false)
        #expect(try await backend.getResult("b", withLogs: false).returnValue == 20)
        #expect(try await backend.getResult("c", withLogs: false).returnValue == 3)
        try await backend.setResult(Self.result(4), for: "d")
        #expect(try await backend.isResultReady("b") == false)
        #expect(backend.count == 2)
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
