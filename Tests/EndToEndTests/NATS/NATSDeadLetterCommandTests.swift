import Foundation
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqConfig
@testable import TaskiqNATS

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run dead-letters list|retry|purge` on a NATS-only deployment (`nats_jetstream` broker,
/// `nats_kv` results, no `dead_letters` section): a real worker process dead-letters a message
/// over its delivery limit, an undecodable message and a task whose retries ran out into the
/// broker's own `taskiq_dead_letter` stream; the command lists them, replays one (which then runs
/// on the worker and its result is read from the key-value bucket) and purges the rest.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSDeadLetterCommandTests {
    @Test func listRetryAndPurgeThroughTheBinary() async throws {
        try await withTimeout(seconds: 120) {
            try await NATSServer.with { server in
                let directory = try TemporaryConfigDirectory(files: [
                    "nats.json": """
                    {"broker": {"type": "nats_jetstream", "url": "\(server.url)", "max_deliveries": 1, "ack_wait": 5},
                     "result_backend": {"type": "nats_kv", "url": "\(server.url)"},
                     "middlewares": [{"type": "simple_retry", "default_retry_count": 2}],
                     "tasks": {"modules": ["examples"]},
                     "worker": {"shutdown_timeout": 5, "log_level": "info"}}
                    """
                ])
                let file = directory.path("nats.json")
                try await Self.scenario(file: file, url: server.url)
                _ = directory
            }
        }
    }

    static func scenario(file: String, url: String) async throws {
        let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
        try await system.startup()
        // The same consumer settings as the worker's file: a durable created again with other
        // settings is updated by nats-server 2.9, which starts its delivery counts afresh.
        var options = NATSJetStreamBrokerOptions()
        options.ackWait = .seconds(5)
        options.maxDeliveries = nil  // this listener takes the message twice itself
        let raw = try NATSJetStreamBroker(url: url, options: options)
        try await raw.startup()
        // A message delivered once and handed back (delivered count 2 next time), an undecodable
        // one, and a task that always fails.
        let replay =
            #"{"task_id": "replayme", "task_name": "examples.add", "labels": {}, "labels_types": {}, "args": [20, 22], "kwargs": {}}"#
        try await raw.kick(BrokerMessage(taskID: "replayme", taskName: "examples.add", message: Array(replay.utf8), labels: [:]))
        // Taken twice (released once, so the server counts a second delivery), then held by the
        // listener's shutdown, which gives it back.
        var taken = 0
        for try await delivery in try await raw.listen() {
            taken += 1
            if taken == 2 { break }
            await delivery.release?()
        }
        try await raw.shutdown()
        let garbage: [UInt8] = [0x7B, 0xFF, 0x00]
        let publisher = try NATSJetStreamBroker(url: url, options: options)
        try await publisher.startup()
        try await publisher.kick(BrokerMessage(taskID: "g", taskName: "g", message: garbage, labels: [:]))
        let failing =
            #"{"task_id": "f1", "task_name": "examples.fail", "labels": {"retry_on_error": true}, "labels_types": {}, "args": [], "kwargs": {}}"#
        try await publisher.kick(BrokerMessage(taskID: "f1", taskName: "examples.fail", message: Array(failing.utf8), labels: [:]))

        let worker = try RunningProcess(["worker", "-c", file])
        try await worker.waitForLine(containing: "worker ready")
        do {
            try await eventually("three dead letters in taskiq_dead_letter", seconds: 60) {
                try await publisher.ownDeadLetters.list(limit: nil).count == 3
            }
        } catch {
            let stored = (try? await publisher.ownDeadLetters.list(limit: nil)) ?? []
            Issue.record(
                "dead letters: \(stored.map { "\($0.reason) \($0.taskID ?? "-")" }); worker said:\n\(worker.lines.joined(separator: "\n"))")
            throw error
        }

        let table = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "list"])
        #expect(table.status == 0, "\(table.stderr)")
        let rows = table.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("ID") == true && rows.count == 4, "\(table.stdout)")
        #expect(
            rows.contains { $0.contains("delivery_limit") && $0.contains("examples.add") && $0.contains("max_deliveries") },
            "\(table.stdout)")
        #expect(rows.contains { $0.contains("undecodable") }, "\(table.stdout)")
        #expect(rows.contains { $0.contains("retries_exhausted") && $0.contains("examples.fail") }, "\(table.stdout)")

        let json = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "list", "--json", "--oldest-first"])
        #expect(json.status == 0, "\(json.stderr)")
        let letters = try json.stdout.split(separator: "\n").map { try DeadLetter(jsonValue: try JSONParser().parse(String($0))) }
        #expect(Set(letters.map(\.reason)) == [.deliveryLimit, .undecodable, .retriesExhausted], "\(json.stdout)")
        let limited = try #require(letters.first { $0.reason == .deliveryLimit })
        #expect(limited.data == Array(replay.utf8), "\(limited)")
        #expect((limited.deliveries ?? 0) >= 2, "\(limited)")
        #expect(limited.taskID == "replayme", "\(limited)")
        #expect(letters.first { $0.reason == .undecodable }?.data == garbage, "non-UTF-8 bytes survive the JSON listing")

        let retried = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "retry", limited.id])
        #expect(retried.status == 0, "\(retried.stderr)")
        let result = try await system.waitResult("replayme", task: "examples.add", timeout: .seconds(30))
        #expect(result.returnValue == 42, "the replayed task ran on the worker, its result read from the bucket")

        let unknown = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "retry", limited.id])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no dead letter with ID '\(limited.id)'"), "\(unknown.stderr)")

        let purged = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "purge"])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(purged.stdout.hasPrefix("purged 2 dead letters from NATS JetStream stream 'taskiq_dead_letter'"), "\(purged.stdout)")
        let empty = try await TaskiqRunProcess.run(["dead-letters", "-c", file])
        #expect(empty.stdout.hasPrefix("no dead letters in NATS JetStream stream 'taskiq_dead_letter'"), "\(empty.stdout)")

        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
        try await publisher.shutdown()
        try await system.shutdown()
    }
}
