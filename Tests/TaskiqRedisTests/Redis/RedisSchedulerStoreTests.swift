import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// The Redis lease and state store on their own, against a real redis-server.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisSchedulerStoreTests {
        static func lease(
            _ server: RedisServer, ttl: Duration = .seconds(30), renew: Duration = .seconds(10),
            key: String = RedisSchedulerLease.defaultKey
        ) throws -> RedisSchedulerLease {
            try RedisSchedulerLease(url: server.url, key: key, ttl: ttl, renewInterval: renew)
        }

        @Test func leaseIsExclusiveRenewedByItsHolderAndHandedOverOnRelease() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let a = try Self.lease(server)
                let b = try Self.lease(server)
                #expect(a.token != b.token)
                #expect(a.token.contains("pid \(ProcessInfo.processInfo.processIdentifier)"))
                #expect(try await a.acquire())
                #expect(try await !b.acquire(), "the lease is held")
                #expect(try await a.acquire(), "acquiring a lease already held by this instance succeeds")
                #expect(try await a.renew())
                #expect(try await !b.renew(), "only the holder renews")
                #expect(try await b.holder() == a.token)
                let ttl = try #require(try await client.send(["PTTL", RedisSchedulerLease.defaultKey]).int)
                #expect(ttl > 20_000 && ttl <= 30_000, "SET ... PX 30000, found \(ttl) ms left")
                try await b.release()
                #expect(try await a.holder() == a.token, "a standby's release leaves the holder's lease alone")
                try await a.release()
                #expect(try await client.send(["EXISTS", RedisSchedulerLease.defaultKey]).int == 0)
                #expect(try await b.acquire(), "a released lease is taken at once")
                #expect(try await !a.renew(), "the former holder learns it lost the lease")
                #expect(try await a.holder() == b.token)
            }
        }

        @Test func aCrashedHoldersLeaseExpiresAndItCannotTakeItBack() async throws {
            try await RedisServer.with { server in
                let a = try Self.lease(server, ttl: .milliseconds(300), renew: .milliseconds(100))
                let b = try Self.lease(server, ttl: .seconds(30), renew: .seconds(10))
                #expect(try await a.acquire())
                // a stops renewing (as a crashed process would); b waits for the expiry by trying.
                try await eventually("b takes the expired lease") { try await b.acquire() }
                #expect(try await a.holder() == b.token)
                #expect(try await !a.renew(), "a late renewal does not extend another holder's lease")
                try await a.release()
                #expect(try await b.holder() == b.token, "a late release does not delete another holder's lease")
                #expect(try await b.renew())
            }
        }

        @Test func leaseDurationsAreValidated() throws {
            #expect(throws: ScheduleError.self) {
                try RedisSchedulerLease(ttl: .seconds(5), renewInterval: .seconds(5))
            }
            #expect(throws: ScheduleError.self) {
                try RedisSchedulerLease(ttl: .seconds(5), renewInterval: .zero)
            }
            #expect(throws: RedisConnectionError.self) {
                try RedisSchedulerLease(url: "http://nowhere")
            }
            let lease = try RedisSchedulerLease(ttl: .seconds(3), renewInterval: .seconds(1))
            #expect(lease.renewalInterval == .seconds(1), "the scheduler renews at the lease's interval")
            #expect(LocalSchedulerLease().renewalInterval == nil)
        }

        @Test func claimRecordsOnlyLaterSlotsAndSurvivesARestart() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let store = try RedisSchedulerStateStore(url: server.url)
                let slot = utc("2025-01-01T00:15:00Z")
                #expect(try await store.lastFired(scheduleID: "s") == nil)
                #expect(try await store.claim(slot, scheduleID: "s"))
                #expect(try await !store.claim(slot, scheduleID: "s"), "the same slot is claimed once")
                #expect(try await !store.claim(utc("2025-01-01T00:00:00Z"), scheduleID: "s"), "an earlier slot is refused")
                #expect(try await store.claim(slot, scheduleID: "other"), "schedules are independent")
                #expect(try await client.send(["GET", "taskiq:scheduler:last_fired:s"]).string == "1735690500000")
                let restarted = try RedisSchedulerStateStore(url: server.url)
                #expect(try await restarted.lastFired(scheduleID: "s") == slot)
                #expect(try await !restarted.claim(slot, scheduleID: "s"))
                #expect(try await restarted.claim(slot.addingTimeInterval(0.5), scheduleID: "s"))
                #expect(try await store.lastFired(scheduleID: "s") == slot.addingTimeInterval(0.5))

                try await client.send(["SET", "taskiq:scheduler:last_fired:junk", "yesterday"])
                let error = try await #require(throws: ScheduleError.self) { try await store.lastFired(scheduleID: "junk") }
                #expect(error.message.contains("'taskiq:scheduler:last_fired:junk' holds 'yesterday'"))
            }
        }

        @Test func concurrentClaimsFromSeparateConnectionsHaveOneWinnerPerSlot() async throws {
            try await RedisServer.with { server in
                let stores = try (0..<8).map { _ in try RedisSchedulerStateStore(url: server.url, prefix: "race") }
                let start = utc("2025-01-01T00:00:00Z")
                for minute in 0..<25 {
                    let slot = start.addingTimeInterval(Double(minute) * 60)
                    let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                        for store in stores { group.addTask { try await store.claim(slot, scheduleID: "hot") } }
                        return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                    }
                    #expect(winners == 1, "slot \(minute) claimed by \(winners) schedulers")
                }
            }
        }

        @Test func scheduleSourceStoresSchedulesInTaskiqRedisLayout() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let source = try RedisScheduleSource(url: server.url)
                let cron = try Schedule(
                    task: "report", trigger: .cron("0 9 * * MON", timeZone: "Europe/Berlin"),
                    args: ["weekly"], labels: ["priority": 2], scheduleID: "weekly")
                let every = Schedule(task: "poll", trigger: .interval(seconds: 30), kwargs: ["feed": "a"], scheduleID: "poll")
                let once = Schedule(task: "remind", trigger: .once(utc("2030-01-01T00:00:30Z")), taskID: "fixed", scheduleID: "remind")
                for schedule in [cron, every, once] { try await source.add(schedule) }

                #expect(try await client.send(["LRANGE", "schedule:cron", 0, -1]).array?.compactMap(\.string) == ["weekly"])
                #expect(try await client.send(["LRANGE", "schedule:interval", 0, -1]).array?.compactMap(\.string) == ["poll"])
                #expect(
                    try await client.send(["LRANGE", "schedule:time:2030-01-01T00:00", 0, -1]).array?.compactMap(\.string) == ["remind"])
                let stored = try #require(try await client.send(["GET", "schedule:data:weekly"]).bytes)
                #expect(try JSONParser().parse(stored).objectValue == cron.taskiqJSON)
                #expect(try await source.schedules() == [cron, every, once])

                // Replacing a schedule moves its ID to its new list instead of listing it twice.
                let moved = Schedule(task: "report", trigger: .interval(seconds: 60), scheduleID: "weekly")
                try await source.add(moved)
                try await source.add(moved)
                #expect(try await client.send(["LLEN", "schedule:cron"]).int == 0)
                #expect(try await client.send(["LRANGE", "schedule:interval", 0, -1]).array?.compactMap(\.string) == ["poll", "weekly"])
                #expect(try await source.schedules() == [every, moved, once])

                try await source.remove(scheduleID: "remind")
                try await source.remove(scheduleID: "never-added")
                #expect(try await client.send(["EXISTS", "schedule:data:remind", "schedule:time:2030-01-01T00:00"]).int == 0)
                #expect(try await source.schedules() == [every, moved])
            }
        }

        @Test func scheduleSourceReadsWhatPythonWroteAndSkipsWhatItCannot() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                // As taskiq-redis's ListRedisScheduleSource with JSONSerializer writes them (json.dumps of
                // model_dump(mode="json")), including an ID listed twice, an ID without data and a pickle.
                let python =
                    #"{"task_name": "t", "labels": {}, "args": [1], "kwargs": {}, "task_id": null, "schedule_id": "py", "cron": "0 * * * *", "cron_offset": "PT2H", "time": null, "interval": null}"#
                let timed =
                    #"{"task_name": "t", "labels": {}, "args": [], "kwargs": {}, "task_id": null, "schedule_id": "at", "cron": null, "cron_offset": null, "time": "2030-01-01T00:00:00Z", "interval": null}"#
                let every =
                    #"{"task_name": "t", "labels": {"x": 1}, "args": [], "kwargs": {}, "task_id": null, "schedule_id": "iv", "cron": null, "cron_offset": null, "time": null, "interval": "PT2M"}"#
                _ = try await client.pipeline([
                    ["SET", "schedule:data:py", python], ["RPUSH", "schedule:cron", "py", "py", "gone", "pickled"],
                    ["SET", "schedule:data:pickled", [0x80, 0x04, 0x95, 0x00] as [UInt8]],
                    ["SET", "schedule:data:at", timed], ["RPUSH", "schedule:time:2030-01-01T00:00", "at"],
                    ["SET", "schedule:data:iv", every], ["RPUSH", "schedule:interval", "iv"],
                ])
                let schedules = try await RedisScheduleSource(url: server.url).schedules()
                #expect(schedules.map(\.scheduleID) == ["py", "iv", "at"])
                #expect(schedules[0].trigger == .cron(try CronExpression("0 * * * *"), timeZone: try ScheduleTimeZone("PT2H")))
                #expect(schedules[0].args == [1])
                #expect(schedules[1].trigger == .interval(seconds: 120))
                #expect(schedules[2].trigger == .once(utc("2030-01-01T00:00:00Z")))
                #expect(throws: ScheduleError.self) { try RedisScheduleSource.decode([0x80, 0x04], key: "k") }
            }
        }
    }
}
