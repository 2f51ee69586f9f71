import Foundation
import Taskiq
import TaskiqExamples
import TaskiqRedis
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// Faults injected into a running `taskiq-run` on the `redis_stream` broker with a real
/// redis-server: a task that traps kills its worker process, the supervisor restarts it and the
/// message is delivered again; a log file on a full disk falls back to standard error.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct FaultInjectionTests {
    static func config(_ server: RedisServer, worker: String) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "faults.json": """
            {"broker": {"type": "redis_stream", "url": "\(server.url)", "xread_block": 200,
                        "lease_ttl": 1, "lease_renew_interval": 0.2, "idle_timeout": 1000},
             "result_backend": {"type": "redis", "url": "\(server.url)"},
             "tasks": {"modules": ["examples"]},
             "worker": {\(worker)}}
            """
        ])
        return (directory, directory.path("faults.json"))
    }

    @Test(arguments: RedisServer.Transport.allCases.filter(\.isAvailable))
    func aTaskThatTrapsIsRedeliveredAfterTheSupervisorRestartsItsWorker(transport: RedisServer.Transport) async throws {
        try await RedisServer.with(tls: transport.serverTLS()) { server in
            let (directory, file) = try Self.config(server, worker: #""workers": 2, "shutdown_timeout": 5, "log_level": "debug""#)
            let marker = directory.path("crash_once.marker")
            let supervisor = try RunningProcess(["worker", "-c", file], environment: [ExampleTasks.crashOnceVariable: "1"])
            _ = try await supervisor.waitFor("both workers ready") { lines in
                lines.filter { $0.contains("worker ready") }.count >= 2 ? true : nil
            }
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()

            let id = try await system.kick("examples.crash_once", kwargs: ["marker": .string(marker)])
            let death = try await supervisor.waitForLine(containing: "was killed by")
            #expect(death.contains("restarting it"), "the supervisor restarts the dead worker: \(death)")
            let result = try await system.waitResult(id, task: "examples.crash_once", timeout: .seconds(60))
            #expect(result.isErr == false)
            #expect(result.returnValue == "recovered")
            #expect(FileManager.default.fileExists(atPath: marker))
            _ = try await supervisor.waitFor("the restarted worker ready") { lines in
                lines.filter { $0.contains("worker ready") }.count >= 3 ? true : nil
            }
            #expect(supervisor.lines.contains { $0.contains("crashing this worker process on purpose") })
            // A live worker claimed the dead worker's entry: through the dead consumer's expired
            // lease, or (idle_timeout is 1 s here, and a release build can get there first) as an
            // entry idle too long. Waited for: the line travels through the supervisor's pipe.
            _ = try await supervisor.waitFor("a live worker's claim of the entry") { lines in
                lines.first { $0.contains("claimed 1 of 1 pending entries") || $0.contains("claimed 1 entries of") }
            }

            supervisor.signal(SIGTERM)
            #expect(try await supervisor.waitForExit() == 0)
            let client = RedisClient(configuration: try RedisConfiguration(url: server.url))
            #expect(try await client.send(["XPENDING", "taskiq", "taskiq"]).array?.first?.int == 0, "nothing left pending")
            client.close()
            try await system.shutdown()
        }
    }

    @Test func aLogFileOnAFullDiskFallsBackToStandardErrorOnceAndTasksStillRun() async throws {
        try await RedisServer.with { server in
            let (directory, file) = try Self.config(server, worker: #""log_file": "/dev/full", "log_level": "debug""#)
            let worker = try RunningProcess(["worker", "-c", file])
            let warning = try await worker.waitForLine(containing: "cannot write to log file")
            #expect(warning.contains("'/dev/full': No space left on device (ENOSPC); logging to standard error from now on"))
            try await worker.waitForLine(containing: "worker ready")
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            for n in 0..<20 {
                let id = try await system.kick("examples.add", args: [.int(n), 1])
                #expect(try await system.waitResult(id, timeout: .seconds(10)).returnValue == .int(n + 1))
            }
            _ = try await worker.waitFor("20 task lines on standard error") { lines in
                lines.filter { $0.contains("task succeeded") }.count >= 20 ? true : nil
            }
            #expect(worker.lines.filter { $0.contains("cannot write to log file") }.count == 1)
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
            try await system.shutdown()
            _ = directory
        }
    }
}

/// A log file that cannot be opened is a configuration error at `worker.log_file` (exit 2).
@Suite struct UnwritableLogFileTests {
    @Test(arguments: [
        ("/nonexistent-taskiq-dir/worker.log", "No such file or directory (ENOENT)"),
        ("/", "Is a directory (EISDIR)"),
    ])
    func anUnopenableLogFileIsAConfigError(_ path: String, _ reason: String) async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"}, "worker": {"log_file": "\(path)"}}
            """
        ])
        let output = try await TaskiqRunProcess.run(["check", "-c", directory.path("taskiq.json")])
        #expect(output.status == 2)
        #expect(
            output.stderr.contains("taskiq.json: worker.log_file: cannot open log file '\(path)' for appending: \(reason)"),
            "stderr: \(output.stderr)")
    }
}
