import Taskiq
import TaskiqNATS
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// The `nats_jetstream` broker type as the config sees it.
@Suite struct NATSJetStreamBrokerConfigTests {
    static func broker(_ settings: String) throws -> NATSJetStreamBroker {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": #"{"broker": {"type": "nats_jetstream"\#(settings)}, "tasks": {"modules": ["examples"]}}"#
        ])
        let system = try TaskiqSystem.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: [:])
        return try #require(system.broker(named: "default") as? NATSJetStreamBroker)
    }

    @Test func defaultsAreTheOptionsTypesAndDeduplicate() throws {
        let broker = try Self.broker("")
        #expect(broker.options == NATSJetStreamBrokerOptions())
        #expect(broker.options.deduplicate)
    }

    @Test func deduplicationCanBeTurnedOff() throws {
        #expect(try Self.broker(#", "deduplicate": false"#).options.deduplicate == false)
    }

    @Test func aDeduplicateThatIsNoBooleanIsAConfigError() throws {
        #expect(throws: (any Error).self) { try Self.broker(#", "deduplicate": "no""#) }
    }
}
