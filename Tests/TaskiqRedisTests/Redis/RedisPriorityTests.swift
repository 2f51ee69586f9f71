import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// Priorities on the stream broker: one stream per level, read highest first.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisPriorityTests {
        @Test func highPriorityTasksQueuedLaterRunFirst() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let producer = try Redis.streamBroker(server) { $0.priorities = 3 }
                let send = producer.task("job") { (_: Int) async throws -> Int in 0 }
                try await producer.startup()
                // The worker is stopped: 20 low (no label, the plain stream) then 20 high.
                for index in 0..<20 { _ = try await send.kiq(index) }
                for index in 20..<40 { _ = try await send.kicker().withLabels(["priority": 2]).kiq(index) }
                #expect(try await client.send(["XLEN", "taskiq"]).int == 20, "priority 0 stays on the plain stream")
                #expect(try await client.send(["XLEN", "taskiq:priority:2"]).int == 20)
                try await producer.shutdown()

                let order = Mutex<[Int]>([])
                let done = EventStream<Void>()
                let worker = try Redis.streamBroker(server) { $0.priorities = 3 }
                worker.task("job") { (index: Int) async throws -> Int in
                    let count = order.withLock { order in
                        order.append(index)
                        return order.count
                    }
                    if count == 40 { done.send(()) }
                    return index
                }
                try await Redis.withWorker(worker, ReceiverOptions(maxAsyncTasks: 1)) { (_: Receiver) async throws in
                    _ = try await done.first(1, timeout: 60)
                }
                let ran = order.withLock { $0 }
                #expect(Set(ran.prefix(20)) == Set(20..<40), "all high-priority tasks ran first: \(ran)")
                #expect(Set(ran.suffix(20)) == Set(0..<20))
                try await eventually("every stream is acknowledged") {
                    let low = try await Redis.pendingCount(client)
                    let high = try await Redis.pendingCount(client, stream: "taskiq:priority:2")
                    return low == 0 && high == 0
                }
            }
        }

        /// At-least-once holds per level: an entry a dead consumer took from a priority stream is
        /// claimed and run, and one past max_deliveries is dead-lettered with its stream named.
        @Test func priorityStreamsAreReclaimedAndDeadLettered() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let producer = try Redis.streamBroker(server) { $0.priorities = 2 }
                let send = producer.task("job") { (_: Int) async throws -> Int in 0 }
                try await producer.startup()
                let lost = try await send.kicker().withLabels(["priority": 1]).kiq(1)
                // A consumer with no lease takes it and dies.
                _ = try await client.send(["XREADGROUP", "GROUP", "taskiq", "ghost", "STREAMS", "taskiq:priority:1", ">"])
                #expect(try await Redis.pendingCount(client, stream: "taskiq:priority:1") == 1)
                // An entry already delivered past max_deliveries (5 by default).
                _ = try await client.send([
                    "XADD", "taskiq:priority:1", "*", "data",
                    Redis.message("tired", "job", args: "[2]", labels: #"{"priority": 1}"#),
                    RedisStreamEntry.deliveriesField, "9",
                ])
                try await producer.shutdown()

                let ran = EventStream<String>()
                let worker = try Redis.streamBroker(server) { $0.priorities = 2 }
                worker.task("job") { (_: Int) async throws -> Int in
                    ran.send(TaskContext.current?.message.taskID ?? "")
                    return 0
                }
                try await Redis.withWorker(worker) { (_: Receiver) async throws in
                    #expect(try await ran.first(1, timeout: 60) == [lost.taskID], "claimed from the dead consumer")
                    try await eventually("the tired entry is dead-lettered") {
                        try await client.send(["XLEN", "taskiq:dead"]).int == 1
                    }
                }
                let letters = try await client.send(["XRANGE", "taskiq:dead", "-", "+"])
                let queue = RedisStreamEntry.fromList(letters).first?.fields?.first { $0.name == "queue" }?.value
                #expect(queue.map { String(decoding: $0, as: UTF8.self) } == "taskiq:priority:1", "the letter names its stream")
            }
        }

        @Test func labelsAreRoutedCappedAndChecked() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Redis.streamBroker(server) { $0.priorities = 3 }
                let send = broker.task("job") { (_: Int) async throws -> Int in 0 }
                try await broker.startup()
                _ = try await send.kicker().withLabels(["priority": 9]).kiq(1)
                _ = try await send.kicker().withLabels(["priority": "1"]).kiq(2)
                #expect(try await client.send(["XLEN", "taskiq:priority:2"]).int == 1, "above the highest level: the highest")
                #expect(try await client.send(["XLEN", "taskiq:priority:1"]).int == 1, "a text label as taskiq's wire sends it")
                for bad: JSONValue in [-1, "high", 1.5] {
                    await #expect(throws: TaskiqError.self) { try await send.kicker().withLabels(["priority": bad]).kiq(3) }
                }
                try await broker.shutdown()

                let plain = try Redis.streamBroker(server) { $0.queueName = "plain" }
                let sendPlain = plain.task("job") { (_: Int) async throws -> Int in 0 }
                try await plain.startup()
                _ = try await sendPlain.kicker().withLabels(["priority": 5]).kiq(1)
                #expect(try await client.send(["XLEN", "plain"]).int == 1, "without priorities the label is ignored (with a warning)")
                #expect(try await client.send(["EXISTS", "plain:priority:5"]).int == 0)
                try await plain.shutdown()
            }
        }
    }
}
