import Synchronization
import TaskiqTestSupport

@testable import Taskiq

/// A listenable in-process broker for receiver tests: kicks go into a stream a `Receiver` reads,
/// and every acknowledgement is recorded.
final class QueueBroker: AsyncBroker {
    let components = BrokerComponents(resultBackend: InMemoryResultBackend(maxStoredResults: -1))
    private let stream: DeliveryStream
    private let continuation: DeliveryStream.Continuation
    private let counter = Atomic<Int>(0)
    let acks = EventStream<String>()
    /// IDs of deliveries handed back with `release` (only when `canRedeliver`).
    let releases = EventStream<String>()
    private let onAck: (@Sendable (String) -> Void)?
    private let canRedeliver: Bool

    /// - Parameters:
    ///   - onAck: Also called with the delivery's ID at the moment it is acknowledged.
    ///   - canRedeliver: Whether deliveries carry a `release`, as a broker that can deliver again does.
    init(onAck: (@Sendable (String) -> Void)? = nil, canRedeliver: Bool = false) {
        (stream, continuation) = DeliveryStream.makeStream()
        self.onAck = onAck
        self.canRedeliver = canRedeliver
    }

    /// Messages sent through ``kick(_:)`` (retries included), as opposed to raw pushes.
    let kicked = Atomic<Int>(0)

    func kick(_ message: BrokerMessage) async throws {
        kicked.add(1, ordering: .relaxed)
        push(message.message, id: message.taskID)
    }

    /// Puts raw bytes on the queue, as a foreign producer would.
    func push(_ bytes: [UInt8], id: String? = nil) {
        let id = id ?? "delivery-\(counter.add(1, ordering: .relaxed).newValue)"
        let acks = self.acks
        let onAck = self.onAck
        let releases = self.releases
        continuation.yield(
            AckableMessage(
                data: bytes,
                ack: {
                    onAck?(id)
                    acks.send(id)
                }, release: canRedeliver ? { @Sendable in releases.send(id) } : nil))
    }

    func push(_ text: String, id: String? = nil) { push(Array(text.utf8), id: id) }

    /// Ends the stream, as a closed transport does.
    func close() { continuation.finish() }

    func listen() async throws -> DeliveryStream { stream }
}

/// Records middleware hook calls in order.
final class Recorder: Sendable {
    private let events = Mutex<[String]>([])
    func record(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }
}
