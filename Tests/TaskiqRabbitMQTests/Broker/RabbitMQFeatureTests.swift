import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRabbitMQ

/// Delays, routing, priorities, passive declares and dead-lettering against the real node, each
/// test in a virtual host of its own.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct RabbitMQFeatureTests {
    /// A receiver on `broker` for the duration of `body`.
    static func withWorker<T: Sendable>(_ broker: RabbitMQBroker, _ body: @Sendable () async throws -> T) async throws -> T {
        try await broker.startup()
        let receiver = Receiver(broker: broker)
        let running = Task { try await receiver.run() }
        do {
            let value = try await body()
            receiver.stop()
            try await withTimeout(seconds: 20) { try await running.value }
            try await broker.shutdown()
            receiver.shutdown()
            return value
        } catch {
            receiver.stop()
            _ = try? await withTimeout(seconds: 20) { try await running.value }
            try? await broker.shutdown()
            receiver.shutdown()
            throw error
        }
    }

    static func connect(_ url: String) async throws -> AMQPConnection {
        try await AMQPConfiguration(url: url).connect()
    }

    @Test func aShortDelayIsNotHeldBackByALongerOneKickedBefore() async throws {
        try await withTimeout(seconds: 90) {
            let url = try await RabbitMQServer.shared().virtualHost()
            var options = RabbitMQBrokerOptions()
            options.delay = .ttlQueues(prefix: "taskiq.delay")
            let broker = try RabbitMQBroker(url: url, options: options, resultBackend: InMemoryResultBackend(maxStoredResults: -1))
            let ran = EventStream<String>()
            let echo = broker.task("echo") { (name: String) async throws -> String in
                ran.send(name)
                return name
            }
            try await Self.withWorker(broker) {
                let start = ContinuousClock.now
                _ = try await echo.kicker().withLabels(["delay": .int(10)]).kiq("long")
                _ = try await echo.kicker().withLabels(["delay": .string("1")]).kiq("short")
                let first = try await ran.first(1, timeout: 60)
                #expect(first == ["short"])
                #expect(ContinuousClock.now - start >= .milliseconds(900), "the short one waited its delay")
                let second = try await ran.first(1, timeout: 60)
                #expect(second == ["long"])
                #expect(ContinuousClock.now - start >= .milliseconds(9900))
            }
            let check = try await Self.connect(url)
            let channel = try await check.openChannel()
            #expect(try await channel.declareQueue("taskiq.delay.taskiq.10000", passive: true).messageCount == 0)
            // Redeclaring with the same arguments is accepted: they are what the broker declared.
            try await channel.declareQueue(
                "taskiq.delay.taskiq.1000",
                arguments: try RabbitMQDelayQueue(
                    prefix: "taskiq.delay", exchange: "taskiq", routingKey: "taskiq", milliseconds: 1000
                ).arguments)
            await check.close()
        }
    }

    @Test func delaysFailClearlyWithoutAMechanismAndForBadLabels() async throws {
        try await withTimeout(seconds: 60) {
            let url = try await RabbitMQServer.shared().virtualHost()
            let plain = try RabbitMQBroker(url: url)
            try await plain.startup()
            await #expect {
                try await plain.kick(BrokerMessage(taskID: "t", taskName: "n", message: [], labels: ["delay": .int(1)]))
            } throws: { ($0 as? TaskiqError)?.code == .unsupported }
            try await plain.shutdown()

            var options = RabbitMQBrokerOptions()
            options.delay = .ttlQueues(prefix: "d")
            let broker = try RabbitMQBroker(url: url, options: options)
            try await broker.startup()
            for label in [JSONValue.string("soon"), .double(-1), .double(.nan), .double(1e300), .int(.max)] {
                await #expect {
                    try await broker.kick(BrokerMessage(taskID: "t", taskName: "n", message: [], labels: ["delay": label]))
                } throws: { ($0 as? TaskiqError)?.code == .invalidArguments }
            }
            // The connection is still good.
            try await broker.kick(BrokerMessage(taskID: "t", taskName: "n", message: [1], labels: ["delay": .int(0)]))
            try await broker.shutdown()
        }
    }

    @Test func thePluginIsAClearStartupErrorOnAServerWithoutIt() async throws {
        try await withTimeout(seconds: 60) {
            let url = try await RabbitMQServer.shared().virtualHost()
            var options = RabbitMQBrokerOptions()
            options.delay = .plugin
            let broker = try RabbitMQBroker(url: url, options: options)
            await #expect {
                try await broker.startup()
            } throws: { error in
                guard let error = error as? AMQPConnectionError else { return false }
                return error.replyCode == 503 && error.message.contains("does not have the delayed message plugin")
                    && error.message.contains("rabbitmq_delayed_message_exchange")
            }
            try await broker.shutdown()
        }
    }

    @Test func theRoutingLabelPicksTheQueueAndAnUnknownOneIsAnErrorNotALoss() async throws {
        try await withTimeout(seconds: 60) {
            let url = try await RabbitMQServer.shared().virtualHost()
            var options = RabbitMQBrokerOptions()
            options.queues = [RabbitMQQueue(name: "fast"), RabbitMQQueue(name: "slow", routingKey: "slow.key")]
            let broker = try RabbitMQBroker(url: url, options: options)
            try await broker.startup()
            try await broker.kick(BrokerMessage(taskID: "a", taskName: "n", message: [1], labels: ["queue_name": .string("fast")]))
            try await broker.kick(BrokerMessage(taskID: "b", taskName: "n", message: [2], labels: ["queue_name": .string("slow.key")]))
            await #expect {
                try await broker.kick(BrokerMessage(taskID: "c", taskName: "n", message: [3], labels: ["queue_name": .string("nowhere")]))
            } throws: { error in
                guard let error = error as? AMQPConnectionError else { return false }
                return error.code == .publishReturned && error.replyCode == 312 && error.message.contains("'nowhere'")
                    && error.message.contains("not stored")
            }
            await #expect {
                try await broker.kick(BrokerMessage(taskID: "d", taskName: "n", message: [4], labels: [:]))
            } throws: { ($0 as? TaskiqError)?.code == .invalidArguments && "\($0)".contains("queue_name") }
            try await broker.shutdown()
            let check = try await Self.connect(url)
            let channel = try await check.openChannel()
            #expect(try await channel.declareQueue("fast", passive: true).messageCount == 1)
            #expect(try await channel.declareQueue("slow", passive: true).messageCount == 1)
            await check.close()
        }
    }

    @Test func aClassicQueueWithMaxPriorityDeliversHighPriorityFirst() async throws {
        try await withTimeout(seconds: 60) {
            let url = try await RabbitMQServer.shared().virtualHost()
            var options = RabbitMQBrokerOptions()
            options.queues = [RabbitMQQueue(name: "prio", kind: .classic, maxPriority: 10)]
            let broker = try RabbitMQBroker(url: url, options: options)
            try await broker.startup()
            for (id, priority) in [("low1", 1), ("low2", 2), ("high", 9)] {
                try await broker.kick(
                    BrokerMessage(taskID: id, taskName: "n", message: Array(id.utf8), labels: ["priority": .int(priority)]))
            }
            var order: [String] = []
            for try await message in try await broker.listen() {
                order.append(String(decoding: message.data, as: UTF8.self))
                try await message.ack?()
                if order.count == 3 { break }
            }
            #expect(order == ["high", "low2", "low1"])
            try await broker.shutdown()
        }
    }

    @Test func passiveDeclaresNameAMissingQueueAndWorkWithExistingOnes() async throws {
        try await withTimeout(seconds: 60) {
            let url = try await RabbitMQServer.shared().virtualHost()
            var options = RabbitMQBrokerOptions()
            options.passive = true
            let passive = try RabbitMQBroker(url: url, options: options)
            await #expect {
                try await passive.startup()
            } throws: { error in
                guard let error = error as? AMQPConnectionError else { return false }
                return error.replyCode == 404 && error.message.contains("does not exist") && error.message.contains("'taskiq")
            }
            try await passive.shutdown()

            let owner = try RabbitMQBroker(url: url)
            try await owner.startup()
            try await owner.shutdown()
            let existing = try RabbitMQBroker(url: url, options: options)
            try await existing.startup()
            try await existing.kick(BrokerMessage(taskID: "p", taskName: "n", message: [7], labels: [:]))
            for try await message in try await existing.listen() {
                #expect(message.data == [7])
                try await message.ack?()
                break
            }
            try await existing.shutdown()
        }
    }
}
