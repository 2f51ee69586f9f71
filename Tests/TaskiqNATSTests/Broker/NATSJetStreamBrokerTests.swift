import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqNATS

/// The JetStream broker against a real nats-server: taskiq-nats' stream and consumer, the kick →
/// pull → ack round trip, redelivery of what was released, native delays and the delivery limit.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSJetStreamBrokerTests {
    static func message(_ id: String, labels: [String: JSONValue] = [:]) -> BrokerMessage {
        let body = Array(
            #"{"task_id": "\#(id)", "task_name": "wirefacts.add", "labels": {}, "labels_types": {}, "args": [1, 2], "kwargs": {}}"#.utf8)
        return BrokerMessage(taskID: id, taskName: "wirefacts.add", message: body, labels: labels)
    }

    @Test func withoutDeduplicationAKickCarriesNoMessageIDAndTheSameBytesAreStoredTwice() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                var options = NATSJetStreamBrokerOptions()
                options.deduplicate = false
                let broker = try NATSJetStreamBroker(url: server.url, options: options)
                try await broker.startup()
                try await broker.kick(Self.message("t1", labels: ["custom": .string("hello")]))
                try await broker.kick(Self.message("t2"))
                let first = try #require(try await broker.jetStream.message(stream: "taskiq_jetstream", sequence: 1))
                #expect(first.headers?["custom"] == "hello", "labels are still headers")
                #expect(first.headers?["Nats-Msg-Id"] == nil)
                let second = try #require(try await broker.jetStream.message(stream: "taskiq_jetstream", sequence: 2))
                #expect(second.headers == nil || second.headers?["Nats-Msg-Id"] == nil, "no labels, no ID: a plain PUB")
                try await broker.shutdown()
            }
        }
    }

    @Test func startupCreatesTaskiqNATSStreamAndConsumerAndARoundTripAcks() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                let broker = try NATSJetStreamBroker(url: server.url)
                try await broker.startup()
                let stream = try await broker.jetStream.api("STREAM.INFO.taskiq_jetstream")
                let config = try #require(stream["config"]?.objectValue)
                #expect(config["subjects"] == ["taskiq_tasks"])
                #expect(config["retention"] == "limits")
                #expect(config["storage"] == "file")
                let consumer = try await broker.jetStream.api("CONSUMER.INFO.taskiq_jetstream.taskiq_durable")
                let consumerConfig = try #require(consumer["config"]?.objectValue)
                #expect(consumerConfig["ack_policy"] == "explicit")
                #expect(consumerConfig["ack_wait"]?.intValue == 30_000_000_000)

                try await broker.kick(Self.message("t1", labels: ["priority": .int(5), "custom": .string("hello")]))
                let stored = try #require(try await broker.jetStream.message(stream: "taskiq_jetstream", sequence: 1))
                #expect(stored.headers?["priority"] == "5")
                #expect(stored.headers?["custom"] == "hello")
                #expect(stored.headers?["Nats-Msg-Id"]?.count == 32)

                let deliveries = try await broker.listen()
                for try await delivery in deliveries {
                    #expect(delivery.data == Self.message("t1").message)
                    try await delivery.ack?()
                    break
                }
                try await broker.client.flush()
                let after = try await broker.jetStream.api("CONSUMER.INFO.taskiq_jetstream.taskiq_durable")
                #expect(after["num_ack_pending"]?.intValue == 0)
                #expect(after["num_pending"]?.intValue == 0)
                try await broker.shutdown()
            }
        }
    }

    @Test func aReleasedDeliveryComesBackAndAWorkqueueStreamDropsAckedTasks() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                var options = NATSJetStreamBrokerOptions()
                options.retention = .workqueue
                let broker = try NATSJetStreamBroker(url: server.url, options: options)
                try await broker.startup()
                try await broker.kick(Self.message("t2"))
                let deliveries = try await broker.listen()
                var seen = 0
                for try await delivery in deliveries {
                    seen += 1
                    if seen == 1 {
                        await delivery.release?()
                    } else {
                        try await delivery.ack?()
                        break
                    }
                }
                #expect(seen == 2)
                try await broker.client.flush()
                let info = try await broker.jetStream.api("STREAM.INFO.taskiq_jetstream")
                #expect(info["config"]?.objectValue?["retention"] == "workqueue")
                #expect(info["state"]?.objectValue?["messages"]?.intValue == 0)
                try await broker.shutdown()
            }
        }
    }

    @Test func aDelayedKickWaitsOnTheServerNotInTheWorker() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                let broker = try NATSJetStreamBroker(url: server.url)
                try await broker.startup()
                let kicked = ContinuousClock.now
                try await broker.kick(Self.message("t3", labels: ["delay": .double(1.5)]))
                let deliveries = try await broker.listen()
                for try await delivery in deliveries {
                    #expect(ContinuousClock.now - kicked >= .milliseconds(1400))
                    try await delivery.ack?()
                    break
                }
                try await broker.shutdown()
            }
        }
    }

    @Test func aMessagePastMaxDeliveriesIsDeadLetteredAndTerminated() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                var options = NATSJetStreamBrokerOptions()
                options.maxDeliveries = 2
                let broker = try NATSJetStreamBroker(url: server.url, options: options)
                try await broker.startup()
                try await broker.kick(Self.message("t4"))
                let deliveries = try await broker.listen()
                var seen = 0
                let letters = Task {
                    // Releases every delivery; the third never arrives, it is dead-lettered.
                    for try await delivery in deliveries {
                        seen += 1
                        await delivery.release?()
                    }
                    return seen
                }
                var stored: [DeadLetter] = []
                while stored.isEmpty {
                    stored = try await broker.ownDeadLetters.list(limit: nil)
                    if stored.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(stored.count == 1)
                #expect(stored.first?.reason == .deliveryLimit)
                #expect(stored.first?.taskID == "t4")
                #expect(stored.first?.deliveries == 3)
                try await broker.client.flush()
                let consumer = try await broker.jetStream.api("CONSUMER.INFO.taskiq_jetstream.taskiq_durable")
                #expect(consumer["num_ack_pending"]?.intValue == 0)
                let id = try #require(stored.first?.id)
                #expect(try await broker.ownDeadLetters.letter(id: id)?.taskID == "t4")
                #expect(try await broker.ownDeadLetters.remove(id: id))
                #expect(try await broker.ownDeadLetters.letter(id: id) == nil)
                // IDs come from people: one past every sequence is simply not there, never a trap.
                #expect(try await broker.ownDeadLetters.letter(id: "18446744073709551615") == nil)
                #expect(try await broker.ownDeadLetters.remove(id: "18446744073709551615") == false)
                try await broker.shutdown()
                #expect(try await letters.value == 2)
            }
        }
    }
}

