import Foundation
import Testing
import TaskiqTestSupport
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
        let broker = InMemoryBroker(syncTasksPoolSize: 1, logsFormat: nil, maxStoredResults: -1, castTypes: true,
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

    @Test func zeroMQRejectsTooManyLabelsAndDisconnectsAnOversizedFrame() async throws {
        let sink = CollectingSink()
        let endpoint = "tcp://127.0.0.1:\(try RedisServer.freePort())"
        let broker = ZeroMQBroker(zmqPubHost: endpoint, zmqSubHost: endpoint, pattern: .pushPull,
                                  resultBackend: InMemoryResultBackend(maxStoredResults: -1), maxMessageSize: 4096)
        let echo = broker.task("echo") { (value: JSONValue) async throws -> JSONValue in value }
        try await broker.startup()
        var limits = MessageLimits()
        limits.maxLabels = 2
        let receiver = Receiver(broker: broker, options: ReceiverOptions(limits: limits), logger: Self.logger(sink))
        let running = Task { try await receiver.run() }
        defer { running.cancel() }

        _ = try await echo.kicker().withLabels(["a": "1", "b": "2", "c": "3"]).kiq("three labels")
        let next = try await echo.kicker().withLabels(["a": "1", "b": "2"]).kiq("two labels")
        #expect(try await next.waitResult(timeout: .seconds(10)).returnValue == "two labels")
        #expect(receiver.statistics.limitRejections == [.labels: 1])
        let line = try #require(Self.rejections(sink).first)
        #expect(line.contains("3 labels exceeds max_labels = 2"))

        // Over max_message_size: the worker drops the producer's connection before reading the frame.
        _ = try await echo.kiq(.string(String(repeating: "x", count: 5000)))
        try await withTimeout(seconds: 10) { while broker.protocolViolations == 0 { try await Task.sleep(for: .milliseconds(10)) } }
        // The worker reconnects; messages sent while the old connection was dying may be lost
        // (ZeroMQ has no acknowledgements), so try until one arrives.
        let value = try await withTimeout(seconds: 20) {
            while true {
                let handle = try await echo.kiq("after the violation")
                if let result = try? await handle.waitResult(timeout: .milliseconds(500)) { return result.returnValue }
            }
        }
        #expect(value == "after the violation")
        #expect(broker.protocolViolations == 1)
        receiver.stop()
        try await withTimeout(seconds: 10) { try await running.value }
        try await broker.shutdown()
        receiver.shutdown()
    }
}

extension Redis {
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisLimitsTests {
        @Test func theStreamBrokerRejectsAnOversizedMessageAcksItAndRunsTheNext() async throws {
            try await RedisServer.with { server in
                let sink = CollectingSink()
                let broker = try Redis.streamBroker(server)
                let echo = broker.task("echo") { (value: JSONValue) async throws -> JSONValue in value }
                let client = try Redis.client(server)
                defer { client.close() }
                try await broker.startup()
                var limits = MessageLimits()
                limits.maxMessageSize = 2048
                let receiver = Receiver(broker: broker, options: ReceiverOptions(limits: limits),
                                        logger: MessageLimitsEndToEndTests.logger(sink))
                let running = Task { try await receiver.run() }
                defer { running.cancel() }

                _ = try await echo.kiq(.string(String(repeating: "x", count: 3000)))
                let next = try await echo.kiq("next")
                #expect(try await next.waitResult(timeout: .seconds(10)).returnValue == "next")
                try await Redis.eventually("both entries acknowledged") { try await Redis.pendingCount(client) == 0 }
                #expect(receiver.statistics.limitRejections == [.messageSize: 1])
                #expect(receiver.statistics.undecodable == 1)
                let line = try #require(MessageLimitsEndToEndTests.rejections(sink).first)
                #expect(line.contains("exceeds max_message_size = 2048"))
                let observed = line.split(separator: " ").first { $0.hasPrefix("observed=") }.flatMap { Int($0.dropFirst(9)) }
                #expect((3000...3200).contains(observed ?? 0), "the observed size, a little over 3000 bytes")
                // The rejection takes the undecodable path, so it lands in the broker's dead-letter stream with the reason.
                let dead = try await client.send(["XRANGE", "taskiq:dead", "-", "+"]).array ?? []
                #expect(dead.count == 1)
                let fields = dead.first?.array?.last?.array?.compactMap(\.string) ?? []
                #expect(fields.contains { $0.contains("exceeds max_message_size = 2048") }, "\(fields)")
                receiver.stop()
                try await withTimeout(seconds: 10) { try await running.value }
                try await broker.shutdown()
                receiver.shutdown()
            }
        }

        @Test func aResultOverTheReplyLimitClosesTheConnectionAndIsCounted() async throws {
            try await RedisServer.with { server in
                let backend = try RedisResultBackend(url: server.url, replyLimits: RedisReplyLimits(maxBulkLength: 1024))
                let big = TaskiqResult<JSONValue>(isErr: false, returnValue: .string(String(repeating: "x", count: 2000)),
                                                  executionTime: 0)
                let small = TaskiqResult<JSONValue>(isErr: false, returnValue: "small", executionTime: 0)
                try await backend.setResult(big, for: "big")
                try await backend.setResult(small, for: "small")
                let error = await #expect(throws: TaskiqError.self) {
                    try await backend.getResult("big", withLogs: false)
                }
                #expect((error?.underlying as? RedisConnectionError)?.code == .protocolViolation)
                #expect(error?.description.contains("exceeds the limit of 1024") == true)
                #expect(backend.protocolViolations == 1)
                #expect(try await backend.getResult("small", withLogs: false).returnValue == "small")
                try await backend.shutdown()
            }
        }
    }
}
