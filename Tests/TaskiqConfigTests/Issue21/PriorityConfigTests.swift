import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig
@testable import TaskiqRedis

/// `priorities` of the `redis_stream` broker as the config sees it.
@Suite struct PriorityConfigTests {
    static func load(_ broker: String) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": #"{"broker": \#(broker), "tasks": {"modules": ["examples"]}}"#])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules)
    }

    @Test func prioritiesNameOneStreamPerLevelHighestFirst() throws {
        let system = try Self.load(#"{"type": "redis_stream", "queue_name": "jobs", "priorities": 3}"#)
        let broker = try #require(system.broker as? RedisStreamBroker)
        #expect(broker.options.priorities == 3)
        #expect(broker.options.priorityStreams == ["jobs:priority:2", "jobs:priority:1", "jobs"])
        let plain = try #require(try Self.load(#"{"type": "redis_stream"}"#).broker as? RedisStreamBroker)
        #expect(plain.options.priorityStreams == ["taskiq"], "one level by default: the plain stream")
    }

    @Test(arguments: ["0", "17", "\"many\""])
    func outOfRangePrioritiesFailWithThePath(_ value: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try Self.load(#"{"type": "redis_stream", "priorities": \#(value)}"#)
        }
        #expect(error.path == "broker.priorities", "\(error)")
    }

    /// A module whose task declares a priority.
    static let urgent = TaskModule(
        "urgent",
        tasks: [
            TaskDefinition("urgent.page", labels: ["priority": .int(5)]) { () async throws -> Int in 1 }
        ])

    static func loadUrgent(_ broker: String) throws -> TaskiqSystem {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": #"{"broker": \#(broker), "tasks": {"modules": ["urgent"]}}"#])
        return try TaskiqSystem.load(directory.path("taskiq.json"), modules: [Self.urgent])
    }

    /// `check` says which tasks declare a priority their broker runs in arrival order instead.
    @Test func checkWarnsAboutAPriorityTheBrokerCannotHonour() throws {
        let memory = try Self.loadUrgent(#"{"type": "inmemory"}"#)
        #expect(
            memory.warnings == [
                "task 'urgent.page' declares priority 5 but broker 'default' (inmemory) runs tasks in arrival order; "
                    + "use redis_stream with \"priorities\" or rabbitmq with a classic queue's \"max_priority\""
            ])
        #expect(try Self.loadUrgent(#"{"type": "redis_stream", "priorities": 3}"#).warnings.isEmpty)
        #expect(try Self.loadUrgent(#"{"type": "redis_stream"}"#).warnings.count == 1, "one level: the label is not honoured")
        #expect(try Self.loadUrgent(#"{"type": "redis_list"}"#).warnings.count == 1)
    }
}
