import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

extension SchedulerTests {
    @Suite struct SchedulerLoopTests {
        @Test func cronScheduleSendsAtEverySlotWithTheScheduleIDLabel() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let schedule = tick(try .cron("*/15 * * * *"), id: "quarter")
            let running = await h.start([InMemoryScheduleSource([schedule])])
            await h.advance(to: "2025-01-01T01:00:00Z")
            try await h.stop(running)
            #expect(
                h.recorder.times == [
                    "2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z",
                    "2025-01-01T00:45:00Z", "2025-01-01T01:00:00Z",
                ])
            let message = try #require(h.recorder.sends.first?.message)
            #expect(message.taskName == "tick")
            #expect(message.labels["schedule_id"] == "quarter")
            #expect(Set(h.recorder.sends.map(\.message.taskID)).count == 4, "a fresh task ID per send")
        }

        @Test func cronScheduleFollowsItsTimeZoneAcrossSpringForward() async throws {
            let h = SchedulerHarness(start: "2025-03-29T00:00:00Z")
            let running = await h.start([InMemoryScheduleSource([tick(try .cron("30 2 * * *", timeZone: "Europe/Berlin"))])])
            await h.advance(to: "2025-04-01T00:00:00Z")
            try await h.stop(running)
            #expect(h.recorder.times == ["2025-03-29T01:30:00Z", "2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z"])
        }

        @Test func intervalFiresAtOnceThenEveryInterval() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let running = await h.start([InMemoryScheduleSource([tick(.interval(seconds: 30), taskID: "fixed")])])
            #expect(h.recorder.times == ["2025-01-01T00:00:00Z"], "the first send happens as soon as the schedule is seen")
            await h.advance(to: "2025-01-01T00:01:35Z")
            try await h.stop(running)
            #expect(
                h.recorder.times == [
                    "2025-01-01T00:00:00Z", "2025-01-01T00:00:30Z",
                    "2025-01-01T00:01:00Z", "2025-01-01T00:01:30Z",
                ])
            #expect(h.recorder.sends.allSatisfy { $0.message.taskID == "fixed" }, "a fixed task ID is reused")
        }

        @Test func oneOffFiresOnceWhenDueAndLeavesTheSource() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let source = InMemoryScheduleSource([
                tick(.once(utc("2025-01-01T00:10:00Z")), id: "later"),
                tick(.once(utc("2024-12-31T00:00:00Z")), id: "past"),
            ])
            let running = await h.start([source])
            #expect(h.recorder.times == ["2025-01-01T00:00:00Z"], "a one-off already past is sent at once")
            await h.advance(to: "2025-01-01T02:00:00Z")
            try await h.stop(running)
            #expect(h.recorder.times == ["2025-01-01T00:00:00Z", "2025-01-01T00:10:00Z"])
            #expect(h.recorder.sends.map { $0.message.labels["schedule_id"] } == ["past", "later"])
            #expect(try await source.schedules().isEmpty, "sent one-offs are removed from the in-memory source")
        }

        @Test func oneOffIsNotSentAgainAfterARestartEvenIfItsSourceKeepsIt() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let schedule = tick(.once(utc("2025-01-01T00:10:00Z")))
            let first = await h.start([StaticSource(schedules: [schedule])])
            await h.advance(to: "2025-01-01T00:20:00Z")
            try await h.stop(first)
            let second = await h.start([StaticSource(schedules: [schedule])])
            await h.advance(to: "2025-01-01T01:00:00Z")
            try await h.stop(second)
            #expect(h.recorder.times == ["2025-01-01T00:10:00Z"])
        }

        @Test func restartAtTheInstantOfTheLastSlotDoesNotResendIt() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let schedules = [tick(try .cron("*/15 * * * *")), tick(.interval(seconds: 600))]
            let first = await h.start([InMemoryScheduleSource(schedules)])
            await h.advance(to: "2025-01-01T00:30:00Z")
            try await h.stop(first)
            let second = await h.start([InMemoryScheduleSource(schedules)])
            await h.advance(to: "2025-01-01T00:45:00Z")
            try await h.stop(second)
            let cron = h.recorder.sends.filter { $0.message.labels["schedule_id"] == .string(schedules[0].scheduleID) }
            let interval = h.recorder.sends.filter { $0.message.labels["schedule_id"] == .string(schedules[1].scheduleID) }
            #expect(cron.map { iso($0.time) } == ["2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z", "2025-01-01T00:45:00Z"])
            #expect(
                interval.map { iso($0.time) } == [
                    "2025-01-01T00:00:00Z", "2025-01-01T00:10:00Z",
                    "2025-01-01T00:20:00Z", "2025-01-01T00:30:00Z",
                    "2025-01-01T00:40:00Z",
                ],
                "the interval keeps its grid over the restart instead of firing at once")
        }

        @Test(arguments: [
            (CatchUpPolicy.skip, ["2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z", "2025-01-01T02:15:00Z"]),
            (
                CatchUpPolicy.runOnce,
                [
                    "2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z",
                    "2025-01-01T02:10:00Z", "2025-01-01T02:15:00Z",
                ]
            ),
        ])
        func cronCatchUpAfterDowntime(policy: CatchUpPolicy, expected: [String]) async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let schedule = tick(try .cron("*/15 * * * *"))
            let first = await h.start([InMemoryScheduleSource([schedule])])
            await h.advance(to: "2025-01-01T00:30:00Z")
            try await h.stop(first)
            await h.advance(to: "2025-01-01T02:10:00Z")  // down for 1 h 40 min: six slots missed
            let second = await h.start([InMemoryScheduleSource([schedule])], catchUp: policy)
            await h.advance(to: "2025-01-01T02:20:00Z")
            try await h.stop(second)
            #expect(h.recorder.times == expected)
        }

        @Test(arguments: [
            (CatchUpPolicy.skip, ["2025-01-01T00:00:00Z", "2025-01-01T00:10:00Z", "2025-01-01T00:50:00Z"]),
            (
                CatchUpPolicy.runOnce,
                [
                    "2025-01-01T00:00:00Z", "2025-01-01T00:10:00Z",
                    "2025-01-01T00:45:00Z", "2025-01-01T00:55:00Z",
                ]
            ),
        ])
        func intervalCatchUpAfterDowntime(policy: CatchUpPolicy, expected: [String]) async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let schedule = tick(.interval(seconds: 600))
            let first = await h.start([InMemoryScheduleSource([schedule])])
            await h.advance(to: "2025-01-01T00:15:00Z")
            try await h.stop(first)
            await h.advance(to: "2025-01-01T00:45:00Z")
            let second = await h.start([InMemoryScheduleSource([schedule])], catchUp: policy)
            await h.advance(to: "2025-01-01T00:59:00Z")
            try await h.stop(second)
            #expect(h.recorder.times == expected)
        }

        @Test func twoSchedulersSharingAStateStoreSendEachSlotOnce() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let schedule = tick(try .cron("*/5 * * * *"))
            let a = await h.start([InMemoryScheduleSource([schedule])], sleepers: 1)
            let b = await h.start([InMemoryScheduleSource([schedule])], sleepers: 2)
            await h.advance(to: "2025-01-01T00:30:00Z")
            try await h.stop(a)
            try await h.stop(b)
            #expect(h.recorder.times.count == 6)
            #expect(Set(h.recorder.times).count == 6, "each slot once, though both schedulers believed they held the lease")
        }

        @Test func onlyTheLeaseHolderSendsAndATakeOverCatchesUp() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let lease = SwitchableLease(granted: false)
            let running = await h.start(
                [InMemoryScheduleSource([tick(try .cron("*/15 * * * *"))])],
                catchUp: .runOnce, lease: lease)
            await h.advance(to: "2025-01-01T00:40:00Z")
            #expect(h.recorder.times.isEmpty, "a standby scheduler sends nothing")
            lease.granted.store(true, ordering: .relaxed)
            await h.advance(to: "2025-01-01T01:00:00Z")
            lease.granted.store(false, ordering: .relaxed)
            await h.advance(to: "2025-01-01T01:30:00Z")
            try await h.stop(running)
            // The lease is checked every 10 s: taken at 00:40:10, without a recorded slot nothing is missed.
            #expect(h.recorder.times == ["2025-01-01T00:45:00Z", "2025-01-01T01:00:00Z"])
        }

        @Test func aSourceCanCancelASend() async throws {
            let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
            let running = await h.start([VetoSource(schedules: [tick(try .cron("* * * * *"))], clock: h.clock)])
            await h.advance(to: "2025-01-01T00:10:00Z")
            try await h.stop(running)
            #expect(
                h.recorder.times == [
                    "2025-01-01T00:02:00Z", "2025-01-01T00:04:00Z", "2025-01-01T00:06:00Z",
                    "2025-01-01T00:08:00Z", "2025-01-01T00:10:00Z",
                ])
        }
    }
}

/// A read-only source.
struct StaticSource: ScheduleSource {
    var schedules: [Schedule]
    func schedules() async throws -> [Schedule] { schedules }
}

/// A source that lets only sends at even minutes through.
struct VetoSource: ScheduleSource {
    var schedules: [Schedule]
    var clock: ManualClock
    func schedules() async throws -> [Schedule] { schedules }
    func preSend(_ schedule: Schedule) async throws -> Bool {
        Int(clock.now.timeIntervalSince1970) / 60 % 2 == 0
    }
}
