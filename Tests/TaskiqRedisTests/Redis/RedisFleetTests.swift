import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// The consumers of a stream's group as `check --fleet` sees them: a Swift worker announces
    /// its tasks in its lease; a consumer without a lease (as a taskiq-redis worker) announces nothing.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisFleetTests {
        @Test func aSwiftWorkerAnnouncesItsTasksAndASilentConsumerNothing() async throws {
            try await RedisServer.with { server in
                // A lease that outlives a starved moment of the test process (the helper's is 1 s).
                let worker = try Redis.streamBroker(server) {
                    $0.consumerName = "swift-worker"
                    $0.leaseTTL = .seconds(60)
                    $0.leaseRenewInterval = .seconds(1)
                }
                _ = worker.task("fleet.a") { () async throws -> Int in 1 }
                _ = worker.task("fleet.b") { () async throws -> Int in 2 }
                let observer = try Redis.streamBroker(server)
                #expect(try await observer.fleet().members.isEmpty, "no group yet")
                try await Redis.withWorker(worker) { _ in
                    // A consumer without a lease, as a taskiq-redis worker is once it has read an entry
                    // (Redis adds a consumer to the group at its first delivery).
                    let client = try Redis.client(server)
                    _ = try await client.send(["XGROUP", "CREATECONSUMER", "taskiq", "taskiq", "python-5f2a"])
                    try await eventually("the Swift worker is a consumer", every: .milliseconds(50)) {
                        try await observer.fleet().members.count == 2
                    }
                    let fleet = try await observer.fleet()
                    #expect(fleet.queue == "stream 'taskiq', group 'taskiq'")
                    let byName = Dictionary(uniqueKeysWithValues: fleet.members.map { ($0.name, $0) })
                    #expect(Set(byName.keys) == ["swift-worker", "python-5f2a"])
                    let announced = try #require(byName["swift-worker"]?.announcement)
                    #expect(announced.runtime == "taskiq-swift")
                    #expect(announced.tasks == ["fleet.a", "fleet.b"])
                    #expect(byName["python-5f2a"]?.announcement == nil)
                    #expect(byName["python-5f2a"]?.pending == 0)
                    let report = FleetReport(fleet, tasks: ["fleet.a", "fleet.b"])
                    #expect(report.warnings.count == 1)
                    #expect(report.warnings.first?.contains("consumer 'python-5f2a'") == true)
                }
            }
        }
    }
}
