import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisListBrokerTests {
        static func broker(_ server: RedisServer, block: Duration = .milliseconds(500)) throws -> RedisListBroker {
            try RedisListBroker(url: server.url, blockTimeout: block, resultBackend: InMemoryResultBackend(maxStoredResults: -1))
        }

        @Test func pushedMessagesRunInOrderOnOneWorker() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Self.broker(server)
                let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                // A message pushed as taskiq-redis does, before any worker listens.
                try await client.send(["LPUSH", "taskiq", Redis.message("python", "add", args: "[1, 2]")])
                try await Redis.withWorker(broker) { (_: Receiver) async throws in
                    #expect(try await broker.resultBackend.waitResult("python", timeout: .seconds(10), withLogs: false).returnValue == 3)
                    for i in 0..<20 {
                        #expect(try await add.kiq(i, i).waitResult(timeout: .seconds(10)).returnValue == 2 * i)
                    }
                    #expect(try await client.send(["LLEN", "taskiq"]).int == 0, "popped messages leave nothing to acknowledge")
                }
            }
        }

        @Test func theQueueNameLabelRoutesToAnotherList() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Self.broker(server)
                let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await broker.startup()
                _ = try await add.kicker().withLabels(["queue_name": "elsewhere"]).kiq(1, 1)
                #expect(try await client.send(["LLEN", "elsewhere"]).int == 1)
                try await broker.shutdown()
            }
        }

        @Test func anIdleWorkerSurvivesManyBlockTimeoutsAndStopsPromptly() async throws {
            try await RedisServer.with { server in
                let broker = try Self.broker(server, block: .milliseconds(100))
                let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await broker.startup()
                let receiver = Receiver(broker: broker)
                let running = Task { try await receiver.run() }
                // Several empty BRPOPs pass, then a task still arrives on the same loop.
                let start = ContinuousClock.now
                try await eventually("half a second of idle polling") { start.duration(to: .now) > .milliseconds(500) }
                #expect(try await add.kiq(2, 2).waitResult(timeout: .seconds(5)).returnValue == 4)
                // Stopping and shutting down end within the timeouts (a hang fails; no wall-clock bound
                // that a loaded machine could break).
                receiver.stop()
                try await withTimeout(seconds: 10) { try await running.value }
                try await withTimeout(seconds: 10) { try await broker.shutdown() }
                receiver.shutdown()
            }
        }
    }
}
