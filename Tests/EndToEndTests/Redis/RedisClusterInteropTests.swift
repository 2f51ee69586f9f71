import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Swift and taskiq-redis' `RedisStreamClusterBroker` and `RedisAsyncClusterResultBackend`
/// sharing a queue and results on a six-node cluster, both ways: the `taskiq-run` binary with a
/// `redis+cluster://` URL on one side, the Python peer with `redis://<one node>` on the other.
@Suite(.enabled(if: RedisServer.shouldRun && RedisPython.shouldRun, "\(RedisPython.skipMessage)"), .serialized)
struct RedisClusterInteropTests {
    static func config(_ group: RedisClusterGroup) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "cluster.json": """
            {"broker": {"type": "redis_stream", "url": "\(group.url)"},
             "result_backend": {"type": "redis", "url": "\(group.url)"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "shutdown_timeout": 10, "log_level": "debug"}}
            """
        ])
        return (directory, directory.path("cluster.json"))
    }

    static func pythonEnvironment(_ group: RedisClusterGroup) -> [String: String] {
        ["REDIS_BROKER": "cluster_stream", "REDIS_URL": "redis://127.0.0.1:\(group.nodes[0].port)"]
    }

    @Test func pythonKicksOnTheClusterASwiftWorkerRuns() async throws {
        guard RedisPython.requirePeer() else { return }
        try await RedisClusterGroup.with { group in
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

    @Test func swiftKicksOnTheClusterAPythonWorkerRunsAndSwiftReadsTheResult() async throws {
        guard RedisPython.requirePeer() else { return }
        try await RedisClusterGroup.with { group in
            let (directory, file) = try Self.config(group)
            let effects = directory.url.appendingPathComponent("effects")
            try FileManager.default.createDirectory(at: effects, withIntermediateDirectories: true)
            var environment = Self.pythonEnvironment(group)
            environment["SIDE_EFFECT_DIR"] = effects.path
            let worker = try RedisPython.start(
                ["-m", "taskiq", "worker", "redis_tasks:broker", "--workers", "1"],
                environment: environment)
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            // --wait reads the Python worker's result from the master of its key's slot.
            let kick = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "20", "22", "--wait", "--timeout=60"])
            #expect(kick.status == 0, "\(kick.stderr)")
            #expect(kick.stdout == "42\n", "\(kick.stderr)")
            _ = directory
        }
    }
}
