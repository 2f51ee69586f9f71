import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

/// The namespace of the Redis broker tests, so `swift test --filter Redis` runs them all.
enum Redis {
    /// A plain client for inspecting and seeding the server in tests.
    static func client(_ server: RedisServer) throws -> RedisClient {
        var configuration = try RedisConfiguration(url: server.url)
        configuration.reconnect = RedisReconnectPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))
        return RedisClient(configuration: configuration)
    }

    /// A stream broker for tests: short lease and block times, results kept in memory.
    static func streamBroker(_ server: RedisServer, _ configure: (inout RedisStreamBrokerOptions) -> Void = { _ in })
        throws -> RedisStreamBroker
    {
        // A 5 s lease: shorter ones lapsed in CPU stalls of a loaded 2-core run (3.5 s seen), and
        // another worker then claimed a live one's entry and ran it twice.
        var options = RedisStreamBrokerOptions(
            xreadBlock: .milliseconds(500), leaseTTL: .seconds(5),
            leaseRenewInterval: .milliseconds(200))
        configure(&options)
        return try RedisStreamBroker(url: server.url, options: options, resultBackend: InMemoryResultBackend(maxStoredResults: -1))
    }

    /// A receiver running on `broker` for the duration of `body`; then intake stops, tasks
    /// drain and the broker shuts down.
    static func withWorker<T: Sendable>(
        _ broker: any AsyncBroker, _ options: ReceiverOptions = ReceiverOptions(),
        _ body: @Sendable (Receiver) async throws -> T
    ) async throws -> T {
        try await broker.startup()
        let receiver = Receiver(broker: broker, options: options)
        let running = Task { try await receiver.run() }
        do {
            let value = try await body(receiver)
            receiver.stop()
            try await withTimeout(seconds: 10) { try await running.value }
            try await broker.shutdown()
            receiver.shutdown()
            return value
        } catch {
            receiver.stop()
            do { try await withTimeout(seconds: 10) { try await running.value } } catch {
                // Otherwise hidden behind the body's error: a worker whose intake failed looks
                // like a worker that lost tasks.
                Issue.record("the worker failed too: \(error)")
            }
            try? await broker.shutdown()
            receiver.shutdown()
            throw error
        }
    }

    /// A taskiq message as Python would send it.
    static func message(_ id: String, _ name: String, args: String = "[]", labels: String = "{}") -> [UInt8] {
        Array(
            #"{"task_id": "\#(id)", "task_name": "\#(name)", "labels": \#(labels), "labels_types": {}, "args": \#(args), "kwargs": {}}"#
                .utf8)
    }

    /// `XPENDING <stream> <group>` summary count.
    static func pendingCount(_ client: RedisClient, stream: String = "taskiq", group: String = "taskiq") async throws -> Int {
        try await client.send(["XPENDING", stream, group]).array?.first?.int ?? -1
    }

    /// A one-shot gate a task waits on until the test opens it.
    final class Gate: Sendable {
        private let opened = OnceContinuation<Void>()
        func wait() async throws { try await opened.value }
        func open() { opened.resume(with: .success(())) }
    }
}
