import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqConfig

/// `worker.queue_rate_limit` and `worker.rate_limits` load into the receiver's ``RateLimits``,
/// a malformed limit fails with its JSON path, and the schema lists both.
@Suite struct RateLimitConfigTests {
    @Test func limitsLoadIntoTheReceiverOptions() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": """
            {"broker": {"type": "inmemory"},
             "worker": {"queue_rate_limit": "100/m",
                        "rate_limits": [{"task": "a", "limit": "10/s"}, {"task": "b", "limit": "5/h"}]}}
            """
        ])
        let configuration = try TaskiqConfiguration.load(directory.path("taskiq.json"), modules: Fixtures.modules, environment: [:])
        let limits = try configuration.worker.receiverRateLimits(broker: "default")
        #expect(limits.queue == (try RateLimit(parsing: "100/m")))
        #expect(limits.tasks == ["a": try RateLimit(parsing: "10/s"), "b": try RateLimit(parsing: "5/h")])
        #expect(limits.queueKey == "default")
        #expect(
            configuration.worker.json["rate_limits"]
                == .array([
                    .object(["task": "a", "limit": "10/s"]),
                    .object(["task": "b", "limit": "5/h"]),
                ]))
    }

    @Test(arguments: [
        (#"{"queue_rate_limit": "100/fortnight"}"#, "worker.queue_rate_limit", "has a unit other than s, m, h or d"),
        (
            #"{"rate_limits": [{"task": "a", "limit": "1/s"}, {"task": "b", "limit": "0/s"}]}"#,
            "worker.rate_limits[1].limit", "has a count that is not a whole number"
        ),
    ])
    func aMalformedLimitFailsWithItsPath(worker: String, path: String, reason: String) throws {
        let directory = try TemporaryConfigDirectory(files: ["taskiq.json": #"{"broker": {"type": "inmemory"}, "worker": "# + worker + "}"])
        let error = try #require(Fixtures.error(loading: directory.path("taskiq.json")))
        #expect(error.code == .invalidRateLimit)
        #expect(error.path == path)
        #expect(error.message.contains(reason), "\(error.message)")
    }

    @Test func aRateLimitEntryNeedsATaskAndALimit() throws {
        let directory = try TemporaryConfigDirectory(files: [
            "taskiq.json": #"{"broker": {"type": "inmemory"}, "worker": {"rate_limits": [{"limit": "1/s"}]}}"#
        ])
        let error = try #require(Fixtures.error(loading: directory.path("taskiq.json")))
        #expect(error.path.hasPrefix("worker.rate_limits[0]"), "\(error)")
    }

    @Test func theSchemaListsBothOptions() throws {
        let schema = ComponentRegistry.standard.jsonSchema().prettyPrinted
        #expect(schema.contains("\"queue_rate_limit\""))
        #expect(schema.contains("\"rate_limits\""))
    }
}
