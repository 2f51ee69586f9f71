import Taskiq

extension RedisResultBackend {
    /// Waits for a result: woken by the announcement a Swift worker publishes, and polling
    /// with a backoff from 1 ms to 50 ms for writers that do not publish (Python workers).
    ///
    /// The waiter is registered with the subscriber before the first check, so an
    /// announcement can never fall between the check and the wait. Connection errors while
    /// waiting (a server restart) are retried until the deadline; an unreadable value (pickle,
    /// a key of another type) ends the wait at once.
    /// - Throws: ``TaskiqError`` with code ``TaskiqError/Code/resultTimeout`` when the time runs
    ///   out, ``TaskiqError/Code/shutDown`` after ``shutdown()``.
    public func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        guard let waiter = notifier.register(taskID) else {
            throw TaskiqError(.shutDown, "the Redis result backend was shut down; cannot wait for task \(taskID)")
        }
        defer { notifier.unregister(waiter) }
        var pause = pollInterval.lowerBound
        var lastError: (any Error)?
        while true {
            try Task.checkCancellation()
            do {
                // Read the value itself rather than asking first (EXISTS, then GET): a missing key
                // costs the same one round trip, a present one saves the second.
                return try await getResult(taskID, withLogs: withLogs)
            } catch let error as TaskiqError where error.code == .resultMissing {
                lastError = nil
            } catch let error where Self.isTransient(error) {
                lastError = error
            }
            if let deadline, clock.now >= deadline {
                throw TaskiqError(.resultTimeout, "no result for task \(taskID) after \(timeout!)", underlying: lastError)
            }
            var sleep = pause
            if let deadline { sleep = min(sleep, clock.now.duration(to: deadline)) }
            _ = await waiter.wait(upTo: sleep)
            pause = min(pause * 2, pollInterval.upperBound)
        }
    }

    /// A lost or refused connection, or a server still loading its data: worth retrying
    /// until the deadline.
    private static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? TaskiqError, error.code == .resultBackend else { return false }
        switch error.underlying {
        case let connection as RedisConnectionError: return connection.code != .closedLocally
        case let refused as RedisError: return ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN"].contains(refused.code)
        default: return false
        }
    }
}
