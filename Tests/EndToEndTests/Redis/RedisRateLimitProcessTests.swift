import Foundation
import Taskiq
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// Two `taskiq-run worker` processes on one Redis stream share one rate limit declared in the
/// config (`worker.rate_limits`): 100 tasks at 20/s start, together, at 20/s (within 10%),
/// not at 20/s per process. And `taskiq-run kick --label unique_for=…` run twice prints one ID.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage), .serialized)
struct RedisRateLimitProcessTests {
    /// `(task ID, start time)` of each "task started" debug line.
    static func starts(_ lines: [String]) -> [String: Date] {
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var starts: [String: Date] = [:]
        for line in lines where line.contains("task started") {
            guard let idStart = line.range(of: "task_id=") else { continue }
            let id = String(line[idStart.upperBound...].prefix { $0.isHexDigit })
            guard let stamp = line.split(separator: " ").first, let date = parser.date(from: String(stamp)) else { continue }
            starts[id] = date
        }
        return starts
    }

    @Test func kickingAUniqueTaskTwiceFromTheShellPrintsTheFirstID() async throws {
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "redis.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)"}, "tasks": {"modules": ["examples"]}}
                """
            ])
            let file = directory.path("redis.json")
            let kick = ["kick", "-c", file, "examples.add", "1", "2", "--label", "unique_for=60"]
            let first = try await TaskiqRunProcess.run(kick)
            let second = try await TaskiqRunProcess.run(kick)
            let other = try await TaskiqRunProcess.run(["kick", "-c", file, "examples.add", "1", "3", "--label", "unique_for=60"])
            #expect(first.status == 0 && second.status == 0, "\(first.stderr) \(second.stderr)")
            let id = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!id.isEmpty)
            #expect(second.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == id)
            #expect(other.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != id)
            let refused = try await TaskiqRunProcess.run(kick + ["--label", #"unique_on_duplicate="refuse""#])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(id), "\(refused.stderr)")
        }
    }

    @Test func twoWorkerProcessesTogetherKeepTheLimit() async throws {
        try await RedisServer.with { server in
            let directory = try TemporaryConfigDirectory(files: [
                "redis.json": """
                {"broker": {"type": "redis_stream", "url": "\(server.url)", "xread_block": 500, "xread_count": 50,
                            "lease_ttl": 1, "lease_renew_interval": 0.2},
                 "result_backend": {"type": "dummy"},
                 "tasks": {"modules": ["examples"]},
                 "worker": {"workers": 1, "max_async_tasks": 10, "shutdown_timeout": 10, "log_level": "debug",
                            "rate_limits": [{"task": "examples.sleep", "limit": "20/s"}]}}
                """
            ])
            let file = directory.path("redis.json")
            // The backlog is in the stream before either worker starts (their group reads from
            // 0), so the measured rate is the limiter's, not how fast a loaded test process kicks.
            let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
            try await system.startup()
            var kicked: Set<String> = []
            for _ in 0..<100 { kicked.insert(try await system.kick("examples.sleep", args: [.double(0.001)])) }
            try await system.shutdown()
            let expected = kicked
            let workers = try [RunningProcess(["worker", "-c", file]), RunningProcess(["worker", "-c", file])]
            for worker in workers { try await worker.waitForLine(containing: "worker ready") }
            // Each worker's lines: wait until both together started every task.
            try await eventually("100 tasks started", seconds: 90, every: .milliseconds(100)) {
                let started = Set(Self.starts(workers[0].lines).keys).union(Self.starts(workers[1].lines).keys)
                return expected.isSubset(of: started)
            }
            let perWorker = workers.map { Self.starts($0.lines) }
            let all = perWorker[0].merging(perWorker[1]) { first, _ in first }.values.sorted()
            let span = try #require(all.last).timeIntervalSince(try #require(all.first))
            let rate = Double(all.count - 1) / span
            print("two worker processes, \(all.count) tasks at 20/s: \(rate)/s over \(span)s; per worker \(perWorker.map(\.count))")
            #expect(all.count == 100)
            #expect(rate <= 22, "never more than 10% above the limit: \(rate)/s")
            #expect(rate >= 18, "within 10% below the limit: \(rate)/s")
            #expect(perWorker.allSatisfy { !$0.isEmpty }, "both processes ran tasks: \(perWorker.map(\.count))")
            for worker in workers { worker.signal(SIGTERM) }
            for worker in workers { #expect(try await worker.waitForExit() == 0) }
        }
    }
}
