import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// A kick that reaches Redis while it loads its data (right after a restart) waits for the
    /// load to end instead of failing with `LOADING`.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisLoadingTests {
        enum Kick: String, CaseIterable, Sendable {
            case streamXADD, streamDelayed, listLPUSH
        }

        /// Makes the server reload its data slowly and returns once it answers `LOADING`: 2,000
        /// keys that take a millisecond each to load, with requests served (and refused) every
        /// kilobyte, about two seconds. The task ends when the load does.
        static func startLoading(_ server: RedisServer, client: RedisClient) async throws -> Task<Void, any Error> {
            try await client.send(["DEBUG", "POPULATE", 2000])
            try await client.send(["CONFIG", "SET", "key-load-delay", 1000])
            try await client.send(["CONFIG", "SET", "loading-process-events-interval-bytes", 1024])
            let reloader = try Redis.client(server)
            let reload = Task {
                defer { reloader.close() }
                _ = try await reloader.send(["DEBUG", "RELOAD"], timeout: .seconds(60))
            }
            try await eventually("the server is loading") {
                (try await client.send(["INFO", "persistence"]).string ?? "").contains("loading:1")
            }
            return reload
        }

        @Test(arguments: Kick.allCases)
        func aKickDuringALoadWaitsForItInsteadOfFailing(_ kick: Kick) async throws {
            try await RedisServer.with(arguments: ["--enable-debug-command", "local"]) { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker: any AsyncBroker =
                    kick == .listLPUSH
                    ? try RedisListBroker(url: server.url, resultBackend: InMemoryResultBackend(maxStoredResults: -1))
                    : try Redis.streamBroker(server)
                let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await broker.startup()
                let reload = try await Self.startLoading(server, client: client)
                let kicker = kick == .streamDelayed ? add.kicker().withLabels(["delay": 0.2]) : add.kicker()
                _ = try await kicker.kiq(1, 2)
                _ = try await reload.value
                let stored: Int
                switch kick {
                case .streamXADD: stored = try await client.send(["XLEN", "taskiq"]).int ?? -1
                case .streamDelayed:
                    stored = try await client.send(["ZCARD", RedisDelayedQueue.key(for: "taskiq", on: client.configuration)]).int ?? -1
                case .listLPUSH: stored = try await client.send(["LLEN", "taskiq"]).int ?? -1
                }
                #expect(stored == 1, "the kick was stored once the load ended")
                try await broker.shutdown()
            }
        }

        /// A worker storing a result while Redis loads, or while it is down for a moment, waits
        /// instead of losing the result of a task that already ran.
        @Test func aResultStoredDuringALoadOrARestartIsKept() async throws {
            try await RedisServer.with(arguments: ["--enable-debug-command", "local"]) { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let sink = CollectingSink()
                let backend = try RedisResultBackend(
                    configuration: try RedisConfiguration(url: server.url),
                    logger: Logger(label: "taskiq.redis.results", configuration: LoggingConfiguration(sink: sink)))
                defer { Task { try? await backend.shutdown() } }
                try await backend.setResult(TaskiqResult<JSONValue>(isErr: false, returnValue: 0, executionTime: 0), for: "warm")
                let reload = try await Self.startLoading(server, client: client)
                try await backend.setResult(TaskiqResult<JSONValue>(isErr: false, returnValue: 1, executionTime: 0), for: "during-load")
                _ = try await reload.value
                #expect(try await backend.getResult("during-load", withLogs: false).returnValue == 1)

                // Down, then back: the shared connection dies and reconnecting is refused until the
                // server is back.
                await server.pause()
                let storing = Task {
                    try await backend.setResult(
                        TaskiqResult<JSONValue>(isErr: false, returnValue: 2, executionTime: 0), for: "across-restart")
                }
                try await eventually("the store was refused and is waiting") {
                    sink.lines.contains { $0.contains("SET failed") && $0.contains("connection refused") }
                }
                try await server.resume()
                try await storing.value
                #expect(try await backend.getResult("across-restart", withLogs: false).returnValue == 2)
            }
        }
    }
}
