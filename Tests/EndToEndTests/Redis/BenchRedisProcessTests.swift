import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqDiagnostics

/// `taskiq-run bench` against a real redis-server and real worker processes: depth mode queues
/// every task before any worker runs (the server's memory grows), then two workers drain them all;
/// open-loop mode reads every result back. Both over plain TCP and over TLS (`rediss://`).
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct BenchRedisProcessTests {
    static func config(_ server: RedisServer) throws -> (TemporaryConfigDirectory, String) {
        let directory = try TemporaryConfigDirectory(files: [
            "bench.json": """
            {"broker": {"type": "redis_stream", "url": "\(server.url)", "queue_name": "bench"},
             "result_backend": {"type": "redis", "url": "\(server.url)"},
             "worker": {"workers": 1, "max_async_tasks": 20, "shutdown_timeout": 10}}
            """
        ])
        return (directory, directory.path("bench.json"))
    }

    static func json(_ stdout: String) throws -> JSONObject {
        try #require(try JSONParser().parse(stdout.trimmingCharacters(in: .whitespacesAndNewlines)).objectValue)
    }

    @Test(arguments: RedisServer.Transport.allCases.filter(\.isAvailable))
    func depthQueuesEverythingThenTwoWorkersDrainIt(transport: RedisServer.Transport) async throws {
        try await RedisServer.with(tls: transport.serverTLS()) { server in
            let (directory, file) = try Self.config(server)
            _ = directory
            let run = try await TaskiqRunProcess.run([
                "bench", "-c", file, "--mode", "depth", "-n", "2000", "-w", "2",
                "--payload", "100", "--json",
            ])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let object = try Self.json(run.stdout)
            #expect(object["completed"] == .int(2000))
            #expect(object["drops"] == .int(0))
            // 2000 entries of at least the 100-byte payload each were held by the server.
            let perTask = try #require(object["broker_bytes_per_queued_task"]?.doubleValue)
            #expect(perTask > 100)
            #expect((object["drain_per_s"]?.doubleValue ?? 0) > 0)
            #expect((object["notes"]?.arrayValue ?? []).contains { $0.stringValue?.contains("2 worker processes") == true })
            #expect((object["worker_peak_rss_mb"]?.doubleValue ?? 0) > 0)
        }
    }

    @Test(arguments: RedisServer.Transport.allCases.filter(\.isAvailable))
    func openLoopReadsEveryResultBack(transport: RedisServer.Transport) async throws {
        try await RedisServer.with(tls: transport.serverTLS()) { server in
            let (directory, file) = try Self.config(server)
            _ = directory
            let run = try await TaskiqRunProcess.run([
                "bench", "-c", file, "--mode", "open-loop", "--rate", "500", "-n", "200",
                "--json",
            ])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let object = try Self.json(run.stdout)
            #expect(object["completed"] == .int(200))
            #expect(object["errors"] == .int(0))
            #expect(object["p999_ms"]?.doubleValue != nil)
        }
    }
}
