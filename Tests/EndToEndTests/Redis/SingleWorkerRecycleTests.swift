import Foundation
import Taskiq
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// `max_tasks_per_child` with `workers: 1`: the one worker is supervised, so consumption goes on
/// after it recycles; and `kick --wait` gives up after its timeout when no worker answers.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct SingleWorkerRecycleTests {
    static func config(_ server: RedisServer) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "recycle.json": """
            {"broker": {"type": "redis_stream", "url": "\(server.url)", "xread_block": 200,
                        "lease_ttl": 1, "lease_renew_interval": 0.2},
             "result_backend": {"type": "redis", "url": "\(server.url)"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "max_tasks_per_child": 2, "shutdown_timeout": 5}}
            """
        ])
        return (directory, directory.path("recycle.json"))
    }

    @Test func aSingleRecyclingWorkerKeepsConsuming() async throws {
        try await RedisServer.with { server in
            let (directory, file) = try Self.config(server)
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            for index in 0..<7 {
                let taskID = try await system.kick("examples.add", args: [.int(index), .int(100)])
                let result = try await system.waitResult(taskID, task: "examples.add", timeout: .seconds(30))
                #expect(result.returnValue == .int(index + 100), "task \(index)")
            }
            #expect(worker.lines.contains { $0.contains("recycling after 2 tasks") })
            #expect(worker.lines.filter { $0.contains("worker ready") }.count >= 4, "the worker was replaced after each 2 tasks")
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            try await system.shutdown()
            _ = directory
        }
    }

    @Test func kickWaitGivesUpWhenNoWorkerAnswers() async throws {
        try await RedisServer.with { server in
            let (directory, file) = try Self.config(server)
            let output = try await TaskiqRunProcess.run(
                ["kick", "-c", file, "examples.add", "1", "2", "--wait", "--timeout", "0.3"],
                seconds: 30)
            #expect(output.status == 1)
            #expect(output.stdout.isEmpty)
            #expect(output.stderr.contains("no result for task examples.add"), "\(output.stderr)")
            #expect(output.stderr.contains("within 0.30s"), "\(output.stderr)")
            _ = directory
        }
    }
}
