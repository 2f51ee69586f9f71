import Synchronization

/// The outcome of one task execution, decided by whichever comes first (the body, its timeout
/// or a cancel request), and whether the body itself has returned yet.
///
/// One object per execution: the receiver awaits ``value`` for the result, and when the timeout
/// or a cancel decided it while the body still runs (a body that ignores cancellation), awaits
/// ``bodyReturned`` so that the delivery keeps its `max_async_tasks` slot until the body is done.
final class ExecutionOutcome: Sendable {
    private struct State {
        var result: Result<JSONValue, any Error>?
        var waiter: CheckedContinuation<JSONValue, any Error>?
        var returned = false
        var returnWaiter: CheckedContinuation<Void, any Error>?
        var stoppedWaiting = false
    }

    private let state = Mutex(State())

    /// Decides the outcome unless it was decided already (a timeout or a cancel request).
    func resolve(with result: Result<JSONValue, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<JSONValue, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    /// The body returned with `result`: decides the outcome if nothing else did, and ends a
    /// wait in ``bodyReturned``.
    func bodyDidReturn(_ result: Result<JSONValue, any Error>) {
        let returnWaiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.returned = true
            defer { state.returnWaiter = nil }
            return state.returnWaiter
        }
        returnWaiter?.resume()
        resolve(with: result)
    }

    /// Whether the body is still running.
    var isBodyRunning: Bool { state.withLock { !$0.returned } }

    /// Waits for the outcome.
    var value: JSONValue {
        get async throws {
            // A body that never suspended is done already: no continuation.
            if let result = state.withLock({ $0.result }) { return try result.get() }
            return try await withCheckedThrowingContinuation { continuation in
                let done = state.withLock { state -> Result<JSONValue, any Error>? in
                    if let result = state.result { return result }
                    state.waiter = continuation
                    return nil
                }
                if let done { continuation.resume(with: done) }
            }
        }
    }

    /// Waits until the body returns; throws `CancellationError` once ``stopWaiting()`` is called.
    var bodyReturned: Void {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Bool? in
                    if state.returned { return true }
                    if state.stoppedWaiting { return false }
                    state.returnWaiter = continuation
                    return nil
                }
                switch ready {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        }
    }

    /// Ends a wait in ``bodyReturned`` (and any later one) with `CancellationError`.
    func stopWaiting() {
        let returnWaiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.stoppedWaiting = true
            defer { state.returnWaiter = nil }
            return state.returnWaiter
        }
        returnWaiter?.resume(throwing: CancellationError())
    }
}
