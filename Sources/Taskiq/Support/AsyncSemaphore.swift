import Synchronization

/// A counting semaphore for async code: waiters suspend instead of blocking a thread.
final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var waiters: [(id: UInt64, continuation: UnsafeContinuation<Bool, Never>)] = []
        var head = 0
        var nextID: UInt64 = 0
    }
    private let state: Mutex<State>

    /// Creates a semaphore with this many permits.
    init(permits: Int) { state = Mutex(State(permits: permits)) }

    /// Takes a permit, suspending until one is free.
    /// - Returns: `false`, without a permit, when the calling task is cancelled while it waits
    ///   (or was cancelled before it had to wait).
    func acquire() async -> Bool {
        let ready = state.withLock { state -> Bool in
            if state.permits > 0 {
                state.permits -= 1
                return true
            }
            return false
        }
        if ready { return true }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                let answer = state.withLock { state -> Bool? in
                    if state.permits > 0 {
                        state.permits -= 1
                        return true
                    }
                    if Task.isCancelled { return false }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> UnsafeContinuation<Bool, Never>? in
                guard let index = state.waiters[state.head...].firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
    }

    /// Takes a permit back without waiting: the count may go below zero, and the releases that
    /// follow repay it before they wake anyone. Undoes a ``release()`` that lent a permit.
    func forfeit() {
        state.withLock { $0.permits -= 1 }
    }

    /// Returns a permit, waking the longest waiter (unless the permit repays a ``forfeit()``).
    func release() {
        let waiter = state.withLock { state -> UnsafeContinuation<Bool, Never>? in
            if state.permits >= 0, state.head < state.waiters.count {
                let waiter = state.waiters[state.head].continuation
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
        waiter?.resume(returning: true)
    }
}
