import Synchronization

/// Counts work in progress and lets callers wait until none is left.
///
/// The count is an atomic, so starting and finishing work takes no lock; the lock guards only the
/// waiters, and a decrement to zero takes it to wake them.
final class InFlightCounter: Sendable {
    private struct State {
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())
    private let running = Atomic<Int>(0)

    /// Work in progress.
    var count: Int { running.load(ordering: .acquiring) }

    /// Marks one piece of work as started.
    func increment() { running.add(1, ordering: .relaxed) }

    /// Marks one piece of work as finished, waking waiters when none is left.
    func decrement() {
        guard running.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        // A waiter registers under the lock after seeing a non-zero count; taking the lock here,
        // after the count reached zero, therefore always sees it. If work started again meanwhile,
        // its own decrement to zero wakes the waiters.
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard running.load(ordering: .acquiring) == 0, !state.waiters.isEmpty else { return [] }
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
                    if running.load(ordering: .acquiring) == 0 || Task.isCancelled { return true }
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
            group.addTask {
                await self.waitUntilIdle()
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let idle = await group.next()!
            group.cancelAll()
            return idle || count == 0
        }
    }
}
