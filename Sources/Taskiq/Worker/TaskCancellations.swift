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

    private struct State: Sendable {
        var running: [String: [UInt64: @Sendable () -> Void]] = [:]
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
        let cancels = state.withLock { state -> [@Sendable () -> Void] in
            if state.requested.updateValue(now + ttl, forKey: taskID) == nil { state.order.append(taskID) }
            state.forgetExpired(now: now, capacity: capacity)
            return state.running.removeValue(forKey: taskID).map { Array($0.values) } ?? []
        }
        for cancel in cancels { cancel() }
        return !cancels.isEmpty
    }

    /// Whether cancelling `taskID` was requested within ``ttl``.
    package func isRequested(_ taskID: String) -> Bool {
        state.withLock { state in
            guard let expiry = state.requested[taskID] else { return false }
            return expiry > .now
        }
    }

    /// Registers a starting task; `onCancel` runs (once, on the requesting thread) if a request
    /// for its ID arrives before ``end(_:)``.
    /// - Returns: `nil` when the cancellation was already requested; the task must not run.
    package func begin(_ taskID: String, onCancel: @escaping @Sendable () -> Void) -> Token? {
        state.withLock { state -> Token? in
            if let expiry = state.requested[taskID], expiry > .now { return nil }
            state.serial += 1
            state.running[taskID, default: [:]][state.serial] = onCancel
            return Token(taskID: taskID, serial: state.serial)
        }
    }

    /// Unregisters a task registered with ``begin(_:onCancel:)``.
    package func end(_ token: Token) {
        state.withLock { state in
            state.running[token.taskID]?[token.serial] = nil
            if state.running[token.taskID]?.isEmpty == true { state.running[token.taskID] = nil }
        }
    }

    /// The IDs of the tasks running here.
    package var runningIDs: [String] { state.withLock { Array($0.running.keys) } }
}
