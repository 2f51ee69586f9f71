import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqDiagnostics

/// `taskiq-run bench --mode depth` on JetStream against a real nats-server and a real worker
/// process: every task is stored in the stream before the worker starts, the server process's
/// resident memory (`--broker-pid`) is the broker's memory, then the worker drains them all.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage), .serialized)
struct BenchNATSProcessTests {
    @Test func depthQueuesEverythingInTheStreamThenAWorkerDrainsIt() async throws {
        try await NATSServer.with { server in
            let pid = try #require(server.processIdentifier)
            let directory = try TemporaryConfigDirectory(files: [
                "bench.json": """
                {"broker": {"type": "nats_jetstream", "url": "\(server.url)", "retention": "workqueue", "batch": 64},
                 "result_backend": {"type": "dummy"},
                 "worker": {"workers": 1, "max_async_tasks": 50, "shutdown_timeout": 10}}
                """
            ])
            let run = try await TaskiqRunProcess.run([
                "bench", "-c", directory.path("bench.json"), "--mode", "depth", "-n", "3000",
                "--payload", "1000", "--broker-pid", "\(pid)", "--json",
            ])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let object = try #require(try JSONParser().parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).objectValue)
            #expect(object["completed"] == .int(3000))
            #expect(object["drops"] == .int(0))
            #expect((object["drain_per_s"]?.doubleValue ?? 0) > 0)
            #expect(object["broker_bytes_per_queued_task"]?.doubleValue != nil)
            let notes = (object["notes"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(notes.contains { $0.contains("resident memory (VmRSS) of the server's process \(pid)") }, "notes: \(notes)")
        }
    }

    @Test func depthNamesAProcessThatIsNotThere() async throws {
        try await NATSServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "bench.json": """
                {"broker": {"type": "nats_jetstream", "url": "\(server.url)"}, "result_backend": {"type": "dummy"}}
                """
            ])
            // Beyond Linux's largest pid (4194304): no such process can exist.
            let run = try await TaskiqRunProcess.run([
                "bench", "-c", directory.path("bench.json"), "--mode", "depth", "-n", "10", "--broker-pid", "99999999",
            ])
            #expect(run.status != 0)
            #expect(run.status == 2, "a bad option exits 2")
            #expect(run.stderr.contains("--broker-pid 99999999: cannot read /proc/99999999/status"), "stderr: \(run.stderr)")
        }
    }
}
