import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

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
                let receiver = Receiver(
                    broker: broker, options: ReceiverOptions(limits: limits),
                    logger: Logger(label: "taskiq.receiver", configuration: LoggingConfiguration(sink: sink)))
                let running = Task { try await receiver.run() }
                defer { running.cancel() }

                _ = try await echo.kiq(.string(String(repeating: "x", count: 3000)))
                let next = try await echo.kiq("next")
                #expect(try await next.waitResult(timeout: .seconds(10)).returnValue == "next")
                try await eventually("both entries acknowledged") { try await Redis.pendingCount(client) == 0 }
                #expect(receiver.statistics.limitRejections == [.messageSize: 1])
                #expect(receiver.statistics.undecodable == 1)
                let line = try #require(sink.lines.filter { $0.contains("rejecting message") }.first)
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
                let big = TaskiqResult<JSONValue>(
                    isErr: false, returnValue: .string(String(repeating: "x", count: 2000)),
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
