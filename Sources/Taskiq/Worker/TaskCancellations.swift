import Synchronization

/// This process's side of cancellation by task ID: the tasks running here, and the IDs whose
/// cancellation was requested recently.
///
/// A request cancels the matching running task at once and is remembered for ``ttl`` (at most
/// ``capacity`` IDs, the oldest forgotten first), so a task that arrives after its cancellation
/// (still queued, delayed, or a retry) is not run. Brokers feed requests in with
/// ``cancel(_:)``: the in-memory broker directly, the Redis brokers from their cancel channel.
package final class TaskCancellations: Sendable {
    /// A running task's registration; pass it back to ``end(_:)``.
    package struct Token: Sendable {
        let taskID: String
        let serial: UInt64
    }

    /// The tasks running under one ID: nearly always one, so the common case allocates no array.
    private struct Slot: Sendable {
        var first: (serial: UInt64, cancel: @Sendable () -> Void)?
        var more: [(serial: UInt64, cancel: @Sendable () -> Void)] = []

        var isEmpty: Bool { first == nil && more.isEmpty }
        var cancels: [@Sendable () -> Void] { (first.map { [$0.cancel] } ?? []) + more.map(\.cancel) }

        mutating func remove(_ serial: UInt64) {
            if first?.serial == serial { first = more.popLast() } else { more.removeAll { $0.serial == serial } }
        }
    }

    private struct State: Sendable {
        var running: [String: Slot] = [:]
        var requested: [String: ContinuousClock.Instant] = [:]
        /// Request order, for forgetting the oldest; may hold IDs already forgotten.
        var order: [String] = []
        var orderHead = 0
        var serial: UInt64 = 0

        mutating func forgetExpired(now: ContinuousClock.Instant, capacity: Int) {
            while orderHead < order.count {
                let id = order[orderHead]
                if let expiry = requested[id] {
                    if expiry > now && requested.count <= capacity { break }
                    requested[id] = nil
                }
                orderHead += 1
            }
            if orderHead == order.count {
                order.removeAll(keepingCapacity: true)
                orderHead = 0
            } else if orderHead > 1024, orderHead * 2 > order.count {
                order.removeFirst(orderHead)
                orderHead = 0
            }
        }
    }

    /// How long a request is remembered.
    package let ttl: Duration
    /// The most requests remembered.
    package let capacity: Int
    private let state = Mutex(State())

    /// Creates an empty registry.
    package init(ttl: Duration = .seconds(3600), capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = max(1, capacity)
    }

    /// Records a request to cancel `taskID` and cancels it if it runs here.
    /// - Returns: Whether a task with that ID was running here.
    @discardableResult
    package func cancel(_ taskID: String) -> Bool {
        let now = ContinuousClock.now
        TaskiqMetrics.cancellationCounter.increment()
        let cancels = state.withLock { state -> [@Sendable () -> Void] in
            if state.requested.updateValue(now + ttl, forKey: taskID) == nil { state.order.append(taskID) }
            state.forgetExpired(now: now, capacity: capacity)
            return state.running.removeValue(forKey: taskID)?.cancels ?? []
        }
        for cancel in cancels { cancel() }
        return !cancels.isEmpty
    }

    /// Whether cancelling `taskID` was requested within ``ttl``.
    package func isRequested(_ taskID: String) -> Bool {
        state.withLock { state in
            guard !state.requested.isEmpty, let expiry = state.requested[taskID] else { return false }
            return expiry > .now
        }
    }

    /// Registers a starting task; `onCancel` runs (once, on the requesting thread) if a request
    /// for its ID arrives before ``end(_:)``.
    /// - Returns: `nil` when the cancellation was already requested; the task must not run.
    package func begin(_ taskID: String, onCancel: @escaping @Sendable () -> Void) -> Token? {
        state.withLock { state -> Token? in
            if !state.requested.isEmpty, let expiry = state.requested[taskID], expiry > .now { return nil }
            state.serial += 1
            let entry = (serial: state.serial, cancel: onCancel)
            if state.running[taskID]?.first != nil {
                state.running[taskID]?.more.append(entry)
            } else {
                state.running[taskID] = Slot(first: entry)
            }
            return Token(taskID: taskID, serial: state.serial)
        }
    }

    /// Unregisters a task registered with ``begin(_:onCancel:)``.
    package func end(_ token: Token) {
        state.withLock { state in
            guard var slot = state.running.removeValue(forKey: token.taskID) else { return }
            slot.remove(token.serial)
            if !slot.isEmpty { state.running[token.taskID] = slot }
        }
    }

    /// The IDs of the tasks running here.
    package var runningIDs: [String] { state.withLock { Array($0.running.keys) } }
}
