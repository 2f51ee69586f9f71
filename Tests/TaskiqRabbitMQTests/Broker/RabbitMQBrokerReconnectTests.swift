import Foundation
import Synchronization
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqRabbitMQ

/// The broker survives lost connections on the real node: both sides reconnect by themselves,
/// every kick that returned runs at least once, and the worker's stream goes on.
@Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
struct RabbitMQBrokerReconnectTests {
    /// Closing every connection of the virtual host on the node (320 CONNECTION_FORCED) while a producer kicks and a
    /// worker acks: nothing confirmed is lost, and each side logs its loss once.
    @Test func forcedCloseWhileKickingLosesNothing() async throws {
        try await withTimeout(seconds: 120) {
            let server = try await RabbitMQServer.shared()
            let url = try await server.virtualHost()
            let vhost = String(url.split(separator: "/").last!)
            try await Self.kickAcross(url: url, loss: "320") {
                // The node lists a connection once it has collected its statistics: wait for the
                // producer's and the worker's (at least three), then close them all at once.
                let names = try await withTimeout(seconds: 30) { () async throws -> [String] in
                    while true {
                        let listing = try await server.management("GET", "/api/vhosts/\(vhost)/connections?columns=name")
                        let names = listing.objects.compactMap { $0["name"] as? String }
                        if names.count >= 3 { return names }
                        try await Task.sleep(for: .milliseconds(100))  // a poll interval against the timeout
                    }
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for name in names {
                        group.addTask {
                            try await server.management(
                                "DELETE", "/api/connections/\(RabbitMQServer.segment(name))",
                                headers: [("X-Reason", "test forces a reconnect")], expecting: [200, 204, 404])
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    /// A full restart of the (private) node while kicking: both sides wait out the outage,
    /// reconnect, and nothing confirmed is lost (the quorum queue keeps it across the restart).
    @Test func serverRestartWhileKickingLosesNothing() async throws {
        try await withTimeout(seconds: 240) {
            let server = try await RabbitMQServer.startPrivate()
            do {
                try await Self.kickAcross(url: server.url, loss: nil) { try await server.restart() }
                try await server.stop()
            } catch {
                try? await server.stop()
                throw error
            }
        }
    }

    /// The node hangs (SIGSTOP: its sockets stay open, nothing is answered) while kicking: with a
    /// 1 s heartbeat both sides notice the missed beats, drop their connections and reconnect once
    /// the node answers again; every confirmed kick runs.
    @Test func aHungServerIsNoticedByItsHeartbeatsAndNothingIsLost() async throws {
        try await withTimeout(seconds: 240) {
            let server = try await RabbitMQServer.startPrivate()
            do {
                try await Self.kickAcross(url: server.url + "?heartbeat=1", loss: nil) {
                    server.freeze()
                    defer { server.thaw() }
                    // The outage lasts several heartbeats: a fault's length, not a synchronisation.
                    try await Task.sleep(for: .seconds(6))
                }
                try await server.stop()
            } catch {
                server.thaw()
                try? await server.stop()
                throw error
            }
        }
    }

    /// A kick whose confirm never comes (the server is frozen behind a proxy) fails after
    /// `publishTimeout` with an error naming the URL without its password.
    @Test func unconfirmedKickFailsAfterThePublishTimeout() async throws {
        try await withTimeout(seconds: 120) {
            let server = try await RabbitMQServer.shared()
            let url = try await server.virtualHost()
            let proxy = try FreezableProxy(upstreamPort: UInt16(server.port))
            defer { proxy.close() }
            var options = RabbitMQBrokerOptions()
            options.publishTimeout = .seconds(3)
            let proxied = url.replacingOccurrences(of: ":\(server.port)/", with: ":\(proxy.port)/")
            let producer = try RabbitMQBroker(url: proxied, options: options)
            try await producer.startup()
            proxy.freeze()
            let started = ContinuousClock.now
            defer { print("unconfirmed kick: failed after \(started.duration(to: .now))") }
            do {
                try await producer.kick(BrokerMessage(taskID: "frozen", taskName: "t", message: [1], labels: [:]))
                Issue.record("a kick without a confirm returned")
            } catch let error as AMQPConnectionError {
                #expect(error.code == .timeout, "\(error)")
                #expect(error.message.contains("127.0.0.1:\(proxy.port)"), "\(error)")
                #expect(error.message.contains("frozen"), "\(error)")
                #expect(!error.message.contains("guest:guest"), "\(error)")
            }
            #expect(started.duration(to: .now) >= .seconds(3))
            try await producer.shutdown()
        }
    }

    /// Kicks 200 tasks, lets a worker run some, starts `disrupt` and keeps kicking until both
    /// brokers replaced their connections, then kicks 100 more; every confirmed kick must run.
    static func kickAcross(url: String, loss replyCode: String?, disrupt: @escaping @Sendable () async throws -> Void) async throws {
        var options = RabbitMQBrokerOptions()
        options.maxReconnectDelay = .milliseconds(500)
        options.publishTimeout = .seconds(90)
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
        let disrupting = Task { try await disrupt() }
        // Keep kicking across the loss until both sides have replaced their connections.
        while producer.reconnects < 1 || worker.reconnects < 2 {
            try await kickBatch(5)
            // Paces the kicks (about 100 a second) so a slow forced close does not flood the shared node.
            try await Task.sleep(for: .milliseconds(50))
        }
        try await disrupting.value
        try await kickBatch(100)
        let kicked = confirmed.all
        #expect(kicked.count == counter.issued, "every kick returned confirmed")
        try await eventually("every confirmed kick runs", seconds: 60) { kicked.isSubset(of: executed.all) }
        let lost = producerLog.text.split(separator: "\n").filter { $0.contains("Lost the RabbitMQ write connection") }
        #expect(lost.count == producer.reconnects, "one loss logged per connection, not one per message: \(lost)")
        if let replyCode { #expect(lost.first?.contains(replyCode) == true, "the server's reply code is logged: \(lost)") }
        #expect(producerLog.text.contains("Reconnected the RabbitMQ write connection"))
        let summary =
            "\(replyCode.map { "forced close \($0)" } ?? "restart"): \(kicked.count) kicks confirmed, \(executed.count) distinct ran, "
            + "\(worker.droppedAcknowledgements) stale acks dropped, reconnects producer \(producer.reconnects) worker \(worker.reconnects)"
        try await worker.shutdown()
        #expect(try await consuming.value == (), "the worker's stream ends without an error at shutdown only")
        try await producer.shutdown()
        print(summary)
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
