import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// Several schedulers sharing a real redis-server: the lease, the state store and the schedule
    /// source together, driven by a manual clock.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisSchedulerFailoverTests {
        /// The sends of one schedule, as times.
        static func times(_ h: SchedulerHarness, _ id: String) -> [String] {
            h.recorder.sends.filter { $0.message.labels["schedule_id"] == .string(id) }.map { iso($0.time) }
        }

        static func minutes(from start: Int, through end: Int) -> [String] {
            (start...end).map { String(format: "2025-01-01T00:%02d:00Z", $0) }
        }

        @Test func twoSchedulersThatBothBelieveTheyLeadSendEachSlotOnce() async throws {
            try await RedisServer.with { server in
                let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
                let schedules = [tick(try .cron("* * * * *"), id: "minutely"), tick(.interval(seconds: 45), id: "every45")]
                // Separate stores, so separate connections, as in two processes.
                let a = await h.start(
                    [InMemoryScheduleSource(schedules)], store: try RedisSchedulerStateStore(url: server.url),
                    sleepers: 1)
                let b = await h.start(
                    [InMemoryScheduleSource(schedules)], store: try RedisSchedulerStateStore(url: server.url),
                    sleepers: 2)
                await h.advance(to: "2025-01-01T00:10:00Z")
                try await h.stop(a)
                try await h.stop(b)
                #expect(Self.times(h, "minutely") == Self.minutes(from: 1, through: 10))
                let every45 = Self.times(h, "every45")
                #expect(every45.count == 14 && Set(every45).count == 14, "0:00, 0:45, ... 9:45 once each: \(every45)")
            }
        }

        @Test func aStandbyTakesOverOnStopAndOnCrashWithoutResendingASlot() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
                let schedules = [tick(try .cron("* * * * *"), id: "minutely"), tick(.interval(seconds: 30), id: "every30")]
                // Renewed every manual second. The TTL is long so that a loaded machine never lets a live
                // holder's lease lapse between renewals; the crash below shortens it in Redis instead
                // (expiry by TTL itself is proven in RedisSchedulerStoreTests).
                func lease() throws -> RedisSchedulerLease {
                    try RedisSchedulerLease(url: server.url, ttl: .seconds(30), renewInterval: .seconds(1))
                }
                func start(_ lease: RedisSchedulerLease, sleepers: Int) async throws -> Task<Void, any Error> {
                    await h.start(
                        [InMemoryScheduleSource(schedules)], lease: lease,
                        store: try RedisSchedulerStateStore(url: server.url), sleepers: sleepers)
                }
                let leaseA = try lease()
                let leaseB = try lease()
                let leaseC = try lease()
                let a = try await start(leaseA, sleepers: 1)
                #expect(try await leaseA.holder() == leaseA.token, "the first scheduler leads")
                let b = try await start(leaseB, sleepers: 2)
                await h.advance(to: "2025-01-01T00:03:00Z")
                #expect(try await leaseA.holder() == leaseA.token, "the standby does not take a renewed lease")

                // A stops: it releases the lease, and B takes it at its next try.
                try await h.stop(a)
                #expect(try await client.send(["EXISTS", RedisSchedulerLease.defaultKey]).int == 0)
                await h.advance(to: "2025-01-01T00:06:00Z")
                #expect(try await leaseB.holder() == leaseB.token)
                let c = try await start(leaseC, sleepers: 2)

                // B crashes: it neither sends nor renews nor releases; C takes over once the lease expires.
                leaseB.close()
                try await h.stop(b)
                #expect(try await leaseC.holder() == leaseB.token, "a crashed holder's lease outlives it")
                // Its TTL runs out (the remaining 30 s, shortened here to keep the test fast).
                _ = try await client.send(["PEXPIRE", RedisSchedulerLease.defaultKey, "50"])
                try await eventually("the crashed holder's lease expires", seconds: 15) {
                    try await client.send(["EXISTS", RedisSchedulerLease.defaultKey]).int == 0
                }
                await h.advance(to: "2025-01-01T00:09:00Z")
                #expect(try await leaseC.holder() == leaseC.token)
                try await h.stop(c)

                #expect(Self.times(h, "minutely") == Self.minutes(from: 1, through: 9), "every minute once, across both hand-overs")
                let every30 = Self.times(h, "every30")
                let expected = (0...18).map { String(format: "2025-01-01T00:%02d:%02dZ", $0 / 2, $0 % 2 * 30) }
                #expect(every30 == expected, "the interval keeps its grid across both hand-overs")
            }
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
        func catchUpAfterDowntimeWithTheRedisStore(policy: CatchUpPolicy, expected: [String]) async throws {
            try await RedisServer.with { server in
                let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
                let schedule = tick(try .cron("*/15 * * * *"), id: "quarter")
                let first = await h.start(
                    [InMemoryScheduleSource([schedule])], lease: try RedisSchedulerLease(url: server.url),
                    store: try RedisSchedulerStateStore(url: server.url))
                await h.advance(to: "2025-01-01T00:30:00Z")
                try await h.stop(first)
                await h.advance(to: "2025-01-01T02:10:00Z")  // down for 1 h 40 min: six slots missed
                // A new process: fresh lease and store instances, the state only in Redis.
                let second = await h.start(
                    [InMemoryScheduleSource([schedule])], catchUp: policy,
                    lease: try RedisSchedulerLease(url: server.url),
                    store: try RedisSchedulerStateStore(url: server.url))
                await h.advance(to: "2025-01-01T02:20:00Z")
                try await h.stop(second)
                #expect(h.recorder.times == expected)
            }
        }

        @Test func dynamicSchedulesAddedThroughRedisAreSentAndUnscheduled() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let h = SchedulerHarness(start: "2025-01-01T00:00:00Z")
                let greet = h.broker.task("greet") { (name: String) async throws in }
                // The producer's source and the scheduler's are separate connections, as in two processes.
                let producer = try RedisScheduleSource(url: server.url)
                let every = try await greet.schedule(every: 600, "Bob", on: producer)
                let once = try await greet.schedule(at: utc("2025-01-01T00:25:00Z"), "Cy", on: producer)
                let cron = try await greet.schedule(cron: "*/20 * * * *", "Ada", on: producer)
                let running = await h.start(
                    [try RedisScheduleSource(url: server.url)],
                    store: try RedisSchedulerStateStore(url: server.url))
                await h.advance(to: "2025-01-01T00:30:00Z")
                #expect(
                    try await client.send(["EXISTS", "schedule:data:\(once.scheduleID)"]).int == 0,
                    "a sent one-off is deleted from Redis")
                try await every.unschedule()
                // Unscheduling takes effect at the next read of the source (every 60 s by default).
                await h.advance(to: "2025-01-01T01:00:00Z")
                try await h.stop(running)
                let sent = h.recorder.sends.map { "\(iso($0.time)) \($0.message.args[0].stringValue!)" }.sorted()
                #expect(
                    sent == [
                        "2025-01-01T00:00:00Z Bob", "2025-01-01T00:10:00Z Bob", "2025-01-01T00:20:00Z Ada",
                        "2025-01-01T00:20:00Z Bob", "2025-01-01T00:25:00Z Cy", "2025-01-01T00:30:00Z Bob",
                        "2025-01-01T00:40:00Z Ada", "2025-01-01T01:00:00Z Ada",
                    ])
                #expect(try await producer.schedules().map(\.scheduleID) == [cron.scheduleID])
            }
        }
    }
}
