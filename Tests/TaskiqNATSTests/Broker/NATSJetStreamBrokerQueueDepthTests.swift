import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqNATS

/// `taskiq_queue_depth` for the JetStream broker against a real nats-server: the durable
/// consumer's `num_pending`, its one-second timeout, and a clear error for a missing consumer.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSJetStreamBrokerQueueDepthTests {
    static func message(_ id: String) -> BrokerMessage {
        BrokerMessage(taskID: id, taskName: "wirefacts.add", message: Array(#"{"task_id": "\#(id)"}"#.utf8), labels: [:])
    }

    /// The stream's depth; `nil` when the read timed out (a loaded machine), so that
    /// `eventually` asks again.
    static func depth(_ broker: NATSJetStreamBroker) async throws -> Int? {
        let depths: [QueueDepth]
        do {
            depths = try await broker.queueDepths()
        } catch let error as NATSClientError where error.code == .timeout {
            return nil
        }
        return depths.first { $0.queue == broker.options.streamName }?.depth
    }

    /// The error of a read expected to fail, asking again while reads time out (a loaded machine).
    static func failure(of broker: NATSJetStreamBroker) async throws -> NATSClientError {
        try await withTimeout(seconds: 30) {
            while true {
                do {
                    let depths = try await broker.queueDepths()
                    throw NATSClientError(.invalidArgument, message: "the read did not fail: \(depths)")
                } catch let error as NATSClientError where error.code == .timeout {
                    continue
                } catch let error as NATSClientError where error.code != .invalidArgument {
                    return error
                }
            }
        }
    }

    @Test func theDepthCountsUndeliveredTasksAndFallsToZeroOnceTheyAreConsumed() async throws {
        try await withTimeout(seconds: 90) {
            try await NATSServer.with { server in
                let broker = try NATSJetStreamBroker(url: server.url)
                try await broker.startup()
                // `depth` finds the reading under the stream's name.
                try await eventually("an empty stream reads 0") { try await Self.depth(broker) == 0 }

                let count = 7
                for index in 0..<count { try await broker.kick(Self.message("d\(index)")) }
                try await eventually("the depth reaches \(count)") { try await Self.depth(broker) == count }

                let deliveries = try await broker.listen()
                var acked = 0
                for try await delivery in deliveries {
                    try await delivery.ack?()
                    acked += 1
                    if acked == count { break }
                }
                try await eventually("the depth falls to 0") { try await Self.depth(broker) == 0 }
                try await broker.client.flush()
                try await eventually("every ack reached the server") {
                    let info = try await broker.jetStream.api("CONSUMER.INFO.taskiq_jetstream.taskiq_durable")
                    return info["num_ack_pending"]?.intValue == 0
                }
                try await eventually("the depth stays 0") { try await Self.depth(broker) == 0 }
                try await broker.shutdown()
            }
        }
    }

    @Test func aSilentServerFailsTheReadWithinItsTimeoutAndTheNextReadWorks() async throws {
        try await withTimeout(seconds: 90) {
            try await NATSServer.with { server in
                let broker = try NATSJetStreamBroker(url: server.url)
                try await broker.startup()
                try await broker.kick(Self.message("p1"))
                await server.pause()
                let start = ContinuousClock.now
                let error = await #expect(throws: NATSClientError.self) { try await broker.queueDepths() }
                let waited = ContinuousClock.now - start
                await server.resume()
                #expect(error?.code == .timeout)
                #expect(waited >= .milliseconds(900), "it waited its timeout")
                #expect(waited < .seconds(5), "it gave up after about one second, not the API's usual five")
                try await eventually("the server answers again") { try await Self.depth(broker) == 1 }
                try await broker.shutdown()
            }
        }
    }

    @Test func aMissingConsumerIsAJetStreamError() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                let broker = try NATSJetStreamBroker(url: server.url)
                try await broker.startup()
                _ = try await broker.jetStream.api("CONSUMER.DELETE.taskiq_jetstream.taskiq_durable")
                let error = try await Self.failure(of: broker)
                #expect(error.code == .jetStreamError, "\(error)")
                #expect(error.apiErrorCode == 10014, "\(error)")
                try await broker.shutdown()
            }
        }
    }

    @Test func coreNATSCannotTellAndDoesNotReport() throws {
        let broker = try NATSBroker(url: "nats://127.0.0.1:1")
        #expect(!((broker as Any) is any QueueDepthReporting))
    }
}
