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

        /// Stores a value; returns nothing. Evicts the oldest when the store is full.
        mutating func set(_ value: Value, for key: String, limit: Int) {
            if values.updateValue(value, forKey: key) != nil { return }
            order.append(key)
            if limit >= 0 {
                while values.count > max(limit, 0) {
                    values.removeValue(forKey: order[head])
                    head += 1
                }
                if head > 1024 && head * 2 > order.count {
                    order.removeFirst(head)
                    head = 0
                }
            }
        }
    }

    private struct State {
        var results = Store<TaskiqResult<JSONValue>>()
        var progress = Store<TaskProgress>()
        var waiters: [String: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        var nextWaiter: UInt64 = 0
    }

    /// The most results kept; `-1` keeps all.
    public let maxStoredResults: Int
    private let state = Mutex(State())

    /// Creates the backend.
    /// - Parameter maxStoredResults: The most results (and, separately, progress reports) kept;
    ///   `-1` keeps all. taskiq's default is 100.
    public init(maxStoredResults: Int = 100) {
        self.maxStoredResults = maxStoredResults
    }

    /// The number of results held.
    public var count: Int { state.withLock { $0.results.values.count } }

    public func setResult(_ result: TaskiqResult<JSONValue>, for taskID: String) async throws {
        let waiters = state.withLock { state -> [UInt64: CheckedContinuation<Void, Never>]? in
            state.results.set(result, for: taskID, limit: maxStoredResults)
            return state.waiters.removeValue(forKey: taskID)
        }
        if let waiters { for waiter in waiters.values { waiter.resume() } }
    }

    public func isResultReady(_ taskID: String) async throws -> Bool {
        state.withLock { $0.results.values[taskID] != nil }
    }

    public func getResult(_ taskID: String, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        guard var result = state.withLock({ $0.results.values[taskID] }) else {
            throw TaskiqError(.resultMissing, "no result is stored for task \(taskID)")
        }
        if !withLogs { result.log = nil }
        return result
    }

    public func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        if try await isResultReady(taskID) { return try await getResult(taskID, withLogs: withLogs) }
        guard let timeout else {
            await waitForResult(taskID)
            try Task.checkCancellation()
            return try await getResult(taskID, withLogs: withLogs)
        }
        let arrived = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForResult(taskID); return !Task.isCancelled }
            group.addTask { try? await Task.sleep(for: timeout); return false }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        try Task.checkCancellation()
        let ready = try await isResultReady(taskID)
        guard arrived || ready else {
            throw TaskiqError(.resultTimeout, "no result for task \(taskID) after \(timeout)")
        }
        return try await getResult(taskID, withLogs: withLogs)
    }

    /// Suspends until a result for the task is stored or the current task is cancelled.
    private func waitForResult(_ taskID: String) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.results.values[taskID] != nil || Task.isCancelled { return true }
                    state.waiters[taskID, default: [:]][id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                let waiter = state.waiters[taskID]?.removeValue(forKey: id)
                if state.waiters[taskID]?.isEmpty == true { state.waiters[taskID] = nil }
                return waiter
            }
            waiter?.resume()
        }
    }

    public func setProgress(_ progress: TaskProgress, for taskID: String) async throws {
        state.withLock { state in
            var progress = progress
            if progress.meta == nil, let previous = state.progress.values[taskID] { progress.meta = previous.meta }
            state.progress.set(progress, for: taskID, limit: maxStoredResults)
        }
    }

    public func getProgress(_ taskID: String) async throws -> TaskProgress? {
        state.withLock { $0.progress.values[taskID] }
    }
}
