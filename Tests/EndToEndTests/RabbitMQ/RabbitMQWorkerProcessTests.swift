import Foundation
import Taskiq
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

/// `taskiq-run worker` processes on the `rabbitmq` broker against a real rabbitmq-server: a
/// worker killed with SIGKILL while 300 tasks run in it loses none of them.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct RabbitMQWorkerProcessTests {
    /// Task IDs of the worker's "task started" debug lines, with repeats.
    static func started(_ lines: [String]) -> [String] {
        lines.filter { $0.contains("task started") }.compactMap { line in
            guard let start = line.range(of: "task_id=") else { return nil }
            return String(line[start.upperBound...].prefix { $0.isHexDigit })
        }
    }

    @Test func aWorkerKilledWith300TasksInFlightLosesNone() async throws {
        let url = try await RabbitMQServer.shared().virtualHost()
        // qos and max_async_tasks of 300: the first worker takes and starts every task at once.
        let directory = try TemporaryConfigDirectory(files: [
            "rabbitmq.json": """
            {"broker": {"type": "rabbitmq", "url": "\(url)", "qos": 300},
             "result_backend": {"type": "dummy"},
             "tasks": {"modules": ["examples"]},
             "worker": {"workers": 1, "max_async_tasks": 300, "shutdown_timeout": 20, "log_level": "debug"}}
            """
        ])
        let file = directory.path("rabbitmq.json")
        // Everything is queued before the first worker starts, so it takes all 300 in one go; 20 s
        // each: none can finish between the last one starting and the kill, even on a loaded
        // machine (10 s tasks kicked into a running worker finished before the 300th started in CI).
        let system = try TaskiqSystem.load(file, modules: [ExampleTasks.module], environment: [:])
        try await system.startup()
        let kicked = Set(try await RedisWorkerProcessTests.kick(system, count: 300, seconds: 20))
        #expect(kicked.count == 300)
        let first = try RunningProcess(["worker", "-c", file])
        _ = try await first.waitFor("all 300 running in the first worker", seconds: 60) { lines in
            Set(Self.started(lines)).count >= 300 ? true : nil
        }
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        let finishedBeforeKill = RedisWorkerProcessTests.succeeded(first.lines)
        #expect(finishedBeforeKill.isEmpty, "all 300 were in flight when the worker died")

        // The server hands the unacknowledged deliveries of the dead connection to the next worker.
        let second = try RunningProcess(["worker", "-c", file])
        let done = try await second.waitFor("all 300 done on the second worker", seconds: 90) { lines -> [String]? in
            let done = RedisWorkerProcessTests.succeeded(lines)
            return kicked.isSubset(of: Set(done)) ? done : nil
        }
        #expect(Set(done) == kicked, "0 lost, nothing unknown")
        #expect(done.count == Set(done).count, "each ran once on the second worker")
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
        try await system.shutdown()
        _ = directory
    }
}
