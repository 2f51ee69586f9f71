import Foundation
import TaskiqRabbitMQ
import TaskiqTestSupport
import Testing

/// The client against a real RabbitMQ node (one per test process, see ``RabbitMQServer``).
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct AMQPConnectionServerTests {
    static func connect(password: String = "guest", heartbeat: UInt16 = 60) async throws -> AMQPConnection {
        let server = try await RabbitMQServer.shared()
        return try await AMQPConnection.connect(
            host: "127.0.0.1", port: UInt16(server.port),
            options: AMQPConnectionOptions(
                password: password, tuning: AMQPTuning(channelMax: 2047, frameMax: 131_072, heartbeat: heartbeat)))
    }

    static func uniqueName(_ prefix: String) -> String { "\(prefix).\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func handshakeAgreesOnTheServersLimits() async throws {
        try await withTimeout(seconds: 60) {
            let connection = try await Self.connect(heartbeat: 30)
            #expect(connection.tuning == AMQPTuning(channelMax: 2047, frameMax: 131_072, heartbeat: 30))
            let channel = try await connection.openChannel()
            #expect(channel.id == 1)
            await channel.close()
            await connection.close()
            #expect(connection.failure?.code == .closedLocally)
        }
    }

    /// taskiq-aio-pika 0.6.1's topology with its exact arguments (reference §1.1); the server
    /// accepts the declares again, which it would refuse (406) if any argument differed.
    @Test func declaresTheTaskiqTopology() async throws {
        try await withTimeout(seconds: 60) {
            let connection = try await Self.connect()
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            try await channel.qos(prefetchCount: 0)
            for _ in 0..<2 {
                try await channel.declareExchange("taskiq", type: "topic", durable: true)
                try await channel.declareQueue("taskiq.dead_letter", durable: true, arguments: ["x-queue-type": .string("quorum")])
                try await channel.declareQueue(
                    "taskiq", durable: true,
                    arguments: [
                        "x-dead-letter-exchange": .string(""), "x-dead-letter-routing-key": .string("taskiq.dead_letter"),
                        "x-queue-type": .string("quorum"),
                    ])
                try await channel.bindQueue("taskiq", exchange: "taskiq", routingKey: "taskiq")
            }
            // RabbitMQTopology declares the same, and checks it passively.
            try await channel.declare(RabbitMQTopology())
            try await channel.declare(RabbitMQTopology(), passive: true)
            let server = try await RabbitMQServer.shared()
            let queue = try await server.management("GET", "/api/queues/%2F/taskiq")
            let fields = queue.json as? [String: Any] ?? [:]
            #expect(fields["type"] as? String == "quorum", "\(queue.body)")
            #expect(fields["durable"] as? Bool == true, "\(queue.body)")
            #expect(
                (fields["arguments"] as? [String: Any])?["x-dead-letter-routing-key"] as? String == "taskiq.dead_letter",
                "\(queue.body)")
            let bindings = try await server.management("GET", "/api/bindings/%2F")
            #expect(
                bindings.objects.contains {
                    $0["source"] as? String == "taskiq" && $0["destination"] as? String == "taskiq"
                        && $0["routing_key"] as? String == "taskiq"
                }, "\(bindings.body)")
            await connection.close()
        }
    }

    /// Acks sent together leave as one `multiple` ack where that settles nothing else: a rejected
    /// delivery stays dead-lettered, an unsettled one stays with the consumer, and the server
    /// raises no 406 for a tag settled twice.
    @Test func acksSentTogetherSettleExactlyTheirDeliveries() async throws {
        try await withTimeout(seconds: 60) {
            let connection = try await Self.connect()
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            let queue = Self.uniqueName("coalesced")
            try await channel.declareQueue(queue, durable: false, autoDelete: false)
            for index in 0..<50 { try await channel.publish(exchange: "", routingKey: queue, body: Array("\(index)".utf8)) }
            let consumer = try await channel.consume(queue: queue)
            var tags: [UInt64] = []
            for try await delivery in consumer {
                tags.append(delivery.deliveryTag)
                if tags.count == 50 { break }
            }
            // One burst, no await in between: the acks share a write.
            let running = tags[29]
            for tag in tags.reversed() where tag != running && tag != tags[9] { try channel.ack(tag) }
            try channel.reject(tags[9], requeue: false)
            // A round trip on the same channel: a tag acked twice or unknown would have closed it (406).
            try await channel.qos(prefetchCount: 0)
            await channel.close()
            let probe = try await connection.openChannel()
            try await eventually("the unsettled delivery is back in the queue") {
                try await probe.declareQueue(queue, durable: false, passive: true).messageCount == 1
            }
            // Had a multiple ack covered it, nothing would come back; had acks been lost, 48 more would.
            #expect(try await probe.declareQueue(queue, durable: false, passive: true).messageCount == 1)
            #expect(connection.failure == nil)
            await connection.close()
        }
    }

    @Test func publishesAThousandWithConfirmsAndConsumesThemWithAcks() async throws {
        try await withTimeout(seconds: 120) {
            let connection = try await Self.connect()
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            let queue = Self.uniqueName("confirms")
            try await channel.declareQueue(queue, durable: true, arguments: ["x-queue-type": .string("quorum")])
            let count = 1000
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await channel.publish(
                            exchange: "", routingKey: queue, body: Array("message \(index)".utf8),
                            properties: AMQPProperties(headers: ["index": .int64(Int64(index))], deliveryMode: 2),
                            mandatory: true)
                    }
                }
                try await group.waitForAll()
            }
            // Every publish was confirmed, so the queue holds them all.
            let declared = try await channel.declareQueue(queue, passive: true)
            #expect(declared.messageCount == UInt32(count))

            let consuming = try await connection.openChannel()
            try await consuming.qos(prefetchCount: 50)
            let consumer = try await consuming.consume(queue: queue)
            var seen = Set<Int>()
            for try await delivery in consumer {
                guard case .int64(let index)? = delivery.properties.headers?["index"] else {
                    Issue.record("delivery without its index header: \(delivery.properties)")
                    break
                }
                #expect(delivery.body == Array("message \(index)".utf8))
                #expect(delivery.properties.deliveryMode == 2)
                seen.insert(Int(index))
                try consuming.ack(delivery.deliveryTag)
                if seen.count == count { break }
            }
            #expect(seen == Set(0..<count))
            try await consuming.cancel(consumer.tag)
            let after = try await consuming.declareQueue(queue, passive: true)
            #expect(after.messageCount == 0)
            await connection.close()
        }
    }

    @Test func wrongPasswordIsAccessRefusedNotAHang() async throws {
        try await withTimeout(seconds: 120) {
            do {
                let connection = try await Self.connect(password: "not-the-password")
                await connection.close()
                Issue.record("a wrong password connected")
            } catch let error as AMQPConnectionError {
                #expect(error.code == .accessRefused, "\(error)")
                #expect(error.replyCode == 403, "\(error)")
                #expect(error.replyText.contains("ACCESS_REFUSED"), "\(error)")
            }
        }
    }

    @Test func redeclaringWithOtherArgumentsIsAChannelError406() async throws {
        try await withTimeout(seconds: 60) {
            let connection = try await Self.connect()
            let channel = try await connection.openChannel()
            let queue = Self.uniqueName("inequivalent")
            try await channel.declareQueue(queue, durable: true, arguments: ["x-queue-type": .string("quorum")])
            do {
                try await channel.declareQueue(queue, durable: true, arguments: ["x-queue-type": .string("classic")])
                Issue.record("an inequivalent redeclare succeeded")
            } catch let error as AMQPConnectionError {
                #expect(error.code == .channelClosedByServer, "\(error)")
                #expect(error.replyCode == 406, "\(error)")
                #expect(error.replyText.contains("PRECONDITION_FAILED"), "\(error)")
            }
            // The channel is gone, with the same error; the connection is not.
            await #expect(throws: AMQPConnectionError.self) { try await channel.qos(prefetchCount: 1) }
            let fresh = try await connection.openChannel()
            try await fresh.declareQueue(queue, passive: true)
            #expect(connection.failure == nil)
            await connection.close()
        }
    }

    @Test func unroutableMandatoryPublishIsReturnedAsAnError() async throws {
        try await withTimeout(seconds: 60) {
            let connection = try await Self.connect()
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            let exchange = Self.uniqueName("noroute")
            try await channel.declareExchange(exchange, type: "topic", durable: false, autoDelete: true)
            do {
                try await channel.publish(exchange: exchange, routingKey: "", body: [1], mandatory: true)
                Issue.record("an unroutable mandatory publish was confirmed as delivered")
            } catch let error as AMQPConnectionError {
                #expect(error.code == .publishReturned, "\(error)")
                #expect(error.replyCode == 312, "\(error)")
            }
            // The channel still works after a return.
            try await channel.publish(exchange: "", routingKey: "amq.absent", body: [2])
            await connection.close()
        }
    }

    /// A rejected delivery is dead-lettered with `x-death`, an array of tables carrying `l`,
    /// `S`, `T` and nested `A` values: the server's own field-table encoding, decoded.
    @Test func rejectedDeliveryArrivesDeadLetteredWithXDeath() async throws {
        try await withTimeout(seconds: 60) {
            let connection = try await Self.connect()
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            let queue = Self.uniqueName("work")
            let dead = queue + ".dead"
            try await channel.declareQueue(dead, durable: true, arguments: ["x-queue-type": .string("quorum")])
            try await channel.declareQueue(
                queue, durable: true,
                arguments: [
                    "x-dead-letter-exchange": .string(""), "x-dead-letter-routing-key": .string(dead), "x-queue-type": .string("quorum"),
                ])
            try await channel.publish(exchange: "", routingKey: queue, body: Array("poison".utf8), mandatory: true)
            let consumer = try await channel.consume(queue: queue)
            for try await delivery in consumer {
                try channel.reject(delivery.deliveryTag, requeue: false)
                break
            }
            let deadConsumer = try await channel.consume(queue: dead)
            for try await delivery in deadConsumer {
                #expect(delivery.body == Array("poison".utf8))
                guard case .array(let deaths)? = delivery.properties.headers?["x-death"], case .table(let death)? = deaths.first else {
                    Issue.record("no x-death array of tables in \(String(describing: delivery.properties.headers))")
                    break
                }
                #expect(death["reason"]?.stringValue == "rejected")
                #expect(death["queue"]?.stringValue == queue)
                #expect(death["count"]?.integerValue == 1)
                if case .timestamp = death["time"] {
                } else {
                    Issue.record("x-death time is not a timestamp: \(String(describing: death["time"]))")
                }
                try channel.ack(delivery.deliveryTag)
                break
            }
            await connection.close()
        }
    }

    /// taskiq-aio-pika's documented failure: a quorum queue refuses `x-max-priority` (406), and
    /// a passive declare of a missing queue is 404; both surface with their codes.
    @Test func topologyErrorsCarryTheServersCodes() async throws {
        try await withTimeout(seconds: 60) {
            let connection = try await Self.connect()
            let name = Self.uniqueName("prio")
            let quorumWithPriority = RabbitMQTopology(
                exchange: name, queues: [RabbitMQQueue(name: name, kind: .quorum, maxPriority: 10)],
                deadLetterQueue: name + ".dead")
            do {
                try await connection.openChannel().declare(quorumWithPriority)
                Issue.record("a quorum queue accepted x-max-priority")
            } catch let error as AMQPConnectionError {
                #expect(error.replyCode == 406, "\(error)")
            }
            let classic = RabbitMQTopology(
                exchange: name, queues: [RabbitMQQueue(name: name, kind: .classic, maxPriority: 10)],
                deadLetterQueue: name + ".dead")
            try await connection.openChannel().declare(classic)
            do {
                try await connection.openChannel().declare(
                    RabbitMQTopology(
                        exchange: name, queues: [RabbitMQQueue(name: name + ".absent")],
                        deadLetterQueue: name + ".dead"), passive: true)
                Issue.record("a passive declare of a missing queue succeeded")
            } catch let error as AMQPConnectionError {
                #expect(error.replyCode == 404, "\(error)")
            }
            await connection.close()
        }
    }

    /// A nacked delivery with requeue comes back redelivered, and a quorum queue counts it in
    /// `x-delivery-count` (type `l`): what a `max_deliveries` limit will read.
    @Test func nackWithRequeueRedeliversWithADeliveryCount() async throws {
        try await withTimeout(seconds: 60) {
            let connection = try await Self.connect()
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            let queue = Self.uniqueName("requeue")
            try await channel.declareQueue(queue, durable: true, arguments: ["x-queue-type": .string("quorum")])
            try await channel.publish(exchange: "", routingKey: queue, body: Array("again".utf8), mandatory: true)
            let consumer = try await channel.consume(queue: queue)
            var deliveries: [AMQPDelivery] = []
            for try await delivery in consumer {
                deliveries.append(delivery)
                if deliveries.count == 1 {
                    try channel.nack(delivery.deliveryTag, requeue: true)
                } else {
                    try channel.ack(delivery.deliveryTag)
                    break
                }
            }
            #expect(deliveries.map(\.redelivered) == [false, true])
            #expect(deliveries[0].properties.headers?["x-delivery-count"] == nil)
            #expect(deliveries[1].properties.headers?["x-delivery-count"] == .int64(1))
            #expect(deliveries.allSatisfy { $0.body == Array("again".utf8) })
            await connection.close()
        }
    }
}
