import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

#if canImport(Glibc)
import Glibc
#endif

/// A `taskiq-run worker` on `redis_stream` fed, as raw stream entries, every hostile message the
/// release-build probes found (and more edges): it must stay up, never trap, and serve the next
/// task. In the release run this is the release binary as it ships.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct HostileMessagesEndToEndTests {
    static func message(_ id: String, _ task: String, labels: String = "{}", args: String = "[]", kwargs: String = "{}") -> String {
        #"{"task_id": "\#(id)", "task_name": "\#(task)", "labels": \#(labels), "args": \#(args), "kwargs": \#(kwargs)}"#
    }

    static let hostile: [[UInt8]] = {
        var texts = [
            // Durations that overflow `Duration` once multiplied out (trapped every worker).
            message("t1", "examples.add", labels: #"{"timeout": 1e21}"#, args: "[1, 2]"),
            message("t2", "examples.add", labels: #"{"timeout": "1e300"}"#, args: "[1, 2]"),
            message("t3", "examples.add", labels: #"{"timeout": 1.7e308}"#, args: "[1, 2]"),
            message("t4", "examples.add", labels: #"{"timeout": -1}"#, args: "[1, 2]"),
            message("t5", "examples.add", labels: #"{"timeout": "NaN"}"#, args: "[1, 2]"),
            message("t6", "examples.add", labels: #"{"timeout": NaN}"#, args: "[1, 2]"),
            message("t7", "examples.add", labels: #"{"timeout": Infinity}"#, args: "[1, 2]"),
            message("s1", "examples.sleep", args: "[1e21]"),
            message("s2", "examples.sleep", args: "[1e308]"),
            message("s3", "examples.sleep", args: "[-1]"),
            message("s4", "examples.sleep", args: #"["1e300"]"#),
            message("d1", "examples.add", labels: #"{"delay": 1e300}"#, args: "[1, 2]"),
            message("d2", "examples.add", labels: #"{"delay": -5, "ack_type": "sometimes", "retry_on_error": "maybe"}"#, args: "[1, 2]"),
            // Integers no Int holds, and values of the wrong type.
            message("i1", "examples.add", args: "[18446744073709551616, 1]"),
            message("i2", "examples.add", args: "[-1180591620717411303427, 1]"),
            message("i3", "examples.fib", args: "[9223372036854775807]"),
            message("i4", "examples.fib", args: "[1e300]"),
            message("i5", "examples.fib", args: "[92]"),
            message("c1", "examples.crash_once", args: #"["/tmp/taskiq-hostile-crash-once-\#(UUID().uuidString)"]"#),
            message("i6", "examples.add", args: "[true, false]"),
            message("k1", "examples.add", args: "[1]", kwargs: #"{"a": 1, "zzz": 2}"#),
            // Names and text at the edges.
            message("u1", "exämples.ädd ✓", args: "[1, 2]"),
            message("u2", "", args: "[]"),
            message("u3", "examples.echo", args: #"["\ud800"]"#),
            message("u4", "examples.echo", args: #"["\u0000 nul and \ud83d\ude00"]"#),
            // Not messages at all.
            "", "null", "[]", "{}", "{", #"{"task_id": 1}"#, String(repeating: "[", count: 100_000),
            message("n1", "examples.echo", args: "[" + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "]"),
        ].map { Array($0.utf8) }
        texts.append([0xFF, 0xFE, 0x00, 0x7B, 0xC3])
        return texts
    }()

    @Test func aWorkerFedHostileMessagesStaysUpAndServesTheNextTask() async throws {
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "hostile.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)", "queue_name": "hostile"},
                 "result_backend": {"type": "redis", "url": "\(server.url)"},
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "max_async_tasks": 8, "shutdown_timeout": 2, "log_level": "info"}}
                """
            ])
            let file = directory.path("hostile.json")
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            var configuration = try RedisConfiguration(url: server.url)
            configuration.reconnect = RedisReconnectPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))
            let client = RedisClient(configuration: configuration)
            defer { client.close() }
            for bytes in Self.hostile { try await client.send(["XADD", "hostile", "*", "data", bytes]) }

            // The stream is read in order, so once a task kicked after them is done, the worker
            // has taken every hostile entry; it must answer, and then acknowledge all of them.
            let kick = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "1", "2", "--wait", "--timeout", "30"])
            #expect(kick.status == 0, "\(kick.stderr)\n\(worker.lines.suffix(40).joined(separator: "\n"))")
            #expect(kick.stdout == "3\n")
            let pending = MutexBox(-1)
            do {
                try await withTimeout(seconds: 30) {
                    while true {
                        pending.value = try await client.send(["XPENDING", "hostile", "taskiq"]).array?.first?.int ?? -1
                        if pending.value == 0 { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            } catch {
                Issue.record("\(pending.value) hostile entries still pending:\n\(worker.lines.suffix(40).joined(separator: "\n"))")
                throw error
            }
            #expect(kill(worker.pid, 0) == 0, "the worker is still running:\n\(worker.lines.joined(separator: "\n"))")
            let log = worker.lines.joined(separator: "\n")
            #expect(!log.contains("Fatal error") && !log.contains("Overflow"), "\(log)")
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "\(log)")
        }
    }
}
