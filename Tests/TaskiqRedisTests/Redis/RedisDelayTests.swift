import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// The `delay` label on the Redis brokers: held in `<queue>:delayed` until due, then moved
    /// once by whichever worker gets there first.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisDelayTests {
        enum Kind: String, CaseIterable, Sendable { case stream, list }

        /// A broker of the kind, polling for due messages every `poll`.
        static func broker(
            _ kind: Kind, _ server: RedisServer, consumer: String? = nil,
            poll: Duration = .milliseconds(50)
        ) throws -> any AsyncBroker {
            switch kind {
            case .stream:
                return try Redis.streamBroker(server) {
                    $0.consumerName = consumer
                    $0.delayPollInterval = poll
                }
            case .list:
                return try RedisListBroker(
                    url: server.url, blockTimeout: .milliseconds(200),
                    resultBackend: InMemoryResultBackend(maxStoredResults: -1), delayPollInterval: poll)
            }
        }

        @Test(arguments: Kind.allCases)
        func aDelayedKickIsHeldUntilDueThenDelivered(_ kind: Kind) async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Self.broker(kind, server)
                let ranAt = EventStream<ContinuousClock.Instant>()
                let stamp = broker.task("stamp") { () async throws -> Int in
                    ranAt.send(.now)
                    return 1
                }
                try await Redis.withWorker(broker) { (_: Receiver) async throws in
                    let kicked = ContinuousClock.now
                    let handle = try await stamp.kicker().withLabels(["delay": .double(0.4)]).kiq()
                    #expect(
                        try await client.send(["ZCARD", "taskiq:delayed"]).int == 1 || kicked.duration(to: .now) >= .milliseconds(400),
                        "held in the sorted set until due")
                    #expect(try await handle.waitResult(timeout: .seconds(10)).returnValue == 1)
                    let ran = try #require(try await ranAt.first(1).first)
                    #expect(ran - kicked >= .milliseconds(400), "ran \(ran - kicked) after the kick")
                    #expect(try await client.send(["ZCARD", "taskiq:delayed"]).int == 0)
                }
                if kind == .stream {
                    let entry = try await client.send(["XRANGE", "taskiq", "-", "+"]).array?.first?.array?.last?.array
                    #expect(entry?.first?.string == "data", "moved with taskiq-redis's wire format")
                }
            }
        }

        @Test func aMessageWithoutDelayIsAddedAtOnce() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Self.broker(.stream, server)
                let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await broker.startup()
                _ = try await add.kicker().withLabels(["delay": .double(0)]).kiq(1, 2)
                _ = try await add.kiq(1, 2)
                #expect(try await client.send(["XLEN", "taskiq"]).int == 2)
                #expect(try await client.send(["EXISTS", "taskiq:delayed"]).int == 0)
                try await broker.shutdown()
            }
        }

        @Test func smartRetryOnARedisStreamReallyWaits() async throws {
            try await RedisServer.with { server in
                let broker = try Self.broker(.stream, server)
                broker.addMiddlewares([SmartRetryMiddleware(defaultDelay: 0.5)])
                let times = Mutex<[ContinuousClock.Instant]>([])
                let flaky = broker.task("flaky", labels: ["retry_on_error": true, "max_retries": 3]) { () async throws -> Int in
                    let count = times.withLock { times in
                        times.append(.now)
                        return times.count
                    }
                    if count < 2 { throw TaskError(name: "ValueError", arguments: ["again"]) }
                    return 7
                }
                try await Redis.withWorker(broker) { (_: Receiver) async throws in
                    // 30 s: a loaded 2-core machine stretched the two runs and the 0.5 s retry past 10 s.
                    #expect(try await flaky.kiq().waitResult(timeout: .seconds(30)).returnValue == 7)
                }
                let instants = times.withLock { $0 }
                #expect(instants.count == 2)
                let gap = instants[1] - instants[0]
                #expect(gap >= .milliseconds(500), "the retry waited \(gap)")
            }
        }

        @Test(arguments: Kind.allCases)
        func twoWorkersMoveEachDelayedMessageOnce(_ kind: Kind) async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let runs = Mutex<[Int: Int]>([:])
                let first = try Self.broker(kind, server, consumer: "first", poll: .milliseconds(5))
                let second = try Self.broker(kind, server, consumer: "second", poll: .milliseconds(5))
                let producer = try Self.broker(kind, server)
                for broker in [first, second, producer] {
                    _ = broker.task("record") { (i: Int) async throws -> Int in
                        runs.withLock { $0[i, default: 0] += 1 }
                        return i
                    }
                }
                let count = 300
                try await producer.startup()
                try await Redis.withWorker(first) { (_: Receiver) async throws in
                    try await Redis.withWorker(second) { (_: Receiver) async throws in
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for i in 0..<count {
                                group.addTask {
                                    // Spread over 0.1–0.4 s so both movers find work on many passes.
                                    let delay = 0.1 + Double(i % 30) / 100
                                    try await producer.send(
                                        TaskiqMessage(
                                            taskID: "t\(i)", taskName: "record",
                                            labels: ["delay": .double(delay)], args: [.int(i)]))
                                }
                            }
                            try await group.waitForAll()
                        }
                        do {
                            try await eventually("every delayed message ran", seconds: 30) {
                                runs.withLock { $0.count } == count
                            }
                        } catch {
                            // Where the others are: still delayed, or waiting on the queue.
                            let ran = runs.withLock { $0.count }
                            let delayed = try? await client.send(["ZCARD", "taskiq:delayed"]).int
                            let queued = try? await client.send([kind == .list ? "LLEN" : "XLEN", "taskiq"]).int
                            Issue.record(
                                "\(ran) of \(count) ran; \(delayed ?? -1) still delayed, \(queued ?? -1) on the queue (\(kind))")
                            throw error
                        }
                        if kind == .stream {
                            try await eventually("every entry acknowledged") { try await Redis.pendingCount(client) == 0 }
                        }
                    }
                }
                try await producer.shutdown()
                let counts = runs.withLock { $0 }
                #expect(counts.count == count)
                #expect(counts.values.allSatisfy { $0 == 1 }, "duplicates: \(counts.filter { $0.value > 1 })")
                #expect(try await client.send(["ZCARD", "taskiq:delayed"]).int == 0)
                if kind == .stream { #expect(try await client.send(["XLEN", "taskiq"]).int == count, "each moved once") }
            }
        }

        @Test(arguments: Kind.allCases)
        func aMessageDelayedWhileNoWorkerRanIsDeliveredWhenOneStarts(_ kind: Kind) async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let producer = try Self.broker(kind, server)
                let add = producer.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await producer.startup()
                let handle = try await add.kicker().withLabels(["delay": .double(0.2)]).kiq(20, 1)
                try await producer.shutdown()
                // Past its due time, with no worker to move it, it waits in Redis.
                let overdue = """
                    local t = redis.call('TIME')
                    local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
                    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(head[2])
                    """
                try await eventually("the message is well past due") {
                    try await client.send(["EVAL", overdue, 1, "taskiq:delayed"]).int ?? 0 > 300
                }
                #expect(try await client.send(["ZCARD", "taskiq:delayed"]).int == 1)
                let worker = try Self.broker(kind, server)
                _ = worker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await Redis.withWorker(worker) { (_: Receiver) async throws in
                    let result = try await worker.resultBackend.waitResult(handle.taskID, timeout: .seconds(10), withLogs: false)
                    #expect(result.returnValue == 21)
                }
                #expect(try await client.send(["ZCARD", "taskiq:delayed"]).int == 0)
            }
        }
    }
}
