import TaskiqTestSupport
import Synchronization
@testable import Taskiq

/// A listenable in-process broker for receiver tests: kicks go into a stream a `Receiver` reads,
/// and every acknowledgement is recorded.
final class QueueBroker: AsyncBroker {
    let components = BrokerComponents(resultBackend: InMemoryResultBackend(maxStoredResults: -1))
    private let stream: AsyncThrowingStream<AckableMessage, any Error>
    private let continuation: AsyncThrowingStream<AckableMessage, any Error>.Continuation
    private let counter = Atomic<Int>(0)
    let acks = EventStream<String>()
    private let onAck: (@Sendable (String) -> Void)?

    /// - Parameter onAck: Also called with the delivery's ID at the moment it is acknowledged.
    init(onAck: (@Sendable (String) -> Void)? = nil) {
        (stream, continuation) = AsyncThrowingStream.makeStream()
        self.onAck = onAck
    }

    func kick(_ message: BrokerMessage) async throws {
        push(message.message, id: message.taskID)
    }

    /// Puts raw bytes on the queue, as a foreign producer would.
    func push(_ bytes: [UInt8], id: String? = nil) {
        let id = id ?? "delivery-\(counter.add(1, ordering: .relaxed).newValue)"
        let acks = self.acks
        let onAck = self.onAck
        continuation.yield(AckableMessage(data: bytes) {
            onAck?(id)
            acks.send(id)
        })
    }

    func push(_ text: String, id: String? = nil) { push(Array(text.utf8), id: id) }

    /// Ends the stream, as a closed transport does.
    func close() { continuation.finish() }

    func listen() async throws -> AsyncThrowingStream<AckableMessage, any Error> { stream }
}

/// Records middleware hook calls in order.
final class Recorder: Sendable {
    private let events = Mutex<[String]>([])
    func record(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }
}
