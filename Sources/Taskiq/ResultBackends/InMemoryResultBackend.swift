import Synchronization

/// Keeps results in this process's memory, evicting the oldest-inserted first.
///
/// Waiters are woken the moment a result is stored: ``waitResult(_:timeout:withLogs:)`` never polls.
/// Re-storing a result under an existing ID replaces it without moving it in the eviction order.
public final class InMemoryResultBackend: ResultBackend {
    private struct Store<Value> {
        var values: [String: Value] = [:]
        var order: [String] = []
        var head = 0

        /// Stores a value, evicting the oldest when the store is full.
        /// - Returns: The value replaced or evicted, for the caller to release after unlocking:
        ///   freeing a result (its labels, return value, error) inside the lock lengthened the
        ///   critical section that producers and workers contend for.
        mutating func set(_ value: Value, for key: String, limit: Int) -> Value? {
            if let replaced = values.updateValue(value, forKey: key) { return replaced }
            order.append(key)
            var evicted: Value?
            if limit >= 0 {
                while values.count > max(limit, 0) {
                    evicted = values.removeValue(forKey: order[head])
                    head += 1
                }
                if head > 1024 && head * 2 > order.count {
                    order.removeFirst(head)
                    head = 0
                }
            }
            return evicted
        }
    }

    /// A suspended `waitResult`, resumed exactly once: with the result, or with `nil` when cancelled.
    private typealias Waiter = (id: UInt64, continuation: UnsafeContinuation<TaskiqResult<JSONValue>?, Never>)

    private struct State {
        var results = Store<TaskiqResult<JSONValue>>()
        var progress = Store<TaskProgress>()
        var waiters: [String: [Waiter]] = [:]
    }

    /// The most results kept; `-1` keeps all.
    public let maxStoredResults: Int
    private let state = Mutex(State())
    private let nextWaiter = Atomic<UInt64>(0)

    /// Creates the backend.
    /// - Parameter maxStoredResults: The most results (and, separately, progress reports) kept;
    ///   `-1` keeps all. taskiq's default is 100.
    public init(maxStoredResults: Int = 100) {
        self.maxStoredResults = maxStoredResults
    }

    /// The number of results held.
    public var count: Int { state.withLock { $0.results.values.count } }

    public func setResult(_ result: TaskiqResult<JSONValue>, for taskID: String) async throws {
        let (waiters, released) = state.withLock { state -> ([Waiter]?, TaskiqResult<JSONValue>?) in
            let released = state.results.set(result, for: taskID, limit: maxStoredResults)
            return (state.waiters.removeValue(forKey: taskID), released)
        }
        _ = consume released
        // Waiters get the stored value itself, so a result evicted right after storing still reaches them.
        if let waiters { for waiter in waiters { waiter.continuation.resume(returning: result) } }
    }

    public func isResultReady(_ taskID: String) async throws -> Bool {
        state.withLock { $0.results.values[taskID] != nil }
    }

    public func getResult(_ taskID: String, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        guard let result = state.withLock({ $0.results.values[taskID] }) else {
            throw TaskiqError(.resultMissing, "no result is stored for task \(taskID)")
        }
        return Self.stripped(result, withLogs: withLogs)
    }

    private static func stripped(_ result: TaskiqResult<JSONValue>, withLogs: Bool) -> TaskiqResult<JSONValue> {
        var result = result
        if !withLogs { result.log = nil }
        return result
    }

    public func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        guard let timeout else {
            // One lock: waitForResult returns a stored result at once, else registers the waiter.
            let result = await waitForResult(taskID)
            try Task.checkCancellation()
            guard let result else { return try await getResult(taskID, withLogs: withLogs) }
            return Self.stripped(result, withLogs: withLogs)
        }
        if let stored = state.withLock({ $0.results.values[taskID] }) { return Self.stripped(stored, withLogs: withLogs) }
        let arrived = await withTaskGroup(of: TaskiqResult<JSONValue>?.self) { group in
            group.addTask { Task.isCancelled ? nil : await self.waitForResult(taskID) }
            group.addTask { try? await Task.sleep(for: timeout); return nil }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        try Task.checkCancellation()
        if let arrived { return Self.stripped(arrived, withLogs: withLogs) }
        guard try await isResultReady(taskID) else {
            throw TaskiqError(.resultTimeout, "no result for task \(taskID) after \(timeout)")
        }
        return try await getResult(taskID, withLogs: withLogs)
    }

    /// Suspends until a result for the task is stored (returning it) or the current task is
    /// cancelled (returning `nil`).
    private func waitForResult(_ taskID: String) async -> TaskiqResult<JSONValue>? {
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<TaskiqResult<JSONValue>?, Never>) in
                let stored = state.withLock { state -> TaskiqResult<JSONValue>?? in
                    if let result = state.results.values[taskID] { return .some(result) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[taskID, default: []].append((id, continuation))
                    return .none
                }
                if let stored { continuation.resume(returning: stored) }
            }
        } onCancel: {
            // Only a waiter still registered is resumed here; one already taken by setResult was resumed there.
            let waiter = state.withLock { state -> Waiter? in
                guard var list = state.waiters[taskID], let index = list.firstIndex(where: { $0.id == id }) else { return nil }
                let waiter = list.remove(at: index)
                state.waiters[taskID] = list.isEmpty ? nil : list
                return waiter
            }
            waiter?.continuation.resume(returning: nil)
        }
    }

    public func setProgress(_ progress: TaskProgress, for taskID: String) async throws {
        let released = state.withLock { state in
            var progress = progress
            if progress.meta == nil, let previous = state.progress.values[taskID] { progress.meta = previous.meta }
            return state.progress.set(progress, for: taskID, limit: maxStoredResults)
        }
        _ = consume released
    }

    public func getProgress(_ taskID: String) async throws -> TaskProgress? {
        state.withLock { $0.progress.values[taskID] }
    }
}
