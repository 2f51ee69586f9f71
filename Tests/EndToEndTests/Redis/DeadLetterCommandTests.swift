import Foundation
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqConfig
@testable import TaskiqRedis

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run dead-letters list|retry|purge` against a real redis-server and a real worker
/// process: the worker dead-letters an entry over its delivery limit, an undecodable entry and a
/// task whose retries ran out; the command lists them, replays one (which then runs) and purges
/// the rest.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct DeadLetterCommandTests {
    @Test func listRetryAndPurgeThroughTheBinary() async throws {
        try await RedisServer.with { server in try await Self.scenario(server) }
    }

    static func scenario(_ server: RedisServer) async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "redis.json": """
            {"broker": {"type": "redis_stream", "url": "\(server.url)", "consumer_name": "w", "max_deliveries": 1,
                        "xread_block": 200, "lease_ttl": 1, "lease_renew_interval": 0.2},
             "result_backend": {"type": "redis", "url": "\(server.url)"},
             "middlewares": [{"type": "simple_retry", "default_retry_count": 2}],
             "tasks": {"modules": ["examples"]},
             "worker": {"shutdown_timeout": 5, "log_level": "info"}}
            """
        ])
        let file = directory.path("redis.json")
        let client = RedisClient(configuration: try RedisConfiguration(url: server.url))
        defer { client.close() }

        // An entry this consumer name already took twice, an undecodable one, and a task that always fails.
        try await RedisStreamBroker.createGroup(client: client, stream: "taskiq", group: "taskiq")
        let replay =
            #"{"task_id": "replayme", "task_name": "examples.add", "labels": {}, "labels_types": {}, "args": [20, 22], "kwargs": {}}"#
        let replayID = try #require(try await client.send(["XADD", "taskiq", "*", "data", replay]).string)
        _ = try await client.send(["XREADGROUP", "GROUP", "taskiq", "w", "COUNT", 1, "STREAMS", "taskiq", ">"])
        try await client.send(["XCLAIM", "taskiq", "taskiq", "w", 0, replayID])
        let garbage: [UInt8] = [0x7B, 0xFF, 0x00]
        try await client.send(["XADD", "taskiq", "*", "data", garbage])
        let failing =
            #"{"task_id": "f1", "task_name": "examples.fail", "labels": {"retry_on_error": true}, "labels_types": {}, "args": [], "kwargs": {}}"#
        try await client.send(["XADD", "taskiq", "*", "data", failing])

        let worker = try RunningProcess(["worker", "-c", file])
        try await worker.waitForLine(containing: "worker ready")
        try await eventually("three dead letters in taskiq:dead", seconds: 30) { try await client.send(["XLEN", "taskiq:dead"]).int == 3 }

        let table = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "list"])
        #expect(table.status == 0, "\(table.stderr)")
        let rows = table.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("ID") == true && rows.count == 4, "\(table.stdout)")
        #expect(rows.contains { $0.contains("delivery_limit") && $0.contains("examples.add") && $0.contains("max_deliveries") })
        #expect(rows.contains { $0.contains("undecodable") && $0.contains("cannot parse message") })
        #expect(rows.contains { $0.contains("retries_exhausted") && $0.contains("examples.fail") && $0.contains("always fails") })

        let json = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "list", "--json", "--oldest-first"])
        #expect(json.status == 0, "\(json.stderr)")
        let letters = try json.stdout.split(separator: "\n").map { try DeadLetter(jsonValue: try JSONParser().parse(String($0))) }
        #expect(letters.map(\.reason) == [.deliveryLimit, .undecodable, .retriesExhausted])
        let limited = try #require(letters.first)
        #expect(
            limited.data == Array(replay.utf8) && limited.originalID == replayID && limited.deliveries == 3,
            "read, claimed, then re-read by the worker")
        #expect(letters[1].data == garbage, "non-UTF-8 bytes survive the JSON listing")
        #expect(letters[2].error?.name == "ExampleFailure" && letters[2].taskID == "f1")
        let limitedRows = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "-n", "1"])
        #expect(limitedRows.stdout.split(separator: "\n").count == 2, "--limit 1 lists the newest only: \(limitedRows.stdout)")

        let retried = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "retry", limited.id])
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(retried.stdout == "retried \(limited.id): task examples.add (replayme) sent through broker 'default'\n")
        let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
        try await system.startup()
        let result = try await system.waitResult("replayme", task: "examples.add", timeout: .seconds(30))
        #expect(result.returnValue == 42, "the replayed task ran on the worker")
        try await system.shutdown()

        let unknown = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "retry", limited.id])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no dead letter with ID '\(limited.id)' in Redis stream 'taskiq:dead'"), "\(unknown.stderr)")
        let usage = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "retry"])
        #expect(usage.status == 2 && usage.stderr.contains("retry needs the ID of a letter, or --all"), "\(usage.stderr)")

        let purged = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "purge"])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(purged.stdout == "purged 2 dead letters from Redis stream 'taskiq:dead' on 127.0.0.1:\(server.port)\n")
        let empty = try await TaskiqRunProcess.run(["dead-letters", "-c", file])
        #expect(empty.stdout.hasPrefix("no dead letters in Redis stream 'taskiq:dead'"), "\(empty.stdout)")

        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
        _ = directory
    }

    @Test func aFileDestinationIsListedRetriedAndPurged() async throws {
        // The in-memory broker runs a retried task in the command's own process, so the file
        // shows the replay failing again: one letter gone, one new one.
        let directory = try TemporaryConfigDirectory()
        try directory.write(
            "file.json",
            """
            {"broker": {"type": "inmemory"}, "dead_letters": {"type": "file", "path": "\(directory.path("dead.jsonl"))", "failed_tasks": "all"}}
            """)
        let file = directory.path("file.json")
        let kicked = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.fail", "--wait"])
        #expect(kicked.status == 1)
        let queue = FileDeadLetterQueue(path: directory.path("dead.jsonl"))
        let first = try #require(try await queue.list(limit: nil).first)
        #expect(first.reason == .taskFailed)
        let retried = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "retry", "--all"])
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(retried.stdout.hasSuffix("retried 1 dead letter from file \(directory.path("dead.jsonl"))\n"), "\(retried.stdout)")
        let after = try await queue.list(limit: nil)
        #expect(after.count == 1 && after.first?.id != first.id && after.first?.taskID == first.taskID)
        let purged = try await TaskiqRunProcess.run(["dead-letters", "-c", file, "purge"])
        #expect(purged.stdout == "purged 1 dead letter from file \(directory.path("dead.jsonl"))\n")
    }

    @Test func withoutADestinationTheCommandSaysWhatToAdd() async throws {
        let output = try await TaskiqRunProcess.run(["dead-letters", "-c", "examples/taskiq.json"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("examples/taskiq.json: dead_letters: missing"), "\(output.stderr)")
        #expect(output.stderr.contains(#"{"type": "file", "path": "dead-letters.jsonl"}"#))
        let directory = try TemporaryConfigDirectory(files: [
            "mem.json": """
            {"broker": {"type": "inmemory"}, "dead_letters": {"type": "inmemory"}}
            """
        ])
        let local = try await TaskiqRunProcess.run(["dead-letters", "-c", directory.path("mem.json"), "purge"])
        #expect(local.status == 2)
        #expect(local.stderr.contains("lives inside each worker process"), "\(local.stderr)")
    }
}
