import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// Unique kicks recorded in Redis (`SET NX PX`): 50 concurrent kicks from two producers
    /// run one task and all get its handle; the key expires with the window.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisUniqueTests {
        @Test func fiftyConcurrentKicksFromTwoProducersRunOneTask() async throws {
            try await RedisServer.with { server in
                let runs = Atomic<Int>(0)
                let worker = try Redis.streamBroker(server)
                _ = worker.task("report") { (day: String) async throws -> Int in
                    runs.add(1, ordering: .relaxed)
                    return 7
                }
                let producers = try (0..<2).map { _ in try Redis.streamBroker(server) }
                let tasks = producers.map { $0.task("report") { (day: String) async throws -> Int in 0 } }
                for producer in producers { try await producer.startup() }
                let ids = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<50 {
                        let task = tasks[index % 2]
                        group.addTask { try await task.kicker().withUnique(for: .seconds(60)).kiq("2026-12-06").taskID }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                #expect(ids.count == 50)
                #expect(Set(ids).count == 1, "every handle points to the first task")
                let client = try Redis.client(server)
                #expect(try await client.send(["XLEN", "taskiq"]).int == 1, "one message sent")
                try await Redis.withWorker(worker) { _ in
                    try await eventually("the task ran") { runs.load(ordering: .relaxed) == 1 }
                }
                #expect(runs.load(ordering: .relaxed) == 1)
                let kick = try UniqueKick(
                    TaskiqMessage(
                        taskID: "x", taskName: "report", labels: ["unique_for": 60],
                        args: ["2026-12-06"]))
                let key = try #require(kick).key
                #expect(try await client.send(["GET", key]).string == ids[0])
                let ttl = try await client.send(["PTTL", key]).int ?? -1
                #expect(ttl > 0 && ttl <= 60_000, "the key expires with the 60 s window: \(ttl)")
                for producer in producers { try await producer.shutdown() }
            }
        }

        @Test func aFailedSendReleasesTheKeyAndTheWindowEnds() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                let store = RedisUniqueStore(client: client)
                // Long windows where the test needs the key held, however slow the machine is.
                #expect(try await store.claim("k", taskID: "a", for: .seconds(60)) == nil)
                #expect(try await store.claim("k", taskID: "b", for: .seconds(60)) == "a")
                try await store.release("k", taskID: "b")
                #expect(try await store.claim("k", taskID: "c", for: .seconds(60)) == "a", "only the owner releases")
                try await store.release("k", taskID: "a")
                #expect(try await store.claim("k", taskID: "d", for: .milliseconds(300)) == nil)
                try await eventually("the window ends") {
                    try await store.claim("k", taskID: "e", for: .milliseconds(300)) == nil
                }
            }
        }
    }
}
