import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// On every transport, a message over a cap is rejected (logged with the cap and the value found,
/// counted, acknowledged) and the worker goes on to run the next valid task; a transport-level
/// violation (an oversized ZeroMQ frame, an oversized Redis reply) drops the connection, is
/// counted, and the next operation succeeds on a new one.
@Suite struct MessageLimitsEndToEndTests {
    static func logger(_ sink: CollectingSink) -> Logger {
        Logger(label: "taskiq.receiver", configuration: LoggingConfiguration(sink: sink))
    }

    static func rejections(_ sink: CollectingSink) -> [String] {
        sink.lines.filter { $0.contains("rejecting message") }
    }

    /// A value nested `levels` arrays deep: `[[1]]` is 2.
    static func nested(_ levels: Int) -> JSONValue {
        (0..<levels).reduce(JSONValue.int(1)) { inner, _ in .array([inner]) }
    }

    @Test func inMemoryRejectsATooDeepMessageAndRunsTheNext() async throws {
        let sink = CollectingSink()
        var limits = MessageLimits()
        limits.maxDepth = 6
        let broker = InMemoryBroker(
            maxAsyncTasks: 100, syncTasksPoolSize: 1, logsFormat: nil, maxStoredResults: -1, castTypes: true,
            resultBackend: nil, taskIDGenerator: nil, awaitInplace: true, limits: limits,
            receiverLogger: Self.logger(sink))
        let echo = broker.task("echo") { (value: JSONValue) async throws -> JSONValue in value }
        try await broker.startup()
        // Message object, args, then 4 levels of argument: 6 levels, at the cap.
        let atCap = try await echo.kiq(Self.nested(4))
        #expect(try await atCap.waitResult(timeout: .seconds(5)).returnValue == Self.nested(4))
        _ = try await echo.kiq(Self.nested(5))
        #expect(broker.statistics.undecodable == 1)
        #expect(broker.statistics.limitRejections == [.depth: 1])
        let line = try #require(Self.rejections(sink).first)
        #expect(line.contains("exceeds max_depth = 6"))
        #expect(line.contains("limit=max_depth") && line.contains("observed=7"))
        let next = try await echo.kiq("next")
        #expect(try await next.waitResult(timeout: .seconds(5)).returnValue == "next")
        #expect(broker.statistics.succeeded == 2)
        try await broker.shutdown()
    }
}
