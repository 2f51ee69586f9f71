import Taskiq
import TaskiqRabbitMQ
import TaskiqTestSupport
import Testing

/// The first cut of the broker against the real node: aio-pika's publish properties, and a
/// kick → listen → ack round trip.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode, .serialized)
struct RabbitMQBrokerTests {
    @Test func kickPublishesWithAioPikasPropertiesAndListenAcks() async throws {
        try await withTimeout(seconds: 60) {
            let server = try await RabbitMQServer.shared()
            let broker = try RabbitMQBroker(url: server.url)
            try await broker.startup()
            let body = Array(#"{"task_id": "t1", "task_name": "wirefacts.add"}"#.utf8)
            try await broker.kick(
                BrokerMessage(
                    taskID: "t1", taskName: "wirefacts.add", message: body,
                    labels: ["priority": .int(5), "custom": .string("hello")]))

            // What is on the wire, read by a plain consumer.
            let raw = try await AMQPConnection.connect(host: "127.0.0.1", port: UInt16(server.port))
            let channel = try await raw.openChannel()
            let consumer = try await channel.consume(queue: "taskiq")
            var iterator = consumer.makeAsyncIterator()
            guard let delivery = try await iterator.next() else {
                Issue.record("nothing delivered")
                return
            }
            #expect(delivery.body == body)
            #expect(delivery.exchange == "taskiq")
            #expect(delivery.routingKey == "taskiq")
            #expect(delivery.properties.flags == 0x3880)
            #expect(delivery.properties.deliveryMode == 2)
            #expect(delivery.properties.priority == 5)
            #expect(delivery.properties.messageID?.count == 32)
            #expect(
                delivery.properties.headers == [
                    "custom": .string("hello"), "priority": .string("5"), "task_id": .string("t1"), "task_name": .string("wirefacts.add"),
                ])
            try channel.reject(delivery.deliveryTag, requeue: true)
            try await channel.cancel(consumer.tag)
            await raw.close()

            // The same message through the broker's own listener, acknowledged.
            let deliveries = try await broker.listen()
            for try await message in deliveries {
                #expect(message.data == body)
                try await message.ack?()
                break
            }
            try await broker.shutdown()
            let check = try await AMQPConnection.connect(host: "127.0.0.1", port: UInt16(server.port))
            #expect(try await check.openChannel().declareQueue("taskiq", passive: true).messageCount == 0)
            await check.close()
        }
    }

    @Test func kickBeforeStartupIsAClearErrorAndTheURLIsMasked() async throws {
        let broker = try RabbitMQBroker(url: "amqp://guest:secret@127.0.0.1:1")
        #expect(!broker.url.contains("secret"))
        await #expect(throws: TaskiqError.self) {
            try await broker.kick(BrokerMessage(taskID: "t", taskName: "n", message: [], labels: [:]))
        }
    }
}
