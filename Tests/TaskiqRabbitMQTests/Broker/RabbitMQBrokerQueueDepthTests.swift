import Synchronization
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqRabbitMQ

/// `taskiq_queue_depth` for the RabbitMQ broker against the real node, each test in a virtual
/// host of its own: the ready count of each task queue, reads that leave the consumers and the
/// kicks' channel alone, a missing queue, and the one-second timeout.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct RabbitMQBrokerQueueDepthTests {
    static func message(_ id: String, labels: [String: JSONValue] = [:]) -> BrokerMessage {
        BrokerMessage(taskID: id, taskName: "depth.task", message: Array(id.utf8), labels: labels)
    }

    /// The depth of each queue; empty when the read timed out (a loaded machine), so that
    /// `eventually` asks again.
    static func depths(_ broker: RabbitMQBroker) async throws -> [String: Int] {
        let read: [QueueDepth]
        do {
            read = try await broker.queueDepths()
        } catch let error as AMQPConnectionError where error.code == .timeout {
            return [:]
        }
        return Dictionary(read.map { ($0.queue, $0.depth) }, uniquingKeysWith: { first, _ in first })
    }

    /// The messages left in `queue`, read on a connection of its own.
    static func stored(_ queue: String, url: String) async throws -> UInt32 {
        let connection = try await AMQPConfiguration(url: url).connect()
        let channel = try await connection.openChannel()
        let count = try await channel.declareQueue(queue, passive: true).messageCount
        await connection.close()
        return count
    }

    static func virtualHostName(_ url: String) -> String {
        String(url.split(separator: "/").last ?? "")
    }

    /// The channels open on each connection to the virtual host of `url`, as the node counts them.
    static func openChannels(_ server: RabbitMQServer, url: String) async throws -> [Int] {
        let host = virtualHostName(url)
        let listing = try await server.management("GET", "/api/vhosts/\(host)/connections?columns=channels")
        return listing.objects.compactMap { $0["channels"] as? Int }
    }

    /// The error of a read expected to fail, asking again while reads time out (a loaded machine).
    static func failure(of broker: RabbitMQBroker) async throws -> AMQPConnectionError {
        try await withTimeout(seconds: 30) {
            while true {
                do {
                    let depths = try await broker.queueDepths()
                    throw AMQPConnectionError(.invalidArgument, message: "the read did not fail: \(depths)")
                } catch let error as AMQPConnectionError where error.code == .timeout {
                    continue
                } catch let error as AMQPConnectionError where error.code != .invalidArgument {
                    return error
                }
            }
        }
    }

    @Test func theDepthCountsReadyTasksOnlyAndFallsToZeroOnceTheyAreAcked() async throws {
        try await withTimeout(seconds: 90) {
            let url = try await RabbitMQServer.shared().virtualHost()
            var options = RabbitMQBrokerOptions()
            options.qos = 2
            let broker = try RabbitMQBroker(url: url, options: options)
            let early = await #expect(throws: AMQPConnectionError.self) { try await broker.queueDepths() }
            #expect(early?.message.contains("not started") == true, "\(String(describing: early))")
            try await broker.startup()
            try await eventually("an empty queue reads 0") { try await Self.depths(broker) == ["taskiq": 0] }

            let count = 6
            for index in 0..<count { try await broker.kick(Self.message("d\(index)")) }
            try await eventually("the depth reaches \(count)") { try await Self.depths(broker) == ["taskiq": count] }

            let deliveries = try await broker.listen()
            var iterator = deliveries.makeAsyncIterator()
            var held: [AckableMessage] = []
            for _ in 0..<2 { held.append(try #require(try await iterator.next())) }
            // QoS 2: the two deliveries the worker holds unacknowledged are no longer ready.
            try await eventually("the held deliveries leave the depth") { try await Self.depths(broker) == ["taskiq": count - 2] }
            for message in held { try await message.ack?() }
            for _ in 2..<count {
                let message = try #require(try await iterator.next())
                try await message.ack?()
            }
            try await eventually("the depth falls to 0") { try await Self.depths(broker) == ["taskiq": 0] }
            try await broker.shutdown()
            // Closing the worker's connection returned nothing to the queue: every ack arrived.
            #expect(try await Self.stored("taskiq", url: url) == 0)
        }
    }

    /// Reads the depth without pause while a worker consumes 300 tasks, and before acking every
    /// 25th delivery waits for a read to complete: every task arrives exactly once, no
    /// connection is replaced, no ack is dropped, and no read fails (other than by its timeout,
    /// which a loaded machine may cause).
    @Test func readingWhileAWorkerConsumesDoesNotDisturbItsDeliveries() async throws {
        try await withTimeout(seconds: 120) {
            let url = try await RabbitMQServer.shared().virtualHost()
            let broker = try RabbitMQBroker(url: url)
            try await broker.startup()
            let deliveries = try await broker.listen()
            let count = 300
            let reads = ReadCount()
            let reading = Task {
                var samples: [Int] = []
                while !Task.isCancelled {
                    do {
                        let depth = try await broker.queueDepths()
                        samples.append(depth.first { $0.queue == "taskiq" }?.depth ?? -1)
                    } catch let error as AMQPConnectionError where error.code == .timeout {
                        // A loaded machine; any other error fails the test.
                    }
                    reads.value.add(1, ordering: .relaxed)
                }
                return samples
            }
            let kicking = Task {
                for index in 0..<count { try await broker.kick(Self.message("c\(index)")) }
            }
            var seen: [String: Int] = [:]
            var received = 0
            for try await message in deliveries {
                received += 1
                seen[String(decoding: message.data, as: UTF8.self), default: 0] += 1
                if received % 25 == 0 {
                    let before = reads.value.load(ordering: .relaxed)
                    try await eventually("a depth read completes while delivery \(received) is held") {
                        reads.value.load(ordering: .relaxed) > before
                    }
                }
                try await message.ack?()
                if seen.count == count { break }
            }
            try await kicking.value
            reading.cancel()
            let samples = try await reading.value
            #expect(received == count, "no delivery came twice")
            #expect(seen.values.allSatisfy { $0 == 1 })
            #expect(samples.count >= count / 25, "reads ran alongside the deliveries")
            #expect(samples.allSatisfy { (0...count).contains($0) }, "\(samples.filter { !(0...count).contains($0) })")
            #expect(broker.reconnects == 0)
            #expect(broker.droppedAcknowledgements == 0)
            try await eventually("the depth falls to 0") { try await Self.depths(broker) == ["taskiq": 0] }
            try await broker.shutdown()
            #expect(try await Self.stored("taskiq", url: url) == 0, "every ack arrived")
        }
    }

    /// A queue deleted behind the broker's back: each read fails with the server's 404 naming
    /// it, on a channel of its own, so kicks go on over the same connection; once the queue is
    /// back, reads work again.
    @Test func aMissingQueueFailsTheReadAndNothingElse() async throws {
        try await withTimeout(seconds: 90) {
            let server = try await RabbitMQServer.shared()
            let url = try await server.virtualHost()
            var options = RabbitMQBrokerOptions()
            options.queues = [RabbitMQQueue(name: "depth.a"), RabbitMQQueue(name: "depth.b")]
            let broker = try RabbitMQBroker(url: url, options: options)
            try await broker.startup()
            try await eventually("both queues read 0") { try await Self.depths(broker) == ["depth.a": 0, "depth.b": 0] }
            try await server.management("DELETE", "/api/queues/\(Self.virtualHostName(url))/depth.b")

            for _ in 0..<3 {
                let error = try await Self.failure(of: broker)
                #expect(error.code == .channelClosedByServer, "\(error)")
                #expect(error.replyCode == 404, "\(error)")
                #expect(error.message.contains("'depth.b'"), "\(error)")
            }
            try await broker.kick(Self.message("a1", labels: ["queue_name": "depth.a"]))

            let connection = try await AMQPConfiguration(url: url).connect()
            try await connection.openChannel().declare(RabbitMQTopology(queues: options.queues))
            await connection.close()
            try await eventually("both queues are read again") { try await Self.depths(broker) == ["depth.a": 1, "depth.b": 0] }
            #expect(broker.reconnects == 0)
            // The refused channels were freed: the write connection holds only the kicks' channel.
            try await eventually("only the kicks' channel is open", every: .milliseconds(200)) {
                try await Self.openChannels(server, url: url) == [1]
            }
            try await broker.shutdown()
        }
    }

    /// A server that answers nothing (its replies held by a proxy): the read fails after one
    /// second; once the replies flow again the abandoned read finishes and closes its channel,
    /// and the next read works on the same connection.
    @Test func aSilentServerFailsTheReadWithinItsTimeout() async throws {
        try await withTimeout(seconds: 90) {
            let server = try await RabbitMQServer.shared()
            let url = try await server.virtualHost()
            let proxy = try FreezableProxy(upstreamPort: UInt16(server.port))
            defer { proxy.close() }
            let proxied = url.replacingOccurrences(of: ":\(server.port)/", with: ":\(proxy.port)/")
            let broker = try RabbitMQBroker(url: proxied)
            try await broker.startup()
            try await broker.kick(Self.message("t1"))
            proxy.holdReplies()
            let start = ContinuousClock.now
            let error = await #expect(throws: AMQPConnectionError.self) { try await broker.queueDepths() }
            let waited = ContinuousClock.now - start
            proxy.releaseReplies()
            #expect(error?.code == .timeout, "\(String(describing: error))")
            #expect(error?.message.contains("guest:guest") == false)
            #expect(waited >= .milliseconds(900), "it waited its timeout")
            #expect(waited < .seconds(5), "it gave up after about one second")
            try await eventually("the next read works") { try await Self.depths(broker) == ["taskiq": 1] }
            #expect(broker.reconnects == 0)
            // The abandoned read closed its channel once the server answered.
            try await eventually("only the kicks' channel is open", every: .milliseconds(200)) {
                try await Self.openChannels(server, url: url) == [1]
            }
            try await broker.shutdown()
        }
    }
}

/// Depth reads completed so far, shared with the reading task.
private final class ReadCount: Sendable {
    let value = Atomic<Int>(0)
}
