import Testing
import TaskiqTestSupport
import Taskiq
@testable import TaskiqRedis
@testable import TaskiqConfig

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
}
