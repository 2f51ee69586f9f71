/// The one result-polling loop, shared by every backend's `waitResult`.
///
/// It asks for the result, and until there is one pauses with a backoff that doubles from
/// the lower bound of ``interval`` to its upper bound, never past the deadline. A missing
/// result (``TaskiqError`` code `resultMissing`) means "not yet"; an error the backend calls
/// transient (a lost connection, a server still loading) is retried until the deadline and
/// becomes the underlying error of the timeout; any other error ends the wait at once.
package struct ResultPoll: Sendable {
    /// The first and the longest pause between polls.
    package var interval: ClosedRange<Duration>

    /// - Parameter interval: The first and the longest pause between polls; 1 ms to 50 ms by default.
    package init(interval: ClosedRange<Duration> = .milliseconds(1) ... .milliseconds(50)) {
        self.interval = interval
    }

    /// Polls until `attempt` returns a result.
    /// - Parameters:
    ///   - taskID: The task waited for, for the timeout's message.
    ///   - timeout: How long to wait; `nil` waits until the result arrives or the task is cancelled.
    ///   - attempt: One poll: the result, or `nil` (or a `resultMissing` error) when there is none yet.
    ///   - isTransient: Whether an error of `attempt` is worth retrying.
    ///   - pause: Waits up to the given time between polls (a backend that can be notified
    ///     returns early when it is).
    /// - Throws: ``TaskiqError`` with code `resultTimeout` when the time runs out,
    ///   `CancellationError` when the waiting task is cancelled, or a non-transient error of `attempt`.
    package func wait(
        for taskID: String, timeout: Duration?,
        attempt: () async throws -> TaskiqResult<JSONValue>?,
        isTransient: (any Error) -> Bool,
        pause: (Duration) async throws -> Void
    ) async throws -> TaskiqResult<JSONValue> {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var next = interval.lowerBound
        var lastError: (any Error)?
        while true {
            try Task.checkCancellation()
            do {
                if let result = try await attempt() { return result }
                lastError = nil
            } catch let error as TaskiqError where error.code == .resultMissing {
                lastError = nil
            } catch  where isTransient(error) {
                lastError = error
            }
            if let deadline, clock.now >= deadline {
                throw TaskiqError(.resultTimeout, "no result for task \(taskID) after \(timeout!)", underlying: lastError)
            }
            var sleep = next
            if let deadline { sleep = min(sleep, clock.now.duration(to: deadline)) }
            try await pause(sleep)
            next = min(next * 2, interval.upperBound)
        }
    }
}
