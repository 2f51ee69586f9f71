import Foundation
import TaskiqRabbitMQ
import TaskiqTestSupport
import Testing

/// Publisher confirms are pipelined: many publishes reach the server while no confirm has come
/// back. With one round trip per publish, only the first would arrive while replies are held.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct AMQPPipelinedConfirmsTests {
    @Test func manyPublishesAreOutstandingBeforeAnyConfirm() async throws {
        try await withTimeout(seconds: 60) {
            let server = try await RabbitMQServer.shared()
            let proxy = try FreezableProxy(upstreamPort: UInt16(server.port))
            defer { proxy.close() }
            let connection = try await AMQPConnection.connect(host: "127.0.0.1", port: proxy.port)
            let channel = try await connection.openChannel()
            try await channel.confirmSelect()
            let queue = "pipelined.\(UUID().uuidString.prefix(8))"
            try await channel.declareQueue(queue, durable: true, arguments: ["x-queue-type": .string("classic")])
            let observer = try await AMQPConnection.connect(host: "127.0.0.1", port: UInt16(server.port))
            let observing = try await observer.openChannel()

            proxy.holdReplies()
            let count = 200
            let publishes = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<count {
                        group.addTask { try await channel.publish(exchange: "", routingKey: queue, body: Array("\(index)".utf8)) }
                    }
                    try await group.waitForAll()
                }
            }
            // Every message is on the server although not one confirm has reached the client.
            try await eventually("all \(count) publishes reach the server with confirms held back", seconds: 30) {
                try await observing.declareQueue(queue, passive: true).messageCount == UInt32(count)
            }
            proxy.releaseReplies()
            try await publishes.value
            await connection.close()
            await observer.close()
        }
    }
}
