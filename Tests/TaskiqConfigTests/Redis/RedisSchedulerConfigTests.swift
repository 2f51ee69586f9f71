import Foundation
import Taskiq
import TaskiqExamples
import TaskiqRedis
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// `scheduler.lease` and `scheduler.state_store` of type `redis`, and the system's Redis schedule
/// source when the result backend is Redis.
@Suite struct RedisSchedulerConfigTests {
    static func load(_ json: String) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": json])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: [:])
    }

    @Test func redisLeaseAndStateStoreAreBuiltFromTheFile() throws {
        let system = try Self.load(
            """
            {"broker": {"type": "inmemory"},
             "scheduler": {"lease": {"type": "redis", "url": "redis://127.0.0.1:6390/2", "key": "app:lease", "ttl": 6,
                                     "renew_interval": 1.5},
                           "state_store": {"type": "redis", "url": "redis://127.0.0.1:6390/2", "prefix": "app:slots"}}}
            """)
        let settings = system.configuration.scheduler
        guard case .schedulerLease(let made) = try #require(settings.lease).make(),
            let lease = made as? RedisSchedulerLease
        else {
            Issue.record("not a Redis lease")
            return
        }
        #expect(lease.key == "app:lease" && lease.ttl == .seconds(6) && lease.renewInterval == .milliseconds(1500))
        #expect(lease.renewalInterval == .milliseconds(1500), "the scheduler renews at the lease's interval")
        guard case .schedulerStateStore(let madeStore) = try #require(settings.stateStore).make(),
            let store = madeStore as? RedisSchedulerStateStore
        else {
            Issue.record("not a Redis state store")
            return
        }
        #expect(store.key(scheduleID: "beat") == "app:slots:beat")
        #expect(!system.hasSharedScheduleSource, "the result backend is in memory, so dynamic schedules stay in this process")
        #expect(system.scheduleSource is InMemoryScheduleSource)
    }

    @Test func checkSaysWhereDynamicSchedulesLive() async throws {
        let redis = try Self.load(#"{"broker": {"type": "inmemory"}, "result_backend": {"type": "redis"}}"#)
        #expect(redis.hasSharedScheduleSource)
        let listing = CheckCommand.scheduleListing(await redis.scheduleSummaries(), system: redis)
        #expect(
            listing == "schedules: none\ndynamic schedules: added at run time to Redis (keys 'schedule:*' on the "
                + "result backend's server), read by every scheduler\n")
        let local = try Self.load(#"{"broker": {"type": "inmemory"}}"#)
        #expect(CheckCommand.scheduleListing(await local.scheduleSummaries(), system: local) == "schedules: none\n")
    }

    @Test func defaults() throws {
        let system = try Self.load(
            #"{"broker": {"type": "inmemory"}, "scheduler": {"lease": {"type": "redis"}, "state_store": {"type": "redis"}}}"#)
        let settings = system.configuration.scheduler
        #expect(
            settings.lease?.json == [
                "type": "redis", "url": "redis://127.0.0.1:6379", "key": "taskiq:scheduler:lease",
                "ttl": 30.0, "renew_interval": 10.0,
            ])
        #expect(
            settings.stateStore?.json == [
                "type": "redis", "url": "redis://127.0.0.1:6379",
                "prefix": "taskiq:scheduler:last_fired",
            ])
        #expect(ComponentRegistry.standard.type(.schedulerLease, named: "redis")?.isProcessLocal == false)
        #expect(ComponentRegistry.standard.type(.schedulerStateStore, named: "redis")?.isProcessLocal == false)
    }
}

/// The assembled system against a real redis-server: schedules added from code through
/// `system.scheduleSource` are stored in Redis and sent by the system's scheduler.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisSystemScheduleSourceTests {
    @Test func schedulesAddedFromCodeAreStoredInRedisAndSentByTheScheduler() async throws {
        try await RedisServer.with { server in
            let system = try RedisSchedulerConfigTests.load(
                """
                {"broker": {"type": "inmemory"}, "result_backend": {"type": "redis", "url": "\(server.url)"},
                 "scheduler": {"lease": {"type": "redis", "url": "\(server.url)"},
                               "state_store": {"type": "redis", "url": "\(server.url)"}}}
                """)
            let source = try #require(system.scheduleSource as? RedisScheduleSource)
            #expect(source.prefix == "schedule")
            #expect(system.scheduledBrokerNames == ["default"], "a shared source may get schedules at any time")
            try await system.startup()
            let handle = try await ExampleTasks.add.schedule(
                .interval(seconds: 60), 2, 3, taskID: "add-every-minute",
                on: system.scheduleSource)
            // Another process (here: a second source on the same server) sees it.
            #expect(try await RedisScheduleSource(url: server.url).schedules().map(\.scheduleID) == [handle.scheduleID])

            let clock = ManualClock(now: Date(timeIntervalSince1970: 1_893_456_000))
            let schedulers = try system.makeSchedulers(clock: clock)
            #expect(schedulers.count == 1)
            let running = Task { try await schedulers[0].run() }
            await clock.waitForSleepers()
            let result = try await system.waitResult("add-every-minute", task: "examples.add", timeout: .seconds(10))
            #expect(result.returnValue == 5, "sent at once (an interval), run by the in-memory broker, stored in Redis")
            try await handle.unschedule()
            #expect(try await source.schedules().isEmpty)
            running.cancel()
            try await withTimeout { try await running.value }
            try await system.shutdown()
        }
    }
}
