import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Swift and taskiq-redis' `RedisStreamSentinelBroker` sharing a queue through three sentinels,
/// both ways: the `taskiq-run` binary with a `redis+sentinel://` URL on one side, the Python
/// peer with the same sentinels and master name on the other.
@Suite(.enabled(if: RedisServer.shouldRun && RedisPython.shouldRun, "\(RedisPython.skipMessage)"), .serialized)
struct RedisSentinelInteropTests {
    static func config(_ group: RedisSentinelGroup) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "sentinel.json": """
            {"broker": {"type": "redis_stream", "url": "\(group.url)"},
             "result_backend": {"type": "redis", "url": "\(group.url)"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "shutdown_timeout": 10, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("sentinel.json"))
    }

    static func pythonEnvironment(_ group: RedisSentinelGroup) -> [String: String] {
        ["REDIS_BROKER": "sentinel_stream", "REDIS_SENTINELS": group.sentinelAddresses, "REDIS_MASTER": RedisSentinelGroup.masterName]
    }

    @Test func pythonKicksThroughTheSentinelsASwiftWorkerRuns() async throws {
        guard RedisPython.requirePeer() else { return }
        try await RedisSentinelGroup.with { group in
            let (directory, file) = try Self.config(group)
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let kick = try await RedisPython.run(["redis_kick.py"], environment: Self.pythonEnvironment(group))
            #expect(kick.status == 0, "\(kick.stderr)")
            let ids = kick.stdout.split(separator: "\n").filter { $0.hasPrefix("kicked ") }.map { String($0.dropFirst(7)) }
            #expect(ids.count == 2, "positional and keyword arguments: \(kick.stdout)")
            for id in ids {
                _ = try await worker.waitFor("task \(id) succeeded") { lines in
                    lines.first { $0.contains("task succeeded") && $0.contains(id) && $0.contains("examples.add") }
                }
            }
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            _ = directory
        }
    }

    @Test func swiftKicksThroughTheSentinelsAPythonWorkerRunsAndSwiftReadsTheResult() async throws {
        guard RedisPython.requirePeer() else { return }
        try await RedisSentinelGroup.with { group in
            let (directory, file) = try Self.config(group)
            let effects = directory.url.appendingPathComponent("effects")
            try FileManager.default.createDirectory(at: effects, withIntermediateDirectories: true)
            var environment = Self.pythonEnvironment(group)
            environment["SIDE_EFFECT_DIR"] = effects.path
            let worker = try RedisPython.start(
                ["-m", "taskiq", "worker", "redis_tasks:broker", "--workers", "1"],
                environment: environment)
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            // --wait reads the Python worker's result from the master the sentinels name.
            let kick = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "20", "22", "--wait", "--timeout=60"])
            #expect(kick.status == 0, "\(kick.stderr)")
            #expect(kick.stdout == "42\n", "\(kick.stderr)")
            _ = directory
        }
    }
}
