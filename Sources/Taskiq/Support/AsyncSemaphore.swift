import Synchronization

/// A counting semaphore for async code: waiters suspend instead of blocking a thread.
final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }
    private let state: Mutex<State>

    /// Creates a semaphore with this many permits.
    init(permits: Int) { state = Mutex(State(permits: permits)) }

    /// Takes a permit, suspending until one is free.
    func acquire() async {
        let ready = state.withLock { state -> Bool in
            if state.permits > 0 {
                state.permits -= 1
                return true
            }
            return false
        }
        if ready { return }
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.permits > 0 {
                    state.permits -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Returns a permit, waking the longest waiter.
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.head < state.waiters.count {
                let waiter = state.waiters[state.head]
                state.head += 1
                if state.head == state.waiters.count {
                    state.waiters.removeAll(keepingCapacity: true)
                    state.head = 0
                }
                return waiter
            }
            state.permits += 1
            return nil
        }
        waiter?.resume()
    }
}
