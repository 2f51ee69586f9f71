import Foundation
import TaskiqRabbitMQ
import TaskiqTestSupport
import Testing

/// How the client reports what the server or the network does to it, against the real node.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct AMQPConnectionFaultTests {
    /// A server that falls silent (frozen behind a proxy) is declared dead after two missed
    /// heartbeats, and everything waiting on the connection fails instead of hanging.
    @Test func silentServerIsDeadAfterTwoMissedHeartbeats() async throws {
        try await withTimeout(seconds: 60) {
            let server = try await RabbitMQServer.shared()
            let proxy = try FreezableProxy(upstreamPort: UInt16(server.port))
            defer { proxy.close() }
            let connection = try await AMQPConnection.connect(
                host: "127.0.0.1", port: proxy.port,
                options: AMQPConnectionOptions(
                    tuning: AMQPTuning(channelMax: 0, frameMax: 0, heartbeat: 1)))
            #expect(connection.tuning?.heartbeat == 1)
            let channel = try await connection.openChannel()
            let queue = "silent.\(UUID().uuidString.prefix(8))"
            try await channel.declareQueue(queue, durable: false, autoDelete: true)
            let consumer = try await channel.consume(queue: queue)
            proxy.freeze()
            do {
                for try await _ in consumer {}
                Issue.record("the consumer ended without an error")
            } catch let error as AMQPConnectionError {
                #expect(error.code == .heartbeatTimeout, "\(error)")
            }
            #expect(connection.failure?.code == .heartbeatTimeout)
        }
    }

    /// Closing a connection on the node (the management API, as `rabbitmqctl close_connection`) sends Connection.Close 320 CONNECTION_FORCED.
    @Test func forcedCloseIsAnErrorWithCode320() async throws {
        try await withTimeout(seconds: 60) {
            let server = try await RabbitMQServer.shared()
            let name = "forced-\(UUID().uuidString.prefix(8))"
            let connection = try await AMQPConnection.connect(
                host: "127.0.0.1", port: UInt16(server.port),
                options: AMQPConnectionOptions(
                    clientProperties: ["product": .string("taskiq-swift"), "connection_name": .string(name)]))
            let channel = try await connection.openChannel()
            let queue = "forced.\(UUID().uuidString.prefix(8))"
            try await channel.declareQueue(queue, durable: false, autoDelete: true)
            let consumer = try await channel.consume(queue: queue)
            // The node lists a connection once its statistics have been collected.
            let listed = try await withTimeout(seconds: 30) { () async throws -> String in
                while true {
                    let listing = try await server.management("GET", "/api/connections?columns=name,client_properties")
                    let match = listing.objects.first { ($0["client_properties"] as? [String: Any])?["connection_name"] as? String == name }
                    if let listed = match?["name"] as? String { return listed }
                    try await Task.sleep(for: .milliseconds(100))  // a poll interval against the timeout
                }
            }
            try await server.management(
                "DELETE", "/api/connections/\(RabbitMQServer.segment(listed))",
                headers: [("X-Reason", "test closes it")])
            do {
                for try await _ in consumer {}
                Issue.record("the consumer ended without an error")
            } catch let error as AMQPConnectionError {
                #expect(error.code == .connectionClosedByServer, "\(error)")
                #expect(error.replyCode == 320, "\(error)")
                #expect(error.replyText.contains("test closes it"), "\(error)")
            }
        }
    }

    /// Deleting a queue under a consumer makes the server send Basic.Cancel.
    @Test func serverCancelEndsTheConsumerWithAnError() async throws {
        try await withTimeout(seconds: 60) {
            let server = try await RabbitMQServer.shared()
            let connection = try await AMQPConnection.connect(host: "127.0.0.1", port: UInt16(server.port))
            let channel = try await connection.openChannel()
            let queue = "cancelled.\(UUID().uuidString.prefix(8))"
            try await channel.declareQueue(queue, durable: true)
            let consumer = try await channel.consume(queue: queue)
            try await server.management("DELETE", "/api/queues/%2F/\(RabbitMQServer.segment(queue))")
            do {
                for try await _ in consumer {}
                Issue.record("the consumer ended without an error")
            } catch let error as AMQPConnectionError {
                #expect(error.code == .consumerCancelled, "\(error)")
            }
            // The channel survives a consumer cancel.
            try await channel.qos(prefetchCount: 5)
            await connection.close()
        }
    }

    /// A publish whose confirm is held back returns at once when its task is cancelled; the late
    /// confirm is dropped and the channel's next calls get their own replies.
    @Test func cancelledPublishReturnsAndTheChannelStaysInStep() async throws {
        try await withTimeout(seconds: 60) {
            let server = try await RabbitMQServer.shared()
            let proxy = try FreezableProxy(upstreamPort: UInt16(server.port))
            defer { proxy.close() }
            let connection = try await AMQPConnection.connect(host: "127.0.0.1", port: proxy.port)
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            let queue = "cancelled-publish.\(UUID().uuidString.prefix(8))"
            try await channel.declareQueue(queue, durable: true, arguments: ["x-queue-type": .string("classic")])
            let observer = try await AMQPConnection.connect(host: "127.0.0.1", port: UInt16(server.port))
            let observing = try await observer.openChannel()

            proxy.holdReplies()
            let publish = Task { try await channel.publish(exchange: "", routingKey: queue, body: [1]) }
            try await eventually("the publish reaches the server") {
                try await observing.declareQueue(queue, passive: true).messageCount == 1
            }
            publish.cancel()
            let result = await publish.result
            #expect(throws: CancellationError.self) { try result.get() }
            proxy.releaseReplies()
            #expect(try await channel.declareQueue(queue, passive: true).messageCount == 1)
            try await channel.publish(exchange: "", routingKey: queue, body: [2])
            #expect(try await channel.declareQueue(queue, passive: true).messageCount == 2)
            await connection.close()
            await observer.close()
        }
    }
}
