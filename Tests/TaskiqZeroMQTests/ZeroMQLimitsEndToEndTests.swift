import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

/// A ZeroMQ worker rejects a message over a cap (logged, counted) and runs the next; an oversized
/// frame drops the connection, is counted, and the worker reconnects.
@Suite struct ZeroMQLimitsEndToEndTests {
    @Test func zeroMQRejectsTooManyLabelsAndDisconnectsAnOversizedFrame() async throws {
        let sink = CollectingSink()
        let endpoint = "tcp://127.0.0.1:\(try RedisServer.freePort())"
        let broker = ZeroMQBroker(
            zmqPubHost: endpoint, zmqSubHost: endpoint, pattern: .pushPull,
            resultBackend: InMemoryResultBackend(maxStoredResults: -1), maxMessageSize: 4096)
        let echo = broker.task("echo") { (value: JSONValue) async throws -> JSONValue in value }
        try await broker.startup()
        var limits = MessageLimits()
        limits.maxLabels = 2
        let receiver = Receiver(
            broker: broker, options: ReceiverOptions(limits: limits),
            logger: Logger(label: "taskiq.receiver", configuration: LoggingConfiguration(sink: sink)))
        let running = Task { try await receiver.run() }
        defer { running.cancel() }

        _ = try await echo.kicker().withLabels(["a": "1", "b": "2", "c": "3"]).kiq("three labels")
        let next = try await echo.kicker().withLabels(["a": "1", "b": "2"]).kiq("two labels")
        #expect(try await next.waitResult(timeout: .seconds(10)).returnValue == "two labels")
        #expect(receiver.statistics.limitRejections == [.labels: 1])
        let line = try #require(sink.lines.filter { $0.contains("rejecting message") }.first)
        #expect(line.contains("3 labels exceeds max_labels = 2"))

        // Over max_message_size: the worker drops the producer's connection before reading the frame.
        _ = try await echo.kiq(.string(String(repeating: "x", count: 5000)))
        try await eventually("the oversized frame is counted") { broker.protocolViolations > 0 }
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
