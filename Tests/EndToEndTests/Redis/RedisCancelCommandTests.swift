import Foundation
import Taskiq
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run cancel` against worker processes on a real redis-server.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct RedisCancelCommandTests {
    @Test func cancelStopsATaskRunningInAWorkerProcess() async throws {
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "redis.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)", "xread_block": 500},
                 "result_backend": {"type": "redis", "url": "\(server.url)"},
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "log_level": "debug", "shutdown_timeout": 5}}
                """
            ])
            let file = directory.path("redis.json")
            let worker = try RunningProcess(["worker", "-c", file])
            try await worker.waitForLine(containing: "worker ready")
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            let taskID = try await system.kick("examples.sleep", args: [.double(3600)])
            _ = try await worker.waitForLine(containing: "task started")

            let output = try await TaskiqRunProcess.run(["cancel", "-c", file, taskID])
            #expect(output.status == 0, "stderr: \(output.stderr)")
            #expect(output.stdout == "cancel requested for \(taskID)\n")
            let result = try await system.waitResult(taskID, task: "examples.sleep", timeout: .seconds(10))
            #expect(result.isErr)
            #expect(result.error?.name == "TaskCancelledError")
            _ = try await worker.waitForLine(containing: "task cancelled by request")

            // An unknown ID is harmless: the worker keeps running tasks.
            let unknown = try await TaskiqRunProcess.run(["cancel", "-c", file, "no-such-task"])
            #expect(unknown.status == 0)
            let add = try await system.kick("examples.add", args: [2, 3])
            #expect(try await system.waitResult(add, task: "examples.add", timeout: .seconds(10)).returnValue == 5)

            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            try await system.shutdown()
            _ = directory
        }
    }

    @Test func cancelSaysWhatItCannotDo() async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "memory.json": #"{"broker": {"type": "inmemory"}, "tasks": {"modules": ["examples"]}}"#,
            "zmq.json": #"{"broker": {"type": "zeromq"}, "tasks": {"modules": ["examples"]}}"#,
        ])
        let missing = try await TaskiqRunProcess.run(["cancel", "-c", directory.path("memory.json")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("TASK_ID"), "\(missing.stderr)")

        let memory = try await TaskiqRunProcess.run(["cancel", "-c", directory.path("memory.json"), "abc"])
        #expect(memory.status == 1)
        #expect(memory.stderr.contains("runs tasks in the process that kicks them"), "\(memory.stderr)")

        let zmq = try await TaskiqRunProcess.run(["cancel", "-c", directory.path("zmq.json"), "abc"])
        #expect(zmq.status == 1)
        #expect(zmq.stderr.contains("cannot cancel tasks"), "\(zmq.stderr)")

        let broker = try await TaskiqRunProcess.run(["cancel", "-c", directory.path("memory.json"), "--broker", "nope", "abc"])
        #expect(broker.status == 2)
        #expect(broker.stderr.contains("unknown broker 'nope'"), "\(broker.stderr)")

        let help = try await TaskiqRunProcess.run(["cancel", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("TASK_ID") && help.stdout.contains("cancel"), "\(help.stdout)")
    }
}
