import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

extension SchedulerTests {
    @Suite struct LabelScheduleSourceTests {
        @Test func taskLabelsWinOverScheduleLabelsAndTheScheduleLabelIsDropped() async throws {
            let broker = InMemoryBroker()
            _ = broker.task(
                "exp7:sched",
                labels: [
                    "schedule": [
                        [
                            "cron": "*/5 * * * *", "args": [1], "cron_offset": "Europe/Berlin",
                            "labels": ["extra": 1, "priority": 9], "schedule_id": "fixed-id",
                        ],
                        ["interval": 30],
                        ["args": [2]],  // no trigger: skipped, as in taskiq
                    ],
                    "priority": 2,
                ]
            ) { (n: Int?) async throws in }
            _ = broker.task("plain") { () async throws in }
            let schedules = try await LabelScheduleSource(broker: broker).schedules()
            #expect(schedules.count == 2)
            let cron = try #require(schedules.first { $0.scheduleID == "fixed-id" })
            #expect(cron.taskName == "exp7:sched")
            #expect(cron.labels == ["extra": 1, "priority": 2])
            #expect(cron.args == [1])
            #expect(cron.trigger == (try Schedule.Trigger.cron("*/5 * * * *", timeZone: "Europe/Berlin")))
            let interval = try #require(schedules.first { $0.trigger == .interval(seconds: 30) })
            #expect(interval.labels == ["priority": 2])
            #expect(interval.labels["schedule"] == nil)
            let again = try await LabelScheduleSource(broker: broker).schedules()
            #expect(again.map(\.scheduleID) == schedules.map(\.scheduleID), "IDs without schedule_id are stable across starts")
        }

        @Test func invalidEntriesAreSkippedAtReadAndReportedByValidate() async throws {
            let broker = InMemoryBroker()
            _ = broker.task("bad", labels: ["schedule": [["cron": "0 25 * * *"], ["interval": 10]]]) { () async throws in }
            let source = LabelScheduleSource(broker: broker)
            #expect(try await source.schedules().map(\.trigger) == [.interval(seconds: 10)])
            #expect {
                try source.validate()
            } throws: { error in
                guard let error = error as? ScheduleError else { return false }
                return error.key == "schedule[0].cron" && error.message.hasPrefix("task 'bad': invalid cron expression '0 25 * * *'")
            }
        }

        @Test func labelSchedulesAreSentByTheScheduler() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            _ = h.broker.task("beat", labels: ["schedule": [["interval": 60, "labels": ["kind": "beat"]]], "priority": 2]) {
                () async throws in
            }
            let running = await h.start([LabelScheduleSource(broker: h.broker)])
            await h.advance(to: "2025-01-01T00:02:00Z")
            try await h.stop(running)
            #expect(h.recorder.times == ["2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z", "2025-01-01T00:02:00Z"])
            let message = try #require(h.recorder.sends.first?.message)
            #expect(message.orderedLabels.keys == ["kind", "priority", "schedule_id"])
        }
    }
}
