import Foundation
import Synchronization
import Taskiq
@testable import TaskiqRabbitMQ
import TaskiqTestSupport
import Testing

/// The broker survives lost connections on the real node: both sides reconnect by themselves,
/// every kick that returned runs at least once, and the worker's stream goes on.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage))
struct RabbitMQBrokerReconnectTests {
    /// `rabbitmqctl close_all_connections` (320 CONNECTION_FORCED) while a producer kicks and a
    /// worker acks: nothing confirmed is lost, and each side logs its loss once.
    @Test func forcedCloseWhileKickingLosesNothing() async throws {
        try await withTimeout(seconds: 120) {
            let server = try await RabbitMQServer.shared()
            let url = try server.virtualHost()
            let vhost = String(url.split(separator: "/").last!)
            var options = RabbitMQBrokerOptions()
            options.maxReconnectDelay = .milliseconds(500)
            let producerLog = LogCapture()
            var producerLogger = Logger(label: "test.producer")
            producerLogger.capture = producerLog
            let producer = try RabbitMQBroker(url: url, options: options, logger: producerLogger)
            let worker = try RabbitMQBroker(url: url, options: options)
            try await producer.startup()
            try await worker.startup()
            let deliveries = try await worker.listen()
            let executed = IDSet()
            let consuming = Task {
                for try await message in deliveries {
                    executed.insert(String(decoding: message.data, as: UTF8.self))
                    try await message.ack?()
                }
            }
            let confirmed = IDSet()
            let counter = IDSet()
            @Sendable func kickBatch(_ size: Int) async throws {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<size {
                        let id = "task-\(counter.next())"
                        group.addTask {
                            try await producer.kick(BrokerMessage(taskID: id, taskName: "t", message: Array(id.utf8), labels: [:]))
                            confirmed.insert(id)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            try await kickBatch(200)
            try await eventually("the worker runs the first kicks", seconds: 60) { executed.count >= 100 }
            let closing = Task { try server.control(["close_all_connections", "--vhost", vhost, "test forces a reconnect"]) }
            // Keep kicking across the loss until both sides have replaced their connections.
            while producer.reconnects < 1 || worker.reconnects < 2 {
                try await kickBatch(10)
            }
            _ = try await closing.value
            try await kickBatch(100)
            let kicked = confirmed.all
            #expect(kicked.count == counter.issued, "every kick returned confirmed")
            try await eventually("every confirmed kick runs", seconds: 60) { kicked.isSubset(of: executed.all) }
            let lost = producerLog.text.split(separator: "\n").filter { $0.contains("Lost the RabbitMQ write connection") }
            #expect(lost.count == 1, "one loss logged, not one per message: \(lost)")
            #expect(lost.first?.contains("320") == true, "the server's reply code is logged: \(lost)")
            #expect(producerLog.text.contains("Reconnected the RabbitMQ write connection"))
            try await worker.shutdown()
            #expect(try await consuming.value == (), "the worker's stream ends without an error at shutdown only")
            try await producer.shutdown()
            print("forced close: \(kicked.count) kicks confirmed, \(executed.count) distinct ran, "
                  + "\(worker.droppedAcknowledgements) stale acks dropped")
        }
    }
}

/// Task IDs seen by several tasks, and a counter issuing new ones.
final class IDSet: Sendable {
    private let ids = Mutex<Set<String>>([])
    private let issuedCount = Atomic<Int>(0)

    @discardableResult func insert(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }
    var count: Int { ids.withLock { $0.count } }
    var all: Set<String> { ids.withLock { $0 } }
    func next() -> Int { issuedCount.add(1, ordering: .relaxed).newValue }
    var issued: Int { issuedCount.load(ordering: .relaxed) }
}
