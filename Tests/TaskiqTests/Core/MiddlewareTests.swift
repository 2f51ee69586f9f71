import Testing

@testable import Taskiq

/// Records every hook with its name, to check taskiq's call order.
struct NamedMiddleware: TaskiqMiddleware {
    let name: String
    let recorder: Recorder

    func startup() async throws { recorder.record("\(name).startup") }
    func shutdown() async throws { recorder.record("\(name).shutdown") }
    func preSend(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        recorder.record("\(name).preSend")
        var message = message
        message.labels["seen_by_\(name)"] = true
        return message
    }
    func postSend(_ message: TaskiqMessage) async throws { recorder.record("\(name).postSend") }
    func preExecute(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        recorder.record("\(name).preExecute")
        return message
    }
    func onError(_ message: TaskiqMessage, result: inout TaskiqResult<JSONValue>, error: TaskError) async throws {
        recorder.record("\(name).onError")
    }
    func postExecute(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {
        recorder.record("\(name).postExecute")
    }
    func postSave(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {
        recorder.record("\(name).postSave")
    }
}

/// A middleware written with synchronous hooks only.
struct SynchronousMiddleware: TaskiqMiddleware {
    let recorder: Recorder
    func preSend(_ message: TaskiqMessage) -> TaskiqMessage {
        recorder.record("sync.preSend")
        return message
    }
}

@Suite struct MiddlewareTests {
    @Test func hooksRunInTaskiqOrder() async throws {
        let recorder = Recorder()
        let broker = InMemoryBroker(awaitInplace: true)
        broker.addMiddlewares([NamedMiddleware(name: "A", recorder: recorder), NamedMiddleware(name: "B", recorder: recorder)])
        let fail = broker.task("fail") { () async throws -> Int in
            recorder.record("task")
            throw TaskError(name: "ValueError", arguments: ["boom"])
        }
        try await broker.startup()
        let result = try await fail.kiq().waitResult(timeout: .seconds(5))
        try await broker.shutdown()
        #expect(result.isErr)
        #expect(result.labels["seen_by_A"] == true && result.labels["seen_by_B"] == true)
        #expect(
            recorder.all == [
                "A.startup", "B.startup",
                "A.preSend", "B.preSend",
                "A.preExecute", "B.preExecute", "task", "B.onError", "A.onError",
                "B.postExecute", "A.postExecute", "B.postSave", "A.postSave",
                "B.postSend", "A.postSend",
                "A.shutdown", "B.shutdown",
            ])
    }

    @Test func successSkipsOnError() async throws {
        let recorder = Recorder()
        let broker = InMemoryBroker()
        broker.addMiddlewares([NamedMiddleware(name: "A", recorder: recorder)])
        let ok = broker.task("ok") { () async throws -> Int in 1 }
        _ = try await ok.kiq().waitResult(timeout: .seconds(5))
        await broker.waitAll()
        #expect(!recorder.all.contains("A.onError"))
        #expect(recorder.all.contains("A.postSave"))
    }

    @Test func synchronousHooksSatisfyTheProtocol() async throws {
        let recorder = Recorder()
        let broker = InMemoryBroker()
        broker.addMiddlewares([SynchronousMiddleware(recorder: recorder)])
        let ok = broker.task("ok") { () async throws -> Int in 1 }
        _ = try await ok.kiq().waitResult(timeout: .seconds(5))
        #expect(recorder.all == ["sync.preSend"])
    }
}
