import Foundation
import TaskiqTestSupport
import Testing

/// `taskiq-run kick TASK ARGS --then STEP ...` starts a pipeline: with the in-memory broker it runs
/// in the kick process; over Redis a `taskiq-run worker` with the `pipelines` middleware runs it.
struct PipelineKickTests {
    static let inMemory = """
        {"broker": {"type": "inmemory"},
         "middlewares": [{"type": "pipelines"}],
         "tasks": {"modules": ["examples"]}}
        """

    @Test func kickThenRunsEveryStepKindInProcess() async throws {
        let directory = try TemporaryConfigDirectory(files: ["memory.json": Self.inMemory])
        let file = directory.path("memory.json")
        // add(2, 3) = 5 → fib(5) = 5 → group [fib(5), echo(5)] = [5, 5]
        let group = try await TaskiqRunProcess.run([
            "kick", "-c", file, "examples.add", "2", "3", "--then", "examples.fib",
            "--then", "group:examples.fib,examples.echo", "--wait",
        ])
        #expect(group.status == 0, "\(group.stderr)")
        #expect(group.stdout == "[5,5]\n")
        // echo([1, 2, 3, 0]) → fib each → [1, 1, 2, 0] → filter by echo's truth → [1, 1, 2]
        let chain = try await TaskiqRunProcess.run([
            "kick", "-c", file, "examples.echo", "[1, 2, 3, 0]", "--then", "map:examples.fib",
            "--then", "filter:examples.echo", "--wait",
        ])
        #expect(chain.status == 0, "\(chain.stderr)")
        #expect(chain.stdout == "[1,1,2]\n")
    }

    @Test func kickThenRefusesUnknownStepsAndBadSyntax() async throws {
        let directory = try TemporaryConfigDirectory(files: ["memory.json": Self.inMemory])
        let file = directory.path("memory.json")
        let unknown = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "1", "2", "--then", "examples.nope"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("examples.nope"), "\(unknown.stderr)")
        let empty = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "1", "2", "--then", "group:"])
        #expect(empty.status == 2, "\(empty.stderr)")
        let withID = try await TaskiqRunProcess.run([
            "kick", "-c", file, "examples.add", "1", "2", "--then", "examples.fib", "--task-id", "x",
        ])
        #expect(withID.status == 2, "\(withID.stderr)")
    }

    @Test(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    func kickThenRunsOnARedisWorker() async throws {
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "redis.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)", "queue_name": "pipelines-e2e"},
                 "result_backend": {"type": "redis", "url": "\(server.url)"},
                 "middlewares": [{"type": "pipelines"}],
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "log_level": "info"}}
                """
            ])
            let file = directory.path("redis.json")
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let run = try await TaskiqRunProcess.run([
                "kick", "-c", file, "examples.echo", "[4, 5, 6]", "--then", "map:examples.fib",
                "--then", "group:examples.echo,examples.echo", "--wait",
            ])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "[[3,5,8],[3,5,8]]\n")
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "\(worker.lines.joined(separator: "\n"))")
        }
    }
}
