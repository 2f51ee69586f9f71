import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension Redis {
    /// Dead letters in a Redis stream, and the stream broker's and receiver's use of them,
    /// against a real redis-server.
    @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
    struct RedisDeadLetterTests {
        @Test func theStreamQueueBehavesLikeEveryQueue() async throws {
            try await RedisServer.with { server in
                let queue = try RedisStreamDeadLetterQueue(url: server.url, stream: "letters")
                try await DeadLetterQueueContract.exercise(queue)
                try await queue.shutdown()
            }
        }

        @Test func onlyAnInvalidIDReadsAsAbsentOtherRefusalsAreErrors() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let queue = try RedisStreamDeadLetterQueue(url: server.url, stream: "letters")
                #expect(try await queue.letter(id: "not-an-id") == nil)
                #expect(try await queue.remove(id: "not-an-id") == false)
                // A refusal that is not about the ID (here WRONGTYPE) must not pass for "no such
                // letter": `retry` would report a letter missing, or replay one it failed to remove.
                try await client.send(["SET", "letters", "not a stream"])
                let read = await #expect(throws: RedisError.self) { try await queue.letter(id: "1-0") }
                #expect(read?.code == "WRONGTYPE")
                await #expect(throws: RedisError.self) { try await queue.remove(id: "1-0") }
                try await queue.shutdown()
            }
        }

        @Test func entriesWrittenBeforeReasonCodesExistedAreReadable() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let data = Redis.message("old", "add", args: "[1, 2]")
                let id = try await client.send([
                    "XADD", "taskiq:dead", "*", "data", data, "reason",
                    "delivered 6 times, more than max_deliveries (5)", "original_id", "1-1",
                    "delivery_count", 6, "queue", "taskiq",
                ]).string!
                try await client.send(["XADD", "taskiq:dead", "*", "payload", "x", "reason", "no 'data' field (fields: payload)"])
                let broker = try Redis.streamBroker(server)
                let letters = try await broker.ownDeadLetters.list(order: .oldestFirst, limit: nil)
                #expect(letters.map(\.reason) == [.deliveryLimit, .undecodable])
                let old = try #require(letters.first)
                #expect(old.id == id && old.data == data && old.originalID == "1-1" && old.deliveries == 6)
                #expect(old.taskName == "add" && old.taskID == "old", "read from the message bytes")
                let milliseconds = Double(id.split(separator: "-")[0])! / 1000
                #expect(abs(old.timestamp.timeIntervalSince1970 - milliseconds) < 0.001, "the time comes from the entry ID")
                try await broker.shutdown()
            }
        }

        @Test func theReceiverPutsUndecodableAndUnknownMessagesOnTheBrokersDeadStream() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Redis.streamBroker(server)
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                let garbage: [UInt8] = [0xFF, 0xFE, 0x00, 0x7B]
                let unknown = Redis.message("u1", "nobody.home", args: "[1]")
                let letters = try await Redis.withWorker(broker, ReceiverOptions(brokerName: "default")) { receiver in
                    try await client.send(["XADD", "taskiq", "*", "data", garbage])
                    try await client.send(["XADD", "taskiq", "*", "data", unknown])
                    try await eventually("both dead-lettered") { receiver.statistics.deadLettered == 2 }
                    try await eventually("both acknowledged") { try await Redis.pendingCount(client) == 0 }
                    return try await broker.ownDeadLetters.list(order: .oldestFirst, limit: nil)
                }
                // The two entries are handled concurrently, so their letters may come in either order.
                try #require(letters.count == 2)
                let undecodable = letters.first { $0.reason == .undecodable }
                let unknownTask = letters.first { $0.reason == .unknownTask }
                #expect(undecodable?.data == garbage, "the bytes exactly as delivered")
                #expect(unknownTask?.data == unknown, "the bytes exactly as delivered")
                #expect(unknownTask?.taskName == "nobody.home" && unknownTask?.taskID == "u1")
                #expect(letters.allSatisfy { $0.broker == "default" })
                let raw = try await client.send(["XRANGE", "taskiq:dead", "-", "+"]).array ?? []
                #expect(raw.count == 2, "one stream, the broker's own <queue>:dead")
            }
        }

        @Test func anotherQueueTakesTheBrokersDeliveryLimitLetters() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let letters = InMemoryDeadLetterQueue()
                let broker = try Redis.streamBroker(server) {
                    $0.maxDeliveries = 1
                    $0.consumerName = "w"
                }
                broker.withDeadLetterQueue(letters)
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await RedisStreamBroker.createGroup(client: client, stream: "taskiq", group: "taskiq")
                let data = Redis.message("twice", "add", args: "[1, 1]")
                let id = try await client.send(["XADD", "taskiq", "*", "data", data]).string!
                // Delivered twice to this consumer name already: the restarted consumer re-reads it first.
                _ = try await client.send(["XREADGROUP", "GROUP", "taskiq", "w", "COUNT", 1, "STREAMS", "taskiq", ">"])
                try await client.send(["XCLAIM", "taskiq", "taskiq", "w", 0, id])
                try await Redis.withWorker(broker) { _ in
                    try await eventually("dead-lettered") { letters.count == 1 }
                    try await eventually("acknowledged once stored") { try await Redis.pendingCount(client) == 0 }
                }
                let letter = try #require(try await letters.list(limit: nil).first)
                #expect(letter.reason == .deliveryLimit && letter.data == data && letter.originalID == id)
                #expect(try await client.send(["EXISTS", "taskiq:dead"]).int == 0)
            }
        }

        @Test func aLetterThatCannotBeStoredLeavesTheEntryPendingAndItIsDeliveredAgain() async throws {
            try await RedisServer.with { server in
                let client = try Redis.client(server)
                defer { client.close() }
                let broker = try Redis.streamBroker(server) { $0.idleTimeout = .seconds(1) }
                broker.withDeadLetterQueue(FileDeadLetterQueue(path: "/nonexistent-taskiq-dir/dead.jsonl"))
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
                try await Redis.withWorker(broker) { receiver in
                    try await client.send(["XADD", "taskiq", "*", "data", Redis.message("u", "nobody.home")])
                    try await client.send(["XADD", "taskiq", "*", "data", Redis.message("fine", "add", args: "[2, 2]")])
                    #expect(try await broker.resultBackend.waitResult("fine", timeout: .seconds(10), withLogs: false).returnValue == 4)
                    try await eventually("the letter failed") { receiver.statistics.deadLetterFailures == 1 }
                    try await eventually("the good entry acknowledged") { try await Redis.pendingCount(client) == 1 }
                    let pending = try await client.send(["XPENDING", "taskiq", "taskiq", "-", "+", 10]).array ?? []
                    #expect(pending.count == 1, "the unknown task's entry stays pending for redelivery")
                    // Released rather than kept fresh by the lease: idle_timeout later it comes back.
                    try await eventually("delivered again", seconds: 15) { receiver.statistics.deadLetterFailures >= 2 }
                    #expect(try await Redis.pendingCount(client) == 1)
                }
            }
        }
    }
}
