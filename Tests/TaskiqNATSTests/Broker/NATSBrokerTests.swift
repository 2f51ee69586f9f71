import Synchronization
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqNATS

/// The core NATS broker: taskiq-nats' subject and labels-as-headers, the queue group sharing
/// tasks among workers, and fan-out without one.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSBrokerTests {
    static func message(_ id: String) -> BrokerMessage {
        BrokerMessage(taskID: id, taskName: "wirefacts.add", message: Array(#"{"task_id": "\#(id)"}"#.utf8), labels: ["priority": .int(5)])
    }

    @Test func aQueueGroupSharesTasksAndLabelsTravelAsHeaders() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                // A raw subscriber sees what is on the wire.
                let raw = NATSClient(configuration: try NATSConfiguration(url: server.url))
                try await raw.connect()
                let (_, wire) = try raw.messages("taskiq_tasks")
                let one = try NATSBroker(url: server.url)
                let two = try NATSBroker(url: server.url)
                try await one.startup()
                try await two.startup()
                let first = try await one.listen()
                let second = try await two.listen()
                try await one.client.flush()
                try await two.client.flush()
                try await raw.flush()
                for index in 0..<20 { try await one.kick(Self.message("t\(index)")) }
                var seen = 0
                for await message in wire {
                    #expect(message.headers?["priority"] == "5")
                    seen += 1
                    if seen == 20 { break }
                }
                let counter = Counter()
                let a = Task { for try await _ in first { if counter.add() == 20 { break } } }
                let b = Task { for try await _ in second { if counter.add() == 20 { break } } }
                while counter.value < 20 { try await Task.sleep(for: .milliseconds(10)) }
                try await one.shutdown()
                try await two.shutdown()
                _ = try? await a.value
                _ = try? await b.value
                #expect(counter.value == 20)
                await raw.close()
            }
        }
    }

    @Test func withoutAQueueGroupEveryWorkerGetsEveryTask() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                var options = NATSBrokerOptions()
                options.queueGroup = nil
                let one = try NATSBroker(url: server.url, options: options)
                let two = try NATSBroker(url: server.url, options: options)
                try await one.startup()
                try await two.startup()
                let first = try await one.listen()
                let second = try await two.listen()
                try await one.client.flush()
                try await two.client.flush()
                try await one.kick(Self.message("fan"))
                for try await message in first {
                    #expect(message.data == Self.message("fan").message)
                    break
                }
                for try await message in second {
                    #expect(message.data == Self.message("fan").message)
                    break
                }
                try await one.shutdown()
                try await two.shutdown()
            }
        }
    }

    @Test func aKickBeforeStartupIsAClearErrorAtOnce() async throws {
        let started = ContinuousClock.now
        for broker in [try NATSBroker(url: "nats://127.0.0.1:1") as any AsyncBroker, try NATSJetStreamBroker(url: "nats://127.0.0.1:1")] {
            await #expect {
                try await broker.kick(Self.message("early"))
            } throws: { error in
                (error as? NATSClientError)?.code == .notConnected && "\(error)".contains("startup()")
            }
        }
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func badOptionsAreClearErrors() {
        var options = NATSBrokerOptions()
        options.subject = "a b"
        #expect(throws: NATSClientError.self) { try NATSBroker(url: "nats://127.0.0.1:4222", options: options) }
        options.subject = "tasks.*"
        #expect(throws: NATSClientError.self) { try NATSBroker(url: "nats://127.0.0.1:4222", options: options) }
        var jetStream = NATSJetStreamBrokerOptions()
        jetStream.streamName = "a.b"
        #expect(throws: NATSClientError.self) { try NATSJetStreamBroker(url: "nats://127.0.0.1:4222", options: jetStream) }
        jetStream = NATSJetStreamBrokerOptions()
        jetStream.batch = 0
        #expect(throws: NATSClientError.self) { try NATSJetStreamBroker(url: "nats://127.0.0.1:4222", options: jetStream) }
    }
}

/// A thread-safe count.
final class Counter: Sendable {
    private let count = Mutex(0)
    /// Adds one; returns the new count.
    func add() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
    var value: Int { count.withLock { $0 } }
}
