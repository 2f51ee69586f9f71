import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRabbitMQ

/// The dead-letter queue on the real node, alone and as the broker's.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct RabbitMQDeadLetterQueueTests {
    @Test func fulfilsTheDeadLetterQueueContract() async throws {
        try await withTimeout(seconds: 90) {
            let url = try await RabbitMQServer.shared().virtualHost()
            let queue = try RabbitMQDeadLetterQueue(url: url)
            try await DeadLetterQueueContract.exercise(queue)
            try await queue.shutdown()
        }
    }

    @Test func undecodableUnknownAndOverDeliveredMessagesAreDeadLetteredAndTheNextTaskRuns() async throws {
        try await withTimeout(seconds: 120) {
            let url = try await RabbitMQServer.shared().virtualHost()
            var options = RabbitMQBrokerOptions()
            options.maxDeliveries = 2
            let broker = try RabbitMQBroker(url: url, options: options, resultBackend: InMemoryResultBackend(maxStoredResults: -1))
            let add = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
            // A message delivered twice already: nack it twice with a raw consumer first.
            try await broker.startup()
            let body = Array(
                #"{"task_id": "over", "task_name": "add", "labels": {}, "labels_types": {}, "args": [1, 2], "kwargs": {}}"#.utf8)
            try await broker.kick(BrokerMessage(taskID: "over", taskName: "add", message: body, labels: [:]))
            let raw = try await RabbitMQFeatureTests.connect(url)
            let channel = try await raw.openChannel()
            let consumer = try await channel.consume(queue: "taskiq")
            var iterator = consumer.makeAsyncIterator()
            for _ in 0..<2 {
                let delivery = try #require(try await iterator.next())
                try channel.nack(delivery.deliveryTag, requeue: true)
            }
            await raw.close()
            try await broker.shutdown()

            try await RabbitMQFeatureTests.withWorker(broker) {
                try await broker.kick(BrokerMessage(taskID: "u", taskName: "?", message: Array("not json".utf8), labels: [:]))
                try await broker.kick(
                    BrokerMessage(
                        taskID: "x", taskName: "missing",
                        message: Array(
                            #"{"task_id": "x", "task_name": "missing", "labels": {}, "labels_types": {}, "args": [], "kwargs": {}}"#.utf8),
                        labels: [:]))
                let handle = try await add.kiq(2, 3)
                #expect(try await handle.waitResult(timeout: .seconds(30)).returnValue == 5)
                try await eventually("three letters stored", seconds: 30, every: .milliseconds(200)) {
                    try await broker.ownDeadLetters.list(limit: nil).count == 3
                }
            }
            let letters = try await broker.ownDeadLetters.list(order: .oldestFirst, limit: nil)
            let reasons = Set(letters.map(\.reason))
            #expect(reasons == [.deliveryLimit, .undecodable, .unknownTask])
            let over = try #require(letters.first { $0.reason == .deliveryLimit })
            // 3, or 4 when the raw consumer had it delivered once more before its connection closed.
            #expect((over.deliveries ?? 0) >= 3, "\(over)")
            #expect(over.taskID == "over", "\(over)")
            #expect(over.queue == "taskiq")
            #expect(over.data == body)
            #expect(letters.first { $0.reason == .unknownTask }?.taskName == "missing")
            #expect(try await broker.resultBackend.isResultReady("over") == false, "the over-delivered task did not run")
            let check = try await RabbitMQFeatureTests.connect(url)
            #expect(try await check.openChannel().declareQueue("taskiq", passive: true).messageCount == 0, "all acked")
            await check.close()
            try await broker.ownDeadLetters.shutdown()
        }
    }

    @Test func aLetterThatCannotBeStoredLeavesTheDeliveryUnacknowledged() async throws {
        try await withTimeout(seconds: 90) {
            let url = try await RabbitMQServer.shared().virtualHost()
            // A dead-letter queue that cannot store: its queue is missing and it may only check for it.
            let broker = try RabbitMQBroker(url: url, resultBackend: InMemoryResultBackend(maxStoredResults: -1))
            let missing = try RabbitMQDeadLetterQueue(url: url, queue: "missing", passive: true)
            broker.withDeadLetterQueue(missing)
            try await broker.startup()
            try await broker.kick(BrokerMessage(taskID: "u", taskName: "?", message: Array("not json".utf8), labels: [:]))
            let deliveries = try await broker.listen()
            let receiver = Receiver(broker: broker)
            var iterator = deliveries.makeAsyncIterator()
            let first = try #require(try await iterator.next())
            await receiver.handle(first)
            #expect(receiver.statistics.deadLetterFailures == 1)
            // Released, so it comes back: not acked, not lost.
            let again = try #require(try await iterator.next())
            #expect(again.data == Array("not json".utf8))
            try await again.ack?()
            receiver.shutdown()
            try await broker.shutdown()
        }
    }
}
