import Foundation
import Taskiq
import TaskiqConfig
import TaskiqExamples
import TaskiqTestSupport
import Testing

/// The `examples` module's worker hooks in real `taskiq-run` processes: its startup hook puts a
/// counter in the worker's state, `examples.visits` counts in it, its shutdown hook reports it
/// after the last task.
struct LifecycleProcessTests {
    @Test func theKickProcessIsTheInMemoryBrokersWorker() async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "memory.json": """
            {"broker": {"type": "inmemory"}, "tasks": {"modules": ["examples"]}}
            """
        ])
        let kick = try await TaskiqRunProcess.run(["kick", "-c", directory.path("memory.json"), "examples.visits", "--wait"])
        #expect(kick.status == 0, "\(kick.stderr)")
        #expect(kick.stdout == "1\n")
    }

    @Test(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    func aRedisWorkerRunsTheHooksAroundItsTasks() async throws {
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "redis.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)", "xread_block": 500},
                 "result_backend": {"type": "redis", "url": "\(server.url)"},
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "shutdown_timeout": 10}}
                """
            ])
            let file = directory.path("redis.json")
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            var counts: [Int] = []
            for _ in 0..<3 {
                let id = try await system.kick("examples.visits")
                let result = try await system.waitResult(id, timeout: .seconds(30))
                counts.append(result.returnValue?.intValue ?? -1)
            }
            try await system.shutdown()
            #expect(counts == [1, 2, 3])
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            let lines = worker.lines
            let report = lines.firstIndex { $0.contains("examples.visits ran 3 times in this worker") }
            let signalled = lines.firstIndex { $0.contains("received SIGTERM") }
            #expect(report != nil, "\(lines.suffix(10))")
            #expect((signalled ?? .max) < (report ?? .min), "the shutdown hook runs after the signal: \(lines.suffix(10))")
        }
    }
}
