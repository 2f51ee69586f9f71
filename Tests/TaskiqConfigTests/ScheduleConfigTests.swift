import Foundation
import Synchronization
import Taskiq
import TaskiqExamples
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// Schedules from the file and from task labels, assembled into schedulers.
@Suite struct ScheduleConfigTests {
    static let labelled = TaskDefinition(
        "reports.daily",
        labels: [
            "schedule": [["cron": "30 2 * * *", "cron_offset": "Europe/Berlin", "schedule_id": "nightly"]],
            "priority": 2,
        ]
    ) { () async throws -> Void in }
    static let reports = TaskModule("reports", tasks: [labelled])

    static func system(_ json: String, modules: [TaskModule] = Fixtures.modules) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": json])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: modules, environment: [:])
    }

    /// 2030-01-01T00:00:10Z, a Tuesday.
    static let now = Date(timeIntervalSince1970: 1_893_456_010)

    @Test func configuredSchedulesGetTheirFirstFireTimes() async throws {
        let system = try Self.system(
            """
            {"broker": {"type": "inmemory"},
             "schedules": [
               {"task": "examples.heartbeat", "interval": 5},
               {"task": "examples.add", "cron": "*/15 * * * *", "cron_offset": "Europe/Berlin", "args": [1, 2]},
               {"task": "examples.echo", "time": "2030-06-01T12:00:00Z", "kwargs": {"value": "hi"}, "schedule_id": "hello"},
               {"task": "examples.fib", "cron": "@daily", "cron_offset": "+02:00", "args": [10], "task_id": "fixed"}
             ]}
            """)
        let summaries = await system.scheduleSummaries(startingAt: Self.now)
        #expect(summaries.map(\.schedule.taskName) == ["examples.heartbeat", "examples.add", "examples.echo", "examples.fib"])
        #expect(summaries.map(\.origin) == ["schedules[0]", "schedules[1]", "schedules[2]", "schedules[3]"])
        #expect(summaries.allSatisfy { $0.broker == "default" })
        let first = summaries.map(\.firstFireTime)
        #expect(first[0] == Self.now)  // an interval fires at start
        #expect(first[1] == Date(timeIntervalSince1970: 1_893_456_900))  // 00:15 UTC (01:15 in Berlin)
        #expect(first[2] == Date(timeIntervalSince1970: 1_906_545_600))  // the one-off time
        #expect(first[3] == Date(timeIntervalSince1970: 1_893_535_200))  // 22:00 UTC is midnight at +02:00
        #expect(summaries[2].schedule.scheduleID == "hello")
        #expect(summaries[2].schedule.kwargs == ["value": "hi"])
        #expect(summaries[3].schedule.taskID == "fixed")
        #expect(summaries[1].line.contains(#"examples.add cron "*/15 * * * *" in Europe/Berlin, first 2030-01-01T00:15:00Z"#))
        #expect(try system.makeSchedulers().count == 1)
    }

    @Test func scheduleIDsAreStableAcrossLoads() async throws {
        let json = #"{"broker": {"type": "inmemory"}, "schedules": [{"task": "examples.heartbeat", "interval": 5}]}"#
        let first = try await Self.system(json).scheduleSummaries(startingAt: Self.now).map(\.schedule.scheduleID)
        let second = try await Self.system(json).scheduleSummaries(startingAt: Self.now).map(\.schedule.scheduleID)
        #expect(first.count == 1 && first == second)
    }

    @Test func labelSchedulesAreMergedWithTheConfiguredOnes() async throws {
        let system = try Self.system(
            """
            {"broker": {"type": "inmemory"}, "tasks": {"modules": ["examples", "reports"]},
             "schedules": [{"task": "reports.daily", "interval": 60, "labels": {"priority": 5, "source": "config"}}]}
            """, modules: Fixtures.modules + [Self.reports])
        let summaries = await system.scheduleSummaries(startingAt: Self.now)
        #expect(summaries.map(\.origin) == ["schedules[0]", TaskiqSystem.labelOrigin])
        // The task's labels are under the configured schedule's own, which win; `schedule` is not sent.
        #expect(summaries[0].schedule.labels == ["priority": 5, "source": "config"])
        // A label schedule gets the task's labels over its own, as in taskiq.
        #expect(summaries[1].schedule.scheduleID == "nightly")
        #expect(summaries[1].schedule.labels == ["priority": 2])
        #expect(summaries[1].firstFireTime == Date(timeIntervalSince1970: 1_893_461_400))  // 02:30 in Berlin is 01:30 UTC
    }

    @Test func routedTasksAreScheduledThroughTheirBroker() async throws {
        let system = try Self.system(
            """
            {"broker": {"type": "inmemory"}, "brokers": {"side": {"type": "inmemory"}},
             "tasks": {"modules": ["examples", "reports"], "routes": {"reports": "side"}},
             "schedules": [{"task": "examples.heartbeat", "interval": 5}]}
            """, modules: Fixtures.modules + [Self.reports])
        #expect(system.scheduledBrokerNames == ["default", "side"])
        let summaries = await system.scheduleSummaries(startingAt: Self.now)
        #expect(summaries.map(\.broker) == ["default", "side"])
        #expect(try system.makeSchedulers().count == 2)
        #expect(try system.makeSchedulers(brokers: ["side"]).count == 1)
    }

    @Test func dynamicSchedulesGoToTheSchedulerOfTheirTasksBroker() async throws {
        let system = try Self.system(
            """
            {"broker": {"type": "inmemory"}, "brokers": {"side": {"type": "inmemory"}},
             "tasks": {"modules": ["examples", "reports"], "routes": {"reports": "side"}},
             "schedules": [{"task": "examples.heartbeat", "interval": 5}]}
            """, modules: Fixtures.modules + [Self.reports])
        #expect(system.scheduleSource is InMemoryScheduleSource && !system.hasSharedScheduleSource)
        for task in ["examples.add", "reports.daily", "python.only"] {
            try await system.scheduleSource.add(Schedule(task: task, trigger: .interval(seconds: 60), scheduleID: task))
        }
        func routed(_ name: String) async throws -> [String] {
            let source = RoutedScheduleSource(
                source: system.scheduleSource, broker: try #require(system.broker(named: name)),
                isMain: name == "default", allBrokers: system.brokers)
            return try await source.schedules().map(\.scheduleID)
        }
        #expect(try await routed("default") == ["examples.add", "python.only"], "unknown tasks go through the main broker")
        #expect(try await routed("side") == ["reports.daily"])
    }

    @Test func aBrokenScheduleLabelFailsAtLoad() throws {
        let broken = TaskDefinition("reports.broken", labels: ["schedule": [["cron": "61 * * * *"]]]) { () async throws -> Void in }
        let error = #expect(throws: ConfigError.self) {
            try Self.system(#"{"broker": {"type": "inmemory"}}"#, modules: [TaskModule("reports", tasks: [broken])])
        }
        #expect(error?.code == .invalidSchedule)
        #expect(error?.message.contains("schedule[0].cron") == true)
        #expect(error?.message.contains("reports.broken") == true)
    }

    @Test func theSchedulerSectionSetsOptionsAndDefaults() throws {
        let defaults = try Self.system(#"{"broker": {"type": "inmemory"}}"#).configuration.scheduler
        #expect(defaults.catchUp == .skip)
        #expect(defaults.refreshInterval == .seconds(60))
        #expect(defaults.lease == nil && defaults.stateStore == nil)
        let set = try Self.system(
            """
            {"broker": {"type": "inmemory"},
             "scheduler": {"catch_up": "run_once", "refresh_interval": 2.5, "lease": {"type": "local"}, "state_store": {"type": "inmemory"}}}
            """
        ).configuration.scheduler
        #expect(set.catchUp == .runOnce)
        #expect(set.refreshInterval == .milliseconds(2500))
        #expect(set.lease?.type.name == "local")
        #expect(set.stateStore?.type.name == "inmemory")
    }

    @Test func aRegisteredLeaseTypeIsBuiltForEachScheduler() throws {
        final class Counting: SchedulerLease, @unchecked Sendable {
            func acquire() async throws -> Bool { true }
            func renew() async throws -> Bool { true }
            func release() async throws {}
        }
        var registry = ComponentRegistry.standard
        final class Count: Sendable { let value = Mutex(0) }
        let made = Count()
        registry.register(schedulerLease: "shared", options: [.string("url", default: nil, required: true, description: "Where.")]) {
            options in
            _ = try options.string("url")
            made.value.withLock { $0 += 1 }
            return Counting()
        }
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"}, "scheduler": {"lease": {"type": "shared", "url": "redis://x"}},
             "schedules": [{"task": "examples.heartbeat", "interval": 5}]}
            """
        ])
        let system = try TaskiqSystem.load(
            directory.path("taskiq.json"), modules: Fixtures.modules, registry: registry,
            environment: [:])
        #expect(try system.makeSchedulers().count == 1)
        #expect(made.value.withLock { $0 } == 1)
        let schema = registry.jsonSchema().objectValue?["$defs"]?.objectValue
        #expect(schema?["scheduler_lease.shared"] != nil)
    }

    @Test func theSchemaDescribesSchedulesAndTheSchedulerSection() throws {
        let schema = try #require(ComponentRegistry.standard.jsonSchema().objectValue)
        let properties = try #require(schema["properties"]?.objectValue)
        #expect(properties["schedules"]?.objectValue?["items"] == ["$ref": "#/$defs/schedule"])
        let scheduler = properties["scheduler"]?.objectValue?["properties"]?.objectValue
        #expect(scheduler?["catch_up"]?.objectValue?["anyOf"]?.arrayValue?.first == ["enum": ["skip", "run_once"]])
        #expect(scheduler?["lease"]?.objectValue?["$ref"] == "#/$defs/scheduler_lease")
        let entry = schema["$defs"]?.objectValue?["schedule"]?.objectValue
        #expect(entry?["required"] == ["task"])
        #expect(entry?["properties"]?.objectValue?.keys.sorted() == ConfiguredSchedule.keys.sorted())
    }

    @Test func checkListsTheSchedules() async throws {
        let system = try AssemblyTests.exampleSystem()
        let listing = CheckCommand.scheduleListing(await system.scheduleSummaries(), system: system)
        #expect(listing.contains("examples.heartbeat every 5s, first "))
        #expect(listing.contains("sent by the worker of broker default"))
        let resolved = system.resolvedConfiguration.objectValue
        #expect(resolved?["schedules"]?.arrayValue?.first?.objectValue?["interval"] == 5)
        #expect(resolved?["scheduler"]?.objectValue?["catch_up"] == "skip")
    }
}
