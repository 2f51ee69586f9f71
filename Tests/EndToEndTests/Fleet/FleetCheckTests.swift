import Foundation
import Taskiq
import TaskiqConfig
import TaskiqExamples
import TaskiqTestSupport
import Testing

/// `taskiq-run check --fleet` against real consumers: a Swift worker and a Python taskiq-redis
/// worker sharing the stream's consumer group. The Python one announces nothing, and since it
/// acknowledges and drops tasks it does not know, check warns and exits 1.
struct FleetCheckTests {
    @Test func theInMemoryBrokerIsItsOwnFleet() async throws {
        let output = try await TaskiqRunProcess.run(["check", "-c", "examples/taskiq.json", "--fleet"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("fleet:\n  broker 'default' (inmemory), the in-memory broker"), "\(output.stdout)")
        #expect(output.stdout.contains("this process: taskiq-swift on "), "\(output.stdout)")
    }

    @Test(.enabled(if: RedisServer.shouldRun && RedisPython.shouldRun, "\(RedisPython.skipMessage)"))
    func aPythonWorkerOnTheSharedGroupIsWarnedAbout() async throws {
        guard RedisPython.requirePeer() else { return }
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "redis.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)"},
                 "result_backend": {"type": "dummy"},
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "shutdown_timeout": 10}}
                """
            ])
            let file = directory.path("redis.json")
            let empty = try await TaskiqRunProcess.run(["check", "-c", file, "--fleet"])
            #expect(empty.status == 0, "\(empty.stderr)")
            #expect(empty.stdout.contains("stream 'taskiq', group 'taskiq':\n    no consumers yet"), "\(empty.stdout)")

            // Redis adds a consumer to the group at its first delivery: the Python worker, alone
            // on the stream, takes one task first (watched in this process, no polling processes).
            let python = try RedisPython.start(
                ["-m", "taskiq", "worker", "redis_tasks:broker", "--workers", "1"],
                environment: ["REDIS_URL": server.url, "REDIS_BROKER": "stream"])
            defer { if python.isRunning { kill(python.processIdentifier, SIGKILL) } }
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            _ = try await system.kick("examples.add", args: [1, 2])
            let observer = try #require(system.broker as? any FleetReporting)
            try await eventually("the Python worker took the task", seconds: 90, every: .milliseconds(250)) {
                try await observer.fleet().members.contains { $0.announcement == nil }
            }
            try await system.shutdown()
            let swift = try RunningProcess(["worker", "-c", file])
            try await swift.waitForLine(containing: "worker ready")
            // The Swift worker's lease (its announcement) is written before it says ready; it
            // joins the group's listing at its first claim or delivery.
            let listing = try await withTimeout(seconds: 60) { () async throws -> TaskiqRunProcess.Output in
                while true {
                    let output = try await TaskiqRunProcess.run(["check", "-c", file, "--fleet"])
                    if output.stdout.contains("taskiq-swift on ") { return output }
                    try await Task.sleep(for: .seconds(1))  // a poll interval against the timeout
                }
            }
            #expect(listing.status == 1, "\(listing.stderr)")
            #expect(listing.stdout.contains("taskiq-swift on "), "\(listing.stdout)")
            #expect(listing.stdout.contains("9 tasks, all of this configuration's"), "\(listing.stdout)")
            #expect(listing.stderr.contains("announces nothing, as Python taskiq workers do"), "\(listing.stderr)")
            #expect(listing.stderr.contains("examples.add, examples.crash_once"), "\(listing.stderr)")
            swift.signal(SIGTERM)
            #expect(try await swift.waitForExit() == 0)
        }
    }
}