/// A message the server delivers again while this worker runs it (the server lost track of the
/// first delivery) is not handed to the worker twice; the running task's ack goes to the newest
/// delivery, and +WPI keeps it alive there.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSJetStreamRedeliveryTests {
    static func delivery(_ reply: String) throws -> JetStreamPullConsumer.Delivery {
        let message = NATSMessage(subject: "taskiq_tasks", sid: 1, replyTo: reply, headers: nil, payload: Array(#"{"task_id": "d"}"#.utf8))
        return JetStreamPullConsumer.Delivery(message: message, replySubject: reply, info: try #require(JetStreamAckSubject(reply)))
    }

    @Test func aSecondDeliveryOfARunningMessageIsNotStartedTwice() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                let broker = try NATSJetStreamBroker(url: server.url)
                try await broker.startup()
                _ = try await broker.listen()
                let watcher = NATSClient(configuration: try NATSConfiguration(url: server.url))
                try await watcher.connect()
                let (_, acks) = try watcher.messages("$JS.ACK.fake.>")
                try await watcher.flush()

                let (stream, continuation) = DeliveryStream.makeStream()
                let first = "$JS.ACK.fake.durable.1.7.1.1796393326933400598.0"
                let second = "$JS.ACK.fake.durable.2.7.2.1796393326933400598.0"
                broker.deliver(try Self.delivery(first), to: continuation)
                broker.deliver(try Self.delivery(second), to: continuation)
                continuation.finish()
                var handed: [AckableMessage] = []
                for try await message in stream { handed.append(message) }
                #expect(handed.count == 1, "the worker got the message once")
                try await handed.first?.ack?()
                var seen: [(String, String)] = []
                for await message in acks {
                    seen.append((message.subject, String(decoding: message.payload, as: UTF8.self)))
                    if seen.last?.1 == "+ACK" { break }
                }
                // The second delivery was kept alive at once, and the ack went to it.
                #expect(seen.map(\.0) == [second, second])
                #expect(seen.map(\.1) == ["+WPI", "+ACK"])
                await watcher.close()
                try await broker.shutdown()
            }
        }
    }
}
