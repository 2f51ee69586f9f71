import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Swift and Python taskiq-aio-pika 0.6.1 on one RabbitMQ node and one Redis result backend,
/// both ways, through the shipped `taskiq-run`: positional and keyword arguments, labels, a
/// priority, and a delay (Python's through its `taskiq.delay` TTL queue, Swift's through its own
/// per-delay queues). Each side reads the other's results. Both declare the same topology in one
/// virtual host, so any difference in the declare arguments would fail with a 406.
@Suite(
    .enabled(if: RedisServer.shouldRun && RedisPython.shouldRun, "\(RedisPython.skipMessage)"),
    .enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode, .serialized)
struct RabbitMQPythonInteropTests {
    static func config(rabbitMQ url: String, redis: RedisServer) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "rabbitmq.json": """
            {"broker": {"type": "rabbitmq", "url": "\(url)", "delay": "ttl_queues"},
             "result_backend": {"type": "redis", "url": "\(redis.url)"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "shutdown_timeout": 10, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("rabbitmq.json"))
    }

    @Test func pythonKicksASwiftWorkerRunsAndPythonReadsTheResults() async throws {
        guard RedisPython.requirePeer() else { return }
        let url = try await RabbitMQServer.shared().virtualHost()
        try await RedisServer.with { redis in
            let (directory, file) = try Self.config(rabbitMQ: url, redis: redis)
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let kick = try await RedisPython.run(["rabbitmq_kick.py"], environment: ["RABBITMQ_URL": url, "REDIS_URL": redis.url])
            #expect(kick.status == 0, "\(kick.stdout)\n\(kick.stderr)")
            var results: [String: (value: String, seconds: Double)] = [:]
            for line in kick.stdout.split(separator: "\n") where line.hasPrefix("result ") {
                let parts = line.split(separator: " ")
                guard parts.count == 5, let seconds = Double(parts[4]) else { continue }
                results[String(parts[1])] = (String(parts[3]), seconds)
            }
            #expect(results["positional"]?.value == "3", "\(kick.stdout)")
            #expect(results["keywords"]?.value == "7", "\(kick.stdout)")
            #expect(results["labels"]?.value == "11", "\(kick.stdout)")
            #expect(results["delayed"]?.value == "15", "\(kick.stdout)")
            #expect((results["delayed"]?.seconds ?? 0) >= 1.9, "the delay label held the task back: \(kick.stdout)")
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "\(worker.lines.suffix(20).joined(separator: "\n"))")
            _ = directory
        }
    }

    @Test func swiftKicksAPythonWorkerRunsAndSwiftReadsTheResults() async throws {
        guard RedisPython.requirePeer() else { return }
        let url = try await RabbitMQServer.shared().virtualHost()
        try await RedisServer.with { redis in
            let (directory, file) = try Self.config(rabbitMQ: url, redis: redis)
            let effects = directory.url.appendingPathComponent("effects")
            try FileManager.default.createDirectory(at: effects, withIntermediateDirectories: true)
            let worker = try RedisPython.start(
                ["-m", "taskiq", "worker", "rabbitmq_tasks:broker", "--workers", "1"],
                environment: [
                    "RABBITMQ_URL": url, "REDIS_URL": redis.url,
                    "SIDE_EFFECT_DIR": effects.path,
                ])
            defer { if worker.isRunning { killProcessTree(worker.processIdentifier) } }  // taskiq's worker child too
            let cases: [(arguments: [String], sum: Int, seconds: Double)] = [
                (["1", "2"], 3, 0),
                (["a=3", "b=4"], 7, 0),
                (["-l", "custom=é ✓", "-l", "priority=5", "5", "6"], 11, 0),
                (["-l", "delay=2", "7", "8"], 15, 1.9),
            ]
            for item in cases {
                let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
                let started = ContinuousClock.now
                try TaskiqRunProcess.requireExecutable()
                let kick = try RunningProcess(
                    TaskiqRunProcess.makeProcess(
                        ["kick", "-c", file, "examples.add"] + item.arguments + ["--task-id", id, "--wait", "--timeout", "60"],
                        environment: [:]), collectingStandardOutput: true)
                #expect(try await kick.waitForExit(seconds: 90) == 0, "\(item.arguments): \(kick.lines)")
                let elapsed = started.duration(to: .now)
                #expect(kick.lines.contains("\(item.sum)"), "\(item.arguments) printed \(kick.lines)")
                #expect(elapsed >= .milliseconds(Int(item.seconds * 1000)), "\(item.arguments) took \(elapsed)")
                let effect = try String(contentsOf: effects.appendingPathComponent(id), encoding: .utf8)
                #expect(effect.contains(#""sum": \#(item.sum)"#), "\(effect)")
                if item.arguments.contains("custom=é ✓") {
                    #expect(effect.contains(#""custom": "é ✓""#) && effect.contains(#""priority": "#), "\(effect)")
                }
            }
            _ = directory
        }
    }
}
