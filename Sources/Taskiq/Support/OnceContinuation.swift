import Synchronization

/// A value delivered once by whichever of several racers comes first; later deliveries are ignored.
package final class OnceContinuation<Value: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Value, any Error>?)
        case done(Result<Value, any Error>)
    }
    private let state = Mutex<State>(.waiting(nil))

    /// An empty continuation, waiting for its first delivery.
    package init() {}

    /// Delivers the outcome unless one was delivered already.
    package func resume(with result: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done(result)
            return continuation
        }
        continuation?.resume(with: result)
    }

    /// Waits for the outcome.
    package var value: Value {
        get async throws {
            if case .done(let result) = state.withLock({ $0 }) { return try result.get() }
            return try await withCheckedThrowingContinuation { continuation in
                let done = state.withLock { state -> Result<Value, any Error>? in
                    switch state {
                    case .done(let result): return result
                    case .waiting:
                        state = .waiting(continuation)
                        return nil
                    }
                }
                if let done { continuation.resume(with: done) }
            }
        }
    }
}
