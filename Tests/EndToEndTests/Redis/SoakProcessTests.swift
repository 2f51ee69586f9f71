import Foundation
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqDiagnostics

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run soak` against a real redis-server and a real worker process: a clean run passes
/// with every task recorded, and the verdict comes from the workers' records, not the results.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct SoakProcessTests {
    static func config(_ server: RedisServer) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "soak.json": """
            {"broker": {"type": "redis_stream", "url": "\(server.url)", "queue_name": "soak", "xread_block": 500,
                        "lease_ttl": 1, "lease_renew_interval": 0.2},
             "result_backend": {"type": "redis", "url": "\(server.url)", "keep_results": false},
             "worker": {"workers": 1, "max_async_tasks": 20, "shutdown_timeout": 10}}
            """
        ])
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("records"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        return (directory, directory.path("soak.json"))
    }

    @Test func aCleanRunRecordsEveryTaskAndPasses() async throws {
        try await RedisServer.with { server in
            let (directory, file) = try Self.config(server)
            let records = directory.path("records")
            let worker = try RunningProcess(["worker", "-c", file], environment: [SoakRecorder.directoryVariable: records])
            try await worker.waitForLine(containing: "worker ready")
            let run = try await TaskiqRunProcess.run(["soak", "-c", file, "--records", records, "-n", "300", "--concurrency", "16"])
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(run.stdout.hasPrefix("soak: PASS\n"))
            #expect(run.stdout.contains("executed    300 distinct sequence numbers in 1 record files"))
            #expect(run.stdout.contains("lost        0\n"))
            let recorded = try String(contentsOfFile: SoakRecorder.path(directory: records, pid: worker.pid), encoding: .utf8)
            #expect(Set(recorded.split(separator: "\n")) == Set((0..<300).map { Substring(String($0)) }))
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
        }
    }

    @Test func tasksWithResultsButNoRecordCountAsLost() async throws {
        // The worker records in one directory and the soak reads another: every result arrives,
        // yet nothing is recorded where the soak looks, so it must report every task lost.
        try await RedisServer.with { server in
            let (directory, file) = try Self.config(server)
            let worker = try RunningProcess(
                ["worker", "-c", file],
                environment: [SoakRecorder.directoryVariable: directory.path("elsewhere")])
            try await worker.waitForLine(containing: "worker ready")
            let run = try await TaskiqRunProcess.run([
                "soak", "-c", file, "--records", directory.path("records"), "-n", "50",
                "--drain-seconds", "0",
            ])
            #expect(run.status == 1)
            #expect(run.stdout.hasPrefix("soak: FAIL\n"))
            #expect(run.stdout.contains("results     50 ok"))
            #expect(run.stdout.contains("lost        50 (e.g. 0, 1, 2"))
            #expect(run.stdout.contains("FAIL: 50 kicked tasks were never executed"))
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0)
        }
    }

    @Test func refusesABrokerThatRunsTasksInProcess() async throws {
        let directory = try TemporaryConfigDirectory(files: ["memory.json": #"{"broker": {"type": "inmemory"}}"#])
        let run = try await TaskiqRunProcess.run(["soak", "-c", directory.path("memory.json"), "--records", directory.url.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("soak measures worker processes"))
    }
}
