import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqDiagnostics

@Suite struct BenchTests {
    @Test(
        arguments: [
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

    @Test(
        arguments: [
            (999, 1000, 999), (999, 10_000, 9_990), (999, 100, 100), (999, 1, 1), (500, 10, 5), (1000, 7, 7), (1, 1000, 1),
        ] as [(Int, Int, Int)])
    func nearestRankPerMille(perMille: Int, count: Int, expected: Int) {
        #expect(LatencySummary.nearestRank(perMille: perMille, of: Array(1...count)) == expected)
    }

    @Test func summaryOfUnsortedSamples() throws {
        let samples: [UInt64] = (1...1000).reversed().map { $0 * 1000 }  // 1 µs … 1 ms
        let summary = try #require(LatencySummary(nanoseconds: samples))
        #expect(summary.count == 1000)
        #expect(summary.p50 == .microseconds(500))
        #expect(summary.p90 == .microseconds(900))
        #expect(summary.p99 == .microseconds(990))
        #expect(summary.p999 == .microseconds(999))
        #expect(summary.max == .milliseconds(1))
        #expect(LatencySummary(nanoseconds: []) == nil)
    }

    @Test func jsonReportHasTheDocumentedFields() throws {
        var report = BenchReport(
            broker: "inmemory", mode: "throughput", tasks: 200, concurrency: 4, payloadBytes: 32, seconds: 0.5,
            completed: 199, errors: 1, drops: 0, latency: LatencySummary(nanoseconds: [1_000, 2_000, 3_000_000]),
            sendSeconds: nil, cpuSeconds: 0.25, selfPeakRSSBytes: 10 << 20, workerPeakRSSBytes: 0)
        let object = try #require(report.json.objectValue)
        for key in [
            "tasks", "seconds", "tasks_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms", "errors", "drops",
            "cpu_s", "peak_rss_mb",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["tasks"] == .int(200))
        #expect(object["tasks_per_s"]?.doubleValue == 398)
        #expect(object["p50_ms"]?.doubleValue == 0.002)
        #expect(object["max_ms"]?.doubleValue == 3)
        #expect(object["peak_rss_mb"]?.doubleValue == 10)
        #expect(object["send_seconds"] == nil)
        #expect(object["p999_ms"]?.doubleValue == 3)
        #expect(object["target_rate_per_s"] == nil && object["drain_per_s"] == nil)

        report.latency = nil
        report.sendSeconds = 0.25
        let counted = try #require(report.json.objectValue)
        #expect(counted["p50_ms"] == .null)
        #expect(counted["sent_per_s"]?.doubleValue == 800)
        #expect(report.text.contains("latency      not measured"))

        report.mode = "depth"
        report.depth = BenchDepth(
            memoryBeforeBytes: 1000, memoryQueuedBytes: 21_000, queuedTasks: 100, drainSeconds: 0.5,
            drained: 100)
        report.targetRate = 250
        let depth = try #require(report.json.objectValue)
        #expect(depth["broker_bytes_per_queued_task"]?.doubleValue == 200)
        #expect(depth["broker_memory_queued_bytes"] == .int(21_000))
        #expect(depth["drain_per_s"]?.doubleValue == 200)
        #expect(depth["target_rate_per_s"]?.doubleValue == 250)
        #expect(report.text.contains("200 bytes per queued task"))
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

    @Test func openLoopDepthAndWorkersOptions() throws {
        let open = try Self.parse(["--mode", "open-loop", "--rate", "2500.5", "-n", "100", "--concurrency", "8"])
        #expect(open == BenchOptions(tasks: 100, concurrency: 8, mode: .openLoop, rate: 2500.5))
        #expect(open.effectiveConcurrency == 1)
        let depth = try Self.parse(["--mode", "depth", "-w", "2"])
        #expect(depth.mode == .depth && depth.workers == 2 && depth.rate == nil)
        #expect(try Self.parse([]).workers == nil)
        let pid = try Self.parse(["--mode", "depth", "--broker-pid", "7"])
        #expect(pid.mode == .depth && pid.brokerPID == 7)
        #expect(try Self.parse(["--mode", "depth"]).brokerPID == nil)
    }

    @Test(arguments: [
        ["-n", "0"], ["-n", "x"], ["--concurrency", "-1"], ["--payload", "-5"], ["--mode", "fast"], ["--tasks"],
        ["--mode", "open-loop"], ["--rate", "100"], ["--mode", "open-loop", "--rate", "0"],
        ["--mode", "open-loop", "--rate", "-3"], ["--mode", "open-loop", "--rate", "nan"], ["--workers", "0"],
        ["chart"], ["chart", "--input", "a.json"], ["draw", "--input", "a", "--output", "b"], ["--input", "a.json"],
        ["--broker-pid", "5"], ["--mode", "depth", "--broker-pid", "0"], ["--mode", "depth", "--broker-pid", "x"],
    ])
    func optionsRejectNonsense(arguments: [String]) {
        #expect(throws: CommandLineError.self) { try Self.parse(arguments) }
    }

    @Test func openLoopNeedsARate() {
        let error = #expect(throws: CommandLineError.self) { try Self.parse(["--mode", "open-loop"]) }
        #expect(error?.message == "'--mode open-loop' needs '--rate', the tasks to kick per second")
    }

    @Test func chartDrawsAResultFileWithoutAConfiguration() async throws {
        let directory = NSTemporaryDirectory() + "bench-chart-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/payload.json"
        let output = directory + "/payload.svg"
        let result =
            #"{"charts": [{"title": "Throughput & size", "x_scale": "log", "series": [{"name": "Swift", "points": [[100, 9000], [10240, 8000]]}]}]}"#
        #expect(FileManager.default.createFile(atPath: input, contents: Data(result.utf8)))
        let run = try await TaskiqRunProcess.run(["bench", "chart", "--input", input, "--output", output])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let svg = try String(contentsOfFile: output, encoding: .utf8)
        #expect(svg.hasPrefix("<svg ") && svg.contains("Throughput &amp; size") && svg.contains("<polyline"))

        let missing = try await TaskiqRunProcess.run(["bench", "chart", "--input", directory + "/none.json", "--output", output])
        #expect(missing.status == 2 && missing.stderr.contains("cannot read"))
    }

    @Test func openLoopRunsEndToEndAndReportsTheTail() async throws {
        let output = try await TaskiqRunProcess.run([
            "bench", "-c", TestPaths.example("taskiq.json"), "-n", "200",
            "--mode", "open-loop", "--rate", "2000", "--json",
        ])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let object = try #require(try JSONParser().parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).objectValue)
        #expect(object["mode"] == .string("open-loop"))
        #expect(object["completed"] == .int(200))
        #expect(object["target_rate_per_s"]?.doubleValue == 2000)
        let p99 = try #require(object["p99_ms"]?.doubleValue)
        let p999 = try #require(object["p999_ms"]?.doubleValue)
        #expect(p999 >= p99)
        // 200 tasks due over 0.1 s: the schedule cannot finish kicking before the last one is due.
        #expect((object["send_seconds"]?.doubleValue ?? 0) >= 0.099)
    }

    @Test func depthAndWorkersNeedAWorkerBroker() async throws {
        let depth = try await TaskiqRunProcess.run(["bench", "-c", TestPaths.example("taskiq.json"), "--mode", "depth"])
        #expect(depth.status == 2 && depth.stderr.contains("the in-memory broker runs tasks in this process"))
        let workers = try await TaskiqRunProcess.run(["bench", "-c", TestPaths.example("taskiq.json"), "-w", "2"])
        #expect(workers.status == 2 && workers.stderr.contains("'--workers' starts worker processes"))
    }

    @Test func brokerPIDAppliesToDepthModeOnly() {
        let error = #expect(throws: CommandLineError.self) { try Self.parse(["--broker-pid", "5"]) }
        #expect(error?.message == "'--broker-pid' applies to '--mode depth' only")
    }

    @Test func depthOnAServerOtherThanRedisNeedsItsProcess() async throws {
        let run = try await TaskiqRunProcess.run(["bench", "-c", TestPaths.example("taskiq.zmq.json"), "--mode", "depth"])
        #expect(run.status == 2, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("a zeromq broker needs '--broker-pid PID'"), "stderr: \(run.stderr)")
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
        let output = try await TaskiqRunProcess.run([
            "bench", "-c", TestPaths.example("taskiq.json"), "-n", "50",
            "--mode", mode, "--json",
        ])
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
        let output = try await TaskiqRunProcess.run([
            "bench", "-c", TestPaths.example("taskiq.json"), "-n", "100000",
            "--mode", "memory", "--json",
        ])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let value = try JSONParser().parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let object = try #require(value.objectValue)
        #expect(object["completed"] == .int(100_000))
        let perTask = try #require(object["bytes_per_queued_task"]?.doubleValue)
        #expect(perTask <= 1024, "\(perTask) bytes per queued task")
    }

    @Test func memoryModeNeedsTheInMemoryBroker() async throws {
        let output = try await TaskiqRunProcess.run([
            "bench", "-c", TestPaths.example("taskiq.zmq.json"), "-n", "5",
            "--mode", "memory",
        ])
        #expect(output.status == 2)
        #expect(output.stderr.contains("needs the in-memory broker"))
    }
}
