import Synchronization

/// Keeps results in this process's memory; when full, evicts results that were already read,
/// oldest first, before any unread one (oldest-inserted first among those).
///
/// Python taskiq evicts strictly by insertion order, which drops a result that finished before its
/// producer started waiting while results that were read long ago stay. Reading a result (its
/// waiter woken, `getResult`, or `waitResult` finding it stored) makes it the first to go instead.
/// Progress reports are evicted by insertion order only.
///
/// Waiters are woken the moment a result is stored: ``waitResult(_:timeout:withLogs:)`` never polls.
/// Re-storing a result under an existing ID replaces it without moving it in the eviction order.
public final class InMemoryResultBackend: ResultBackend {
    private struct Store<Value> {
        struct Entry {
            var value: Value
            var generation: UInt64
            var read: Bool
        }

        /// Keys in eviction order, each with the generation it was stored under: a key evicted (and
        /// maybe stored again) since is skipped when its turn comes.
        struct Queue {
            var keys: [(key: String, generation: UInt64)] = []
            var head = 0

            /// The position in `entries` of the next key still stored under its generation.
            mutating func popLive(in entries: [String: Entry]) -> Dictionary<String, Entry>.Index? {
                while head < keys.count {
                    let (key, generation) = keys[head]
                    head += 1
                    if let index = entries.index(forKey: key), entries.values[index].generation == generation { return index }
                }
                return nil
            }

            /// Drops consumed and stale keys once they pass four times the live ones (plus 4,096), so a queue that is
            /// only ever skipped (unread keys while read ones are evicted) stays bounded.
            mutating func compact(live: Int, in entries: [String: Entry]) {
                guard keys.count > 4 * live + 4096 else { return }
                keys = keys[head...].filter { entries[$0.key]?.generation == $0.generation }
                head = 0
            }
        }

        private(set) var entries: [String: Entry] = [:]
        private var inserted = Queue()
        private var read = Queue()
        private var nextGeneration: UInt64 = 0

        var count: Int { entries.count }

        subscript(key: String) -> Value? { entries[key]?.value }

        /// Stores a value, evicting (read ones first) when the store is full.
        /// - Parameter isRead: Whether the value is being handed to a reader as it is stored.
        /// - Returns: The value replaced or evicted, for the caller to release after unlocking:
        ///   freeing a result (its labels, return value, error) inside the lock lengthened the
        ///   critical section that producers and workers contend for.
        mutating func set(_ value: Value, for key: String, limit: Int, isRead: Bool = false) -> Value? {
            // One hash for a new key, the common case: a task's first result.
            let generation = nextGeneration + 1
            if let old = entries.updateValue(Entry(value: value, generation: generation, read: isRead), forKey: key) {
                // Replaced (a retry stored again): keep its place in the eviction order.
                let index = entries.index(forKey: key)!
                entries.values[index].generation = old.generation
                entries.values[index].read = old.read
                if isRead { markRead(key) }
                return old.value
            }
            nextGeneration = generation
            inserted.keys.append((key, generation))
            if isRead { read.keys.append((key, generation)) }
            var evicted: Value?
            if limit >= 0 {
                while entries.count > max(limit, 0),
                    let victim = read.popLive(in: entries) ?? inserted.popLive(in: entries)
                {
                    evicted = entries.remove(at: victim).value.value
                }
                inserted.compact(live: entries.count, in: entries)
                read.compact(live: entries.count, in: entries)
            }
            return evicted
        }

        /// The value, now marked as read.
        mutating func read(_ key: String) -> Value? {
            guard let index = entries.index(forKey: key) else { return nil }
            let entry = entries.values[index]
            if !entry.read {
                entries.values[index].read = true
                read.keys.append((key, entry.generation))
            }
            return entry.value
        }

        /// Keys held in the eviction queues, stale ones included (for tests of their bound).
        var queuedKeyCount: Int { inserted.keys.count - inserted.head + read.keys.count - read.head }

        private mutating func markRead(_ key: String) {
            guard let generation = entries[key]?.generation, entries[key]?.read == false else { return }
            entries[key]!.read = true
            read.keys.append((key, generation))
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
    /// How many results are kept unless told otherwise: taskiq's 100.
    public static let defaultMaxStoredResults = 100
    private let state = Mutex(State())
    private let nextWaiter = Atomic<UInt64>(0)

    /// Creates the backend.
    /// - Parameter maxStoredResults: The most results (and, separately, progress reports) kept;
    ///   `-1` keeps all. taskiq's default is 100.
    public init(maxStoredResults: Int = InMemoryResultBackend.defaultMaxStoredResults) {
        self.maxStoredResults = maxStoredResults
    }

    /// The number of results held.
    public var count: Int { state.withLock { $0.results.count } }

    /// Keys in the results' eviction queues, stale ones included: stays within a small multiple of
    /// ``count`` (tests check the bound).
    var queuedKeyCount: Int { state.withLock { $0.results.queuedKeyCount } }

    /// Waits registered and not yet woken (for tests).
    var waiterCount: Int { state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } } }

    public func setResult(_ result: TaskiqResult<JSONValue>, for taskID: String) async throws {
        let (waiters, released) = state.withLock { state -> ([Waiter]?, TaskiqResult<JSONValue>?) in
            let waiters = state.waiters.removeValue(forKey: taskID)
            let released = state.results.set(result, for: taskID, limit: maxStoredResults, isRead: waiters != nil)
            return (waiters, released)
        }
        _ = consume released
        // Waiters get the stored value itself, so a result evicted right after storing still reaches them.
        if let waiters { for waiter in waiters { waiter.continuation.resume(returning: result) } }
    }

    public func isResultReady(_ taskID: String) async throws -> Bool {
        state.withLock { $0.results[taskID] != nil }
    }

    public func getResult(_ taskID: String, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        guard let result = state.withLock({ $0.results.read(taskID) }) else {
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
        if let stored = state.withLock({ $0.results.read(taskID) }) { return Self.stripped(stored, withLogs: withLogs) }
        let arrived = await withTaskGroup(of: TaskiqResult<JSONValue>?.self) { group in
            group.addTask { Task.isCancelled ? nil : await self.waitForResult(taskID) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
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
                    if let result = state.results.read(taskID) { return .some(result) }
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
            if progress.meta == nil, let previous = state.progress[taskID] { progress.meta = previous.meta }
            return state.progress.set(progress, for: taskID, limit: maxStoredResults)
        }
        _ = consume released
    }

    public func getProgress(_ taskID: String) async throws -> TaskProgress? {
        state.withLock { $0.progress[taskID] }
    }
}
