import Foundation
import Testing
import TaskiqTestSupport

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
            let directory = try TemporaryConfigDirectory(files: ["redis.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)"},
                 "result_backend": {"type": "dummy"},
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "shutdown_timeout": 10}}
                """])
            let file = directory.path("redis.json")
            let empty = try await TaskiqRunProcess.run(["check", "-c", file, "--fleet"])
            #expect(empty.status == 0, "\(empty.stderr)")
            #expect(empty.stdout.contains("stream 'taskiq', group 'taskiq':\n    no consumers yet"), "\(empty.stdout)")

            let swift = try RunningProcess(["worker", "-c", file])
            try await swift.waitForLine(containing: "worker ready")
            let python = try RedisPython.start(["-m", "taskiq", "worker", "redis_tasks:broker", "--workers", "1"],
                                               environment: ["REDIS_URL": server.url, "REDIS_BROKER": "stream"])
            defer { if python.isRunning { kill(python.processIdentifier, SIGKILL) } }
            // Redis adds a consumer to the group at its first delivery: kick tasks both can run
            // until the Python worker has taken some.
            for index in 0..<20 {
                let kick = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "\(index)", "1"])
                #expect(kick.status == 0, "\(kick.stderr)")
            }
            let listing = try await withTimeout(seconds: 60) { () async throws -> TaskiqRunProcess.Output in
                while true {
                    let output = try await TaskiqRunProcess.run(["check", "-c", file, "--fleet"])
                    if !output.stdout.contains("announces nothing") {
                        _ = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "1", "1"])
                    }
                    if output.stdout.contains("announces nothing") { return output }
                    try await Task.sleep(for: .milliseconds(200))  // a poll interval against the timeout
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
