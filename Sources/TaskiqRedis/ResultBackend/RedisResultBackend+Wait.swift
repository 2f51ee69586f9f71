import Taskiq

extension RedisResultBackend {
    /// Waits for a result: woken by the announcement a Swift worker publishes, and polling
    /// with a backoff from 1 ms to 50 ms for writers that do not publish (Python workers). A
    /// short result (512 bytes of JSON at most) comes with a Swift worker's announcement, so the
    /// wait ends without reading the key again.
    ///
    /// The waiter is registered with the subscriber before the first check, so an
    /// announcement can never fall between the check and the wait. Connection errors while
    /// waiting (a server restart) are retried until the deadline; an unreadable value (pickle,
    /// a key of another type) ends the wait at once.
    /// - Throws: ``/Taskiq/TaskiqError`` with code `.resultTimeout` when the time runs
    ///   out, `.shutDown` after ``shutdown()``.
    public func waitResult(_ taskID: String, timeout: Duration?, withLogs: Bool) async throws -> TaskiqResult<JSONValue> {
        guard let waiter = notifier.register(taskID) else {
            throw TaskiqError(.shutDown, "the Redis result backend was shut down; cannot wait for task \(taskID)")
        }
        defer { notifier.unregister(waiter) }
        return try await ResultPoll(interval: pollInterval).wait(
            for: taskID, timeout: timeout,
            // Read the value itself rather than asking first (EXISTS, then GET): a missing key
            // costs the same one round trip, a present one saves the second.
            attempt: {
                // A short result comes with its announcement (when results are kept: otherwise
                // reading it must delete it); one that does not decode is read from the key.
                if let bytes = waiter.takeResult(), keepResults,
                    var result = try? Self.decodeResult(bytes, key: key(for: taskID))
                {
                    if !withLogs { result.log = nil }
                    return result
                }
                return try await getResult(taskID, withLogs: withLogs)
            },
            isTransient: Self.isTransient,
            pause: { _ = await waiter.wait(upTo: $0) })
    }

    /// A lost or refused connection, or a server still loading its data: worth retrying
    /// until the deadline.
    private static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? TaskiqError, error.code == .resultBackend else { return false }
        switch error.underlying {
        case let connection as RedisConnectionError: return connection.code != .closedLocally
        case let refused as RedisError: return refused.isTransient
        default: return false
        }
    }
}
