import Foundation
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqConfig
@testable import TaskiqRabbitMQ

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run dead-letters list|retry|purge` on a `rabbitmq` broker without a `dead_letters`
/// section: a real worker process dead-letters a message over its delivery limit, an undecodable
/// message and a task whose retries ran out into the broker's own `taskiq.dead_letter` queue; the
/// command lists them, replays one (which then runs on the worker) and purges the rest.
@Suite(
    .enabled(if: RedisServer.shouldRun, RedisServer.skipMessage),
    .enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct RabbitMQDeadLetterCommandTests {
    @Test func listRetryAndPurgeThroughTheBinary() async throws {
        let url = try await RabbitMQServer.shared().virtualHost()
        try await RedisServer.with { redis in
            let directory = try TemporaryConfigDirectory(files: [
                "rabbitmq.json": """
                {"broker": {"type": "rabbitmq", "url": "\(url)", "max_deliveries": 1},
                 "result_backend": {"type": "redis", "url": "\(redis.url)"},
                 "middlewares": [{"type": "simple_retry", "default_retry_count": 2}],
                 "tasks": {"modules": ["examples"]},
                 "worker": {"shutdown_timeout": 5, "log_level": "info"}}
                """
            ])
            let file = directory.path("rabbitmq.json")
            try await Self.scenario(file: file, url: url)
            _ = directory
        }
    }

    static func scenario(file: String, url: String) async throws {
        // The producer side declares the topology, so the messages below wait in the queue.
        let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
        try await system.startup()
        let connection = try await AMQPConfiguration(url: url).connect()
        let channel = try await connection.openChannel()
        try await channel.confirmSelect()
        // A message delivered once and handed back (x-delivery-count 1), an undecodable one, and
        // a task that always fails.
        let replay =
            #"{"task_id": "replayme", "task_name": "examples.add", "labels": {}, "labels_types": {}, "args": [20, 22], "kwargs": {}}"#
        try await channel.publish(exchange: "", routingKey: "taskiq", body: Array(replay.utf8), mandatory: true)
        let consumer = try await channel.consume(queue: "taskiq")
        var taken: AMQPDelivery?
        for try await delivery in consumer {
            taken = delivery
            break
        }
        // Cancelled first, so the requeued message is not delivered back to this consumer.
        try await channel.cancel(consumer.tag)
        try channel.nack(try #require(taken).deliveryTag, requeue: true)
        let garbage: [UInt8] = [0x7B, 0xFF, 0x00]
        try await channel.publish(exchange: "", routingKey: "taskiq", body: garbage, mandatory: true)
        let failing =
            #"{"task_id": "f1", "task_name": "examples.fail", "labels": {"retry_on_error": true}, "labels_types": {}, "args": [], "kwargs": {}}"#
        try await channel.publish(exchange: "", routingKey: "taskiq", body: Array(failing.utf8), mandatory: true)

        let worker = try RunningProcess(["worker", "-c", file])
        try await worker.waitForLine(containing: "worker ready")
        try await eventually("three dead letters in taskiq.dead_letter", seconds: 30) {
            try await channel.declareQueue("taskiq.dead_letter", passive: true).messageCount == 3
        }

        let table = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "list"])
        #expect(table.status == 0, "\(table.stderr)")
        let rows = table.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("ID") == true && rows.count == 4, "\(table.stdout)")
        #expect(
            rows.contains { $0.contains("delivery_limit") && $0.contains("examples.add") && $0.contains("max_deliveries") },
            "\(table.stdout)")
        #expect(rows.contains { $0.contains("undecodable") }, "\(table.stdout)")
        #expect(
            rows.contains { $0.contains("retries_exhausted") && $0.contains("examples.fail") && $0.contains("always fails") },
            "\(table.stdout)")

        let json = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "list", "--json", "--oldest-first"])
        #expect(json.status == 0, "\(json.stderr)")
        let letters = try json.stdout.split(separator: "\n").map { try DeadLetter(jsonValue: try JSONParser().parse(String($0))) }
        #expect(Set(letters.map(\.reason)) == [.deliveryLimit, .undecodable, .retriesExhausted], "\(json.stdout)")
        let limited = try #require(letters.first { $0.reason == .deliveryLimit })
        #expect(limited.data == Array(replay.utf8) && limited.deliveries == 2 && limited.taskID == "replayme", "\(limited)")
        #expect(letters.first { $0.reason == .undecodable }?.data == garbage, "non-UTF-8 bytes survive the JSON listing")
        let failed = letters.first { $0.reason == .retriesExhausted }
        #expect(failed?.error?.name == "ExampleFailure" && failed?.taskID == "f1", "\(String(describing: failed))")
        let listedAgain = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "list"])
        #expect(listedAgain.stdout.split(separator: "\n").count == 4, "listing borrows, it takes nothing: \(listedAgain.stdout)")

        let retried = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "retry", limited.id])
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(
            retried.stdout == "retried \(limited.id): task examples.add (replayme) sent through broker 'default'\n", "\(retried.stdout)")
        let result = try await system.waitResult("replayme", task: "examples.add", timeout: .seconds(30))
        #expect(result.returnValue == 42, "the replayed task ran on the worker")

        let unknown = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "retry", limited.id])
        #expect(unknown.status == 1)
        #expect(
            unknown.stderr.contains("no dead letter with ID '\(limited.id)' in RabbitMQ queue 'taskiq.dead_letter'"), "\(unknown.stderr)")

        let purged = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "purge"])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(
            purged.stdout.hasPrefix("purged 2 dead letters from RabbitMQ queue 'taskiq.dead_letter' on amqp://guest:***@127.0.0.1:"),
            "\(purged.stdout)")
        let empty = try await TaskiqRunProcess.run(["dead-letters", "-c", file])
        #expect(empty.stdout.hasPrefix("no dead letters in RabbitMQ queue 'taskiq.dead_letter'"), "\(empty.stdout)")

        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
        await connection.close()
        try await system.shutdown()
    }
}
