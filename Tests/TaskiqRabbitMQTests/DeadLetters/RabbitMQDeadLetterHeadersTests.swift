import Foundation
import Taskiq
import Testing

@testable import TaskiqRabbitMQ

/// The headers a dead letter is stored with and read back from, without a server.
struct RabbitMQDeadLetterHeadersTests {
    @Test func everyFieldRoundTripsThroughTheProperties() {
        let letter = DeadLetter(
            reason: .deliveryLimit, message: "delivered 6 times", data: [0xFF, 0x00, 1], taskName: "t",
            taskID: "id1", broker: "default", queue: "taskiq", originalID: "abc", deliveries: 6,
            timestamp: Date(timeIntervalSince1970: 1_700_000_000.25),
            error: TaskError(name: "ValueError", arguments: [.string("bad")], module: "builtins"))
        let properties = RabbitMQDeadLetterQueue.properties(for: letter, id: "0123")
        #expect(properties.messageID == "0123")
        #expect(properties.deliveryMode == 2)
        #expect(properties.timestamp == 1_700_000_000)
        let headers = properties.headers ?? [:]
        #expect(headers["x-taskiq-reason"] == .string("delivery_limit"))
        #expect(headers["x-taskiq-error"] == .string("delivered 6 times"))
        #expect(headers["task_id"] == .string("id1"))
        #expect(headers["task_name"] == .string("t"))
        #expect(headers["x-taskiq-deliveries"] == .int64(6))
        #expect(headers["x-taskiq-time-ms"] == .int64(1_700_000_000_250))
        #expect(headers == headers.sorted(), "keys sorted, as pamqp writes them")
        var expected = letter
        expected.id = "0123"
        #expect(RabbitMQDeadLetterQueue.letter(from: properties, body: letter.data) == expected)
    }

    @Test func aMessageRabbitMQDeadLetteredItselfReadsWithTheServersReason() {
        let body = Array(#"{"task_id": "x1", "task_name": "wirefacts.add", "labels": {}, "args": [], "kwargs": {}}"#.utf8)
        var properties = AMQPProperties(
            headers: [
                "task_id": .string("x1"), "task_name": .string("wirefacts.add"),
                "x-first-death-queue": .string("taskiq"), "x-first-death-reason": .string("rejected"),
            ], deliveryMode: 2)
        properties.timestamp = 1_700_000_001
        let letter = RabbitMQDeadLetterQueue.letter(from: properties, body: body)
        #expect(letter.reason == DeadLetter.Reason("rejected"))
        #expect(letter.queue == "taskiq")
        #expect(letter.message.contains("rejected") && letter.message.contains("taskiq"))
        #expect(letter.taskName == "wirefacts.add" && letter.taskID == "x1")
        #expect(letter.timestamp == Date(timeIntervalSince1970: 1_700_000_001))
        #expect(letter.id == RabbitMQDeadLetterQueue.bodyID(body), "no message ID: the body's hash")
        #expect(letter.id.hasPrefix("body-") && letter.id.count == 21)

        properties.headers?["x-first-death-reason"] = .string("delivery_limit")
        #expect(RabbitMQDeadLetterQueue.letter(from: properties, body: body).reason == .deliveryLimit)
    }

    @Test func aBareMessageIsStillALetter() {
        let letter = RabbitMQDeadLetterQueue.letter(from: AMQPProperties(), body: [1, 2])
        #expect(letter.reason == DeadLetter.Reason("unknown"))
        #expect(letter.data == [1, 2])
        #expect(letter.id == RabbitMQDeadLetterQueue.bodyID([1, 2]))
        #expect(RabbitMQDeadLetterQueue.bodyID([]) == "body-cbf29ce484222325", "FNV-1a's offset basis")
    }

    static let deliveryCases: [(AMQPFieldTable, Bool, Int)] = [
        ([:], false, 1), (["x-delivery-count": .int64(0)], true, 1), (["x-delivery-count": .int64(4)], true, 5),
        ([:], true, 2), (["x-delivery-count": .int64(-3)], true, 2), (["x-delivery-count": .int64(.max)], true, 2),
        (["x-delivery-count": .string("4")], false, 1),
    ]

    @Test(arguments: deliveryCases)
    func deliveryCountIsTheQuorumCountPlusOne(_ headers: AMQPFieldTable, _ redelivered: Bool, _ expected: Int) {
        let delivery = AMQPDelivery(
            consumerTag: "c", deliveryTag: 1, redelivered: redelivered, exchange: "taskiq", routingKey: "taskiq",
            properties: AMQPProperties(headers: headers), body: [])
        #expect(RabbitMQBroker.deliveryCount(of: delivery) == expected)
    }
}
