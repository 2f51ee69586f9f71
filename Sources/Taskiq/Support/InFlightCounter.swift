import Synchronization

/// Counts work in progress and lets callers wait until none is left.
final class InFlightCounter: Sendable {
    private struct State {
        var count = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    /// Work in progress.
    var count: Int { state.withLock { $0.count } }

    /// Marks one piece of work as started.
    func increment() { state.withLock { $0.count += 1 } }

    /// Marks one piece of work as finished, waking waiters when none is left.
    func decrement() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count -= 1
            guard state.count == 0, !state.waiters.isEmpty else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until no work is in progress, or the current task is cancelled.
    func waitUntilIdle() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state -> Bool in
                    if state.count == 0 || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Waits until idle or until the timeout passes; returns whether it became idle.
    func waitUntilIdle(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntilIdle(); return !Task.isCancelled }
            group.addTask { try? await Task.sleep(for: timeout); return false }
            let idle = await group.next()!
            group.cancelAll()
            return idle || count == 0
        }
    }
}
