import Synchronization

/// A ``UniqueStore`` for one process, on the monotonic clock: the default of every broker.
///
/// Expired keys are dropped as they are met and in sweeps when the map grows, so it holds at
/// most the keys claimed within their windows.
public final class InMemoryUniqueStore: UniqueStore {
    private struct Claim {
        let taskID: String
        let expires: ContinuousClock.Instant
    }

    private struct State {
        var claims: [String: Claim] = [:]
        /// The size at which the next sweep of expired keys runs.
        var sweepAt = 1024
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    /// Records `taskID` under `key` for `window` unless an unexpired claim exists.
    /// - Returns: `nil` when recorded; otherwise the task ID recorded first.
    public func claim(_ key: String, taskID: String, for window: Duration) async throws -> String? {
        let now = ContinuousClock.now
        return state.withLock { state -> String? in
            if let existing = state.claims[key], existing.expires > now { return existing.taskID }
            state.claims[key] = Claim(taskID: taskID, expires: now.advanced(by: window))
            if state.claims.count >= state.sweepAt {
                state.claims = state.claims.filter { $0.value.expires > now }
                state.sweepAt = max(1024, state.claims.count * 2)
            }
            return nil
        }
    }

    /// Removes `key` if it still records `taskID`.
    public func release(_ key: String, taskID: String) async throws {
        state.withLock { state in
            if state.claims[key]?.taskID == taskID { state.claims[key] = nil }
        }
    }
}
