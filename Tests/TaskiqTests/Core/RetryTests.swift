import TaskiqTestSupport
import Testing

@testable import Taskiq

/// Captures each executed message's labels and ID.
struct CaptureMiddleware: TaskiqMiddleware {
    let messages: EventStream<TaskiqMessage>
    func preExecute(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        messages.send(message)
        return message
    }
}

@Suite struct RetryTests {
    @Test func maxRetriesCountsTotalAttemptsAndKeepsTheTaskID() async throws {
        let broker = InMemoryBroker()
        let seen = EventStream<TaskiqMessage>()
        broker.addMiddlewares([SimpleRetryMiddleware(defaultRetryCount: 3), CaptureMiddleware(messages: seen)])
        let flaky = broker.task("exp5:flaky", labels: ["retry_on_error": true, "max_retries": 3]) { () async throws -> Int in
            throw TaskError(name: "ValueError", arguments: ["always"], module: "builtins")
        }
        let handle = try await flaky.kiq()
        let attempts = try await seen.first(3)
        #expect(attempts.map { $0.labels["_retries"] } == [nil, 1, 2])
        #expect(Set(attempts.map(\.taskID)) == [handle.taskID])
        let result = try await handle.waitResult(timeout: .seconds(5))
        #expect(result.isErr)
        #expect(result.error?.name == "ValueError")
        #expect(result.labels["_retries"] == 2)
        await broker.waitAll()
        #expect(broker.statistics.failed == 3)
        // The last attempt's wire bytes are Python's (§4.2).
        let last = try JSONFormatter().dumps(attempts[2]).message
        #expect(
            String(decoding: last, as: UTF8.self).contains(
                #""labels": {"retry_on_error": "True", "max_retries": "3", "_retries": "2"}, "labels_types": {"retry_on_error": 5, "max_retries": 2, "_retries": 2}"#
            ))
    }

    @Test func intermediateFailuresStoreNoResult() async throws {
        let backend = RecordingBackend()
        let broker = InMemoryBroker(resultBackend: backend)
        broker.addMiddlewares([SimpleRetryMiddleware(defaultRetryCount: 2, defaultRetryLabel: true)])
        let fail = broker.task("fail") { () async throws -> Int in throw TaskError(name: "E") }
        let handle = try await fail.kiq()
        _ = try await handle.waitResult(timeout: .seconds(5))
        await broker.waitAll()
        #expect(backend.stored.count == 1, "only the final failure is stored")
    }

    @Test func withoutTheLabelNothingIsRetried() async throws {
        let broker = InMemoryBroker()
        broker.addMiddlewares([SimpleRetryMiddleware(defaultRetryCount: 5)])
        let attempts = Recorder()
        let fail = broker.task("fail") { () async throws -> Int in
            attempts.record("x")
            throw TaskError(name: "E")
        }
        let result = try await fail.kiq().waitResult(timeout: .seconds(5))
        await broker.waitAll()
        #expect(result.isErr)
        #expect(attempts.all.count == 1)
    }

    @Test func stringLabelsFromPythonProducersCount() async throws {
        let broker = InMemoryBroker()
        broker.addMiddlewares([SimpleRetryMiddleware()])
        let attempts = Recorder()
        let fail = broker.task("fail", labels: ["retry_on_error": "TRUE", "max_retries": "2"]) { () async throws -> Int in
            attempts.record("x")
            throw TaskError(name: "E")
        }
        _ = try await fail.kiq().waitResult(timeout: .seconds(5))
        await broker.waitAll()
        #expect(attempts.all.count == 2)
    }
}

/// An in-memory backend that also records every stored result.
final class RecordingBackend: ResultBackend {
    let inner = InMemoryResultBackend(maxStoredResults: -1)
    let recorder = Recorder()
    var stored: [String] { recorder.all }
    func setResult(_ result: TaskiqResult<JSONValue>, for taskID: String) async throws {
        recorder.record(taskID)
        try await inner.setResult(result, for: taskID)
    }
    func isResultReady(_ taskID: String) async throws -> Bool { try await inner.isResultReady(taskID) }
    func getResult(_ taskID: String, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        try await inner.getResult(taskID, withLogs: withLogs)
    }
    func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        try await inner.waitResult(taskID, timeout: timeout, withLogs: withLogs)
    }
}
