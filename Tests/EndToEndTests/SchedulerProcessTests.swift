import Foundation
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Schedules end to end through the built `taskiq-run`: the example worker's heartbeat, the
/// scheduler command, and `check` listing the schedules.
@Suite struct SchedulerProcessTests {
    @Test func theExampleWorkerShowsAHeartbeatAndStopsCleanly() async throws {
        let worker = try RunningProcess(["worker", "-c", "examples/taskiq.json"], environment: ["TASKIQ_LOG_LEVEL": "info"])
        // The heartbeat schedule is an interval, whose first send is at start.
        try await worker.waitForLine(containing: "sent examples.heartbeat (schedule ", seconds: 10)
        let beat = try await worker.waitFor("the heartbeat task's log line", seconds: 10) { lines in
            lines.first { $0.contains("heartbeat") && $0.contains("taskiq.task") }
        }
        #expect(beat.contains("task_name=examples.heartbeat"))
        worker.signal(SIGTERM)
        let status = try await worker.waitForExit(seconds: 30)
        #expect(status == 0, "\(worker.lines.joined(separator: "\n"))")
    }

    @Test func theSchedulerCommandSendsUntilSIGTERM() async throws {
        let scheduler = try RunningProcess(["scheduler", "-c", "examples/taskiq.json"], environment: ["TASKIQ_LOG_LEVEL": "info"])
        try await scheduler.waitForLine(containing: "scheduler ready; sending 2 schedules", seconds: 10)
        let sent = try await scheduler.waitForLine(containing: "sent examples.heartbeat (schedule ", seconds: 10)
        #expect(sent.contains(" as "))
        scheduler.signal(SIGTERM)
        let status = try await scheduler.waitForExit(seconds: 30)
        #expect(status == 0, "\(scheduler.lines.joined(separator: "\n"))")
    }

    @Test func schedulerHelpExitsZero() async throws {
        let output = try await TaskiqRunProcess.run(["scheduler", "--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("catch_up"))
    }

    @Test func checkListsTheSchedules() async throws {
        let output = try await TaskiqRunProcess.run(["check", "-c", "examples/taskiq.json"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("schedules (first fire times for a scheduler starting now):"))
        #expect(output.stdout.contains("examples.heartbeat every 5s, first "))
        #expect(output.stdout.contains(#"examples.echo cron "* * * * *" in Europe/Berlin, first "#))
    }

    @Test func aBrokenScheduleExitsTwoWithItsPath() async throws {
        let directory = try TemporaryConfigDirectory(files: [
            "broken.json": """
            {"broker": {"type": "inmemory"}, "schedules": [{"task": "examples.heartbeat", "cron": "0 25 * * *"}]}
            """
        ])
        let file = directory.path("broken.json")
        let output = try await TaskiqRunProcess.run(["scheduler", "-c", file])
        #expect(output.status == 2)
        #expect(output.stderr.hasPrefix("taskiq-run: \(file): schedules[0].cron: "))
        #expect(output.stderr.contains("field 'hour': value 25 is out of range 0-23"))
    }
}
