import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

extension SchedulerTests {
    @Suite struct DynamicScheduleTests {
        @Test func scheduledTaskRunsOnAnInMemoryBrokerAndItsResultIsAwaited() async throws {
            let clock = ManualClock(now: utc("2025-01-01T00:00:00Z"))
            let broker = InMemoryBroker()
            let ran = EventStream<Int>()
            let add = broker.task("math.add", parameters: ["a", "b"]) { (a: Int, b: Int) async throws -> Int in
                ran.send(a + b)
                return a + b
            }
            let source = InMemoryScheduleSource()
            let handle = try await add.schedule(
                .cron(try CronExpression("*/10 * * * *"), timeZone: .utc), 2, 3, taskID: "add-every-10", on: source)
            let scheduler = Scheduler(broker: broker, sources: [source], clock: clock)
            let running = Task { try await scheduler.run() }
            await clock.waitForSleepers()
            await clock.advance(to: utc("2025-01-01T00:10:00Z"))
            #expect(try await ran.first(1) == [5])
            let result = try await broker.resultBackend.waitResult("add-every-10", timeout: .seconds(10), withLogs: false)
            #expect(result.returnValue == 5)
            #expect(handle.schedule.args == [2, 3])
            running.cancel()
            try await withTimeout { try await running.value }
            await broker.waitAll()
        }

        @Test func typedSugarAndUnschedule() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let greet = h.broker.task("greet", labels: ["priority": 1]) { (name: String, times: Int) async throws in }
            let source = InMemoryScheduleSource()
            let cron = try await greet.schedule(
                cron: "0 * * * *", timeZone: "Europe/Berlin", "Ada", 2,
                labels: ["origin": "code"], on: source)
            let every = try await greet.schedule(every: 1800, "Bob", 1, on: source)
            let once = try await greet.schedule(at: utc("2025-01-01T00:45:00Z"), "Cy", 3, on: source)
            #expect(cron.schedule.labels == ["priority": 1, "origin": "code"])
            #expect(try await source.schedules().count == 3)
            let running = await h.start([source])
            await h.advance(to: "2025-01-01T01:00:00Z")
            try await every.unschedule()
            // Sends due at the same instant run concurrently, hence the sorted comparison.
            // Unscheduling takes effect at the next read of the source (every 60 s by default).
            await h.advance(to: "2025-01-01T03:00:00Z")
            try await h.stop(running)
            let sent = h.recorder.sends.map { "\(iso($0.time)) \($0.message.args[0].stringValue!)" }.sorted()
            #expect(
                sent == [
                    "2025-01-01T00:00:00Z Bob", "2025-01-01T00:30:00Z Bob", "2025-01-01T00:45:00Z Cy",
                    "2025-01-01T01:00:00Z Ada", "2025-01-01T01:00:00Z Bob",
                    "2025-01-01T02:00:00Z Ada", "2025-01-01T03:00:00Z Ada",
                ])
            #expect(try await source.schedules().map(\.scheduleID) == [cron.scheduleID], "the one-off left after its send")
            _ = once
        }

        @Test func sugarRejectsBadInput() async throws {
            let broker = InMemoryBroker()
            let job = broker.task("job") { () async throws in }
            let source = InMemoryScheduleSource()
            await #expect(throws: ScheduleError.self) { try await job.schedule(cron: "* * *", on: source) }
            await #expect(throws: ScheduleError.self) { try await job.schedule(every: 0, on: source) }
            await #expect(throws: ScheduleError.self) {
                try await job.schedule(every: 5, on: LabelScheduleSource(broker: broker))
            }
        }
    }
}
