import Synchronization

/// Counters of what a receiver has done.
public struct ReceiverStatistics: Sendable, Hashable {
    /// Deliveries taken from the broker.
    public var received = 0
    /// Tasks that succeeded.
    public var succeeded = 0
    /// Tasks that failed (including timeouts and argument errors).
    public var failed = 0
    /// Deliveries that were not valid messages, including those over a ``MessageLimits`` cap.
    public var undecodable = 0
    /// Of ``undecodable``, the messages rejected for exceeding a cap, per cap (caps never hit are absent).
    public var limitRejections: [MessageLimits.Limit: Int] = [:]
    /// Messages naming a task that is not registered.
    public var unknownTask = 0
    /// Results that could not be stored.
    public var saveFailures = 0
    /// Acknowledgements that failed.
    public var ackFailures = 0
    /// Messages stored in the dead-letter queue.
    public var deadLettered = 0
    /// Dead letters that could not be stored (their deliveries were left unacknowledged).
    public var deadLetterFailures = 0
    /// Tasks interrupted by the worker's own cancellation (after the drain deadline) and left
    /// unacknowledged for the broker to deliver again.
    public var interrupted = 0
    /// Deliveries taken ahead that had not started when ``Receiver/stop()`` was called, handed
    /// back unstarted for the broker to deliver again.
    public var handedBack = 0
}

/// Lock-free counters behind ``ReceiverStatistics``.
final class ReceiverCounters: Sendable {
    let received = Atomic<Int>(0)
    let succeeded = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let undecodable = Atomic<Int>(0)
    let unknownTask = Atomic<Int>(0)
    let saveFailures = Atomic<Int>(0)
    let ackFailures = Atomic<Int>(0)
    let deadLettered = Atomic<Int>(0)
    let deadLetterFailures = Atomic<Int>(0)
    let interrupted = Atomic<Int>(0)
    let handedBack = Atomic<Int>(0)
    /// Deliveries taken and not yet finished (gauge, for metrics).
    let held = Atomic<Int>(0)
    /// Deliveries being run now (gauge, for metrics).
    let executing = Atomic<Int>(0)
    /// Rare, so a lock is cheaper than an atomic per cap.
    private let rejections = Mutex<[MessageLimits.Limit: Int]>([:])

    /// Counts one message rejected for `limit` and returns how many were rejected for it so far.
    func rejected(_ limit: MessageLimits.Limit) -> Int {
        rejections.withLock { counts in
            counts[limit, default: 0] += 1
            return counts[limit]!
        }
    }

    var snapshot: ReceiverStatistics {
        ReceiverStatistics(
            received: received.load(ordering: .relaxed), succeeded: succeeded.load(ordering: .relaxed),
            failed: failed.load(ordering: .relaxed), undecodable: undecodable.load(ordering: .relaxed),
            limitRejections: rejections.withLock { $0 },
            unknownTask: unknownTask.load(ordering: .relaxed), saveFailures: saveFailures.load(ordering: .relaxed),
            ackFailures: ackFailures.load(ordering: .relaxed), deadLettered: deadLettered.load(ordering: .relaxed),
            deadLetterFailures: deadLetterFailures.load(ordering: .relaxed), interrupted: interrupted.load(ordering: .relaxed),
            handedBack: handedBack.load(ordering: .relaxed))
    }
}

extension Atomic<Int> {
    func increment() { add(1, ordering: .relaxed) }
    func decrement() { subtract(1, ordering: .relaxed) }
}
