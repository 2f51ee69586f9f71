import Foundation
import TaskiqTestSupport
import Taskiq
import Testing
@testable import TaskiqConfig
@testable import TaskiqDiagnostics

@Suite struct BenchTests {
    @Test(arguments: [
        (50, 7, [UInt64(7)]),
        (99, 7, [7]),
        (50, 5, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        (90, 9, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        (99, 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        (100, 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        (1, 1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        (50, 2, [1, 2, 3]),
        (51, 3, [4, 3, 2, 1].sorted()),
    ] as [(Int, UInt64, [UInt64])])
    func nearestRankPercentiles(percent: Int, expected: UInt64, sorted: [UInt64]) {
        #expect(LatencySummary.nearestRank(percent, of: sorted) == expected)
    }

    @Test func summaryOfUnsortedSamples() throws {
        let samples: [UInt64] = (1...1000).reversed().map { $0 * 1000 }    // 1 µs … 1 ms
        let summary = try #require(LatencySummary(nanoseconds: samples))
        #expect(summary.count == 1000)
        #expect(summary.p50 == .microseconds(500))
        #expect(summary.p90 == .microseconds(900))
        #expect(summary.p99 == .microseconds(990))
        #expect(summary.max == .milliseconds(1))
        #expect(LatencySummary(nanoseconds: []) == nil)
    }

    @Test func jsonReportHasTheDocumentedFields() throws {
        var report = BenchReport(
            broker: "inmemory", mode: "throughput", tasks: 200, concurrency: 4, payloadBytes: 32, seconds: 0.5,
            completed: 199, errors: 1, drops: 0, latency: LatencySummary(nanoseconds: [1_000, 2_000, 3_000_000]),
            sendSeconds: nil, cpuSeconds: 0.25, selfPeakRSSBytes: 10 << 20, workerPeakRSSBytes: 0)
        let object = try #require(report.json.objectValue)
        for key in ["tasks", "seconds", "tasks_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms", "errors", "drops",
                    "cpu_s", "peak_rss_mb"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["tasks"] == .int(200))
        #expect(object["tasks_per_s"]?.doubleValue == 398)
        #expect(object["p50_ms"]?.doubleValue == 0.002)
        #expect(object["max_ms"]?.doubleValue == 3)
        #expect(object["peak_rss_mb"]?.doubleValue == 10)
        #expect(object["send_seconds"] == nil)

        report.latency = nil
        report.sendSeconds = 0.25
        let counted = try #require(report.json.objectValue)
        #expect(counted["p50_ms"] == .null)
        #expect(counted["sent_per_s"]?.doubleValue == 800)
        #expect(report.text.contains("latency      not measured"))
    }

    @Test func workerReportRoundTripsThroughItsFile() throws {
        let path = NSTemporaryDirectory() + "bench-report-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = BenchWorkerReport(executed: 5, lastCompletionNanoseconds: 42, failed: 1, received: 7)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(report.encoded)))
        #expect(BenchWorkerReport(contentsOf: path) == report)
        #expect(BenchWorkerReport(contentsOf: path + ".missing") == nil)
    }

    private static func parse(_ arguments: [String]) throws -> BenchOptions {
        try BenchCommand.parse(arguments).parameters
    }

    @Test func optionsDefaultsAndOverrides() throws {
        #expect(try Self.parse([]) == BenchOptions())
        let options = try Self.parse(["-n", "200", "--concurrency", "8", "--payload", "0", "--mode", "latency", "--json"])
        #expect(options == BenchOptions(tasks: 200, concurrency: 8, payloadBytes: 0, mode: .latency, json: true))
        #expect(options.effectiveConcurrency == 1)
        #expect(try Self.parse(["-n", "3", "--concurrency", "10"]).effectiveConcurrency == 3)
    }

    @Test(arguments: [
        ["-n", "0"], ["-n", "x"], ["--concurrency", "-1"], ["--payload", "-5"], ["--mode", "fast"], ["--tasks"],
    ])
    func optionsRejectNonsense(arguments: [String]) {
        #expect(throws: CommandLineError.self) { try Self.parse(arguments) }
    }

    @Test func benchRunsEndToEndAgainstTheExampleConfig() async throws {
        let output = try await TaskiqRunProcess.run(["bench", "-c", TestPaths.example("taskiq.json"), "-n", "200", "--json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let value = try JSONParser().parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let object = try #require(value.objectValue)
        #expect(object["tasks"] == .int(200))
        #expect(object["completed"] == .int(200))
        #expect(object["errors"] == .int(0))
        #expect(object["drops"] == .int(0))
        #expect((object["p50_ms"]?.doubleValue ?? -1) >= 0)
        #expect(object["broker"] == .string("inmemory"))
    }

    @Test(arguments: ["latency", "memory"])
    func otherModesRunEndToEnd(mode: String) async throws {
        let output = try await TaskiqRunProcess.run(["bench", "-c", TestPaths.example("taskiq.json"), "-n", "50",
                                                     "--mode", mode, "--json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let value = try JSONParser().parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let object = try #require(value.objectValue)
        #expect(object["completed"] == .int(50))
        #expect(object["concurrency"] == .int(1) || mode == "memory")
        #expect((object["bytes_per_queued_task"] != nil) == (mode == "memory"))
    }

    /// A queued task is its message bytes in a buffer, not a suspended task: 100k tasks kicked
    /// behind `max_async_tasks` held runners grow the process by at most 1 KiB each (9.9 KB when
    /// each kick was a task of its own). The bench measures it in a process of its own, so no
    /// other test's allocations count.
    @Test func a100kBacklogCostsAtMostOneKibibytePerQueuedTask() async throws {
        let output = try await TaskiqRunProcess.run(["bench", "-c", TestPaths.example("taskiq.json"), "-n", "100000",
                                                     "--mode", "memory", "--json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let value = try JSONParser().parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let object = try #require(value.objectValue)
        #expect(object["completed"] == .int(100_000))
        let perTask = try #require(object["bytes_per_queued_task"]?.doubleValue)
        #expect(perTask <= 1024, "\(perTask) bytes per queued task")
    }

    @Test func memoryModeNeedsTheInMemoryBroker() async throws {
        let output = try await TaskiqRunProcess.run(["bench", "-c", TestPaths.example("taskiq.zmq.json"), "-n", "5",
                                                     "--mode", "memory"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("needs the in-memory broker"))
    }
}
