import Taskiq

extension RedisClient {
    /// Runs a write — a kick's `XADD` or `LPUSH`, or the delayed set's script — again while
    /// Redis refuses it for a passing reason, for up to ``RedisConfiguration/commandTimeout`` after
    /// the first failure.
    ///
    /// A passing reason is a server still loading its data after a restart, a busy script, a
    /// failover or a slot changing hands (``RedisError/isTransient``): the command was refused, not
    /// run, so sending it again cannot duplicate it. A shared connection that died since the last
    /// command (a server restart) is tried again at once on a fresh one; a write lost with its
    /// connection may have been applied, which at-least-once delivery tolerates.
    ///
    /// With `whileUnreachable`, a server that cannot be reached at all (refused, timed out) is
    /// waited for too: for writes that must not be lost once work was done, such as a result.
    /// - Parameters:
    ///   - command: The command's name, for the log.
    ///   - whileUnreachable: Whether to keep trying while no connection can be made.
    ///   - body: The write.
    /// - Throws: The last error when the time is up, or at once for any other error.
    func retryingTransientFailures(
        _ command: String, whileUnreachable: Bool = false, _ body: () async throws -> Void
    ) async throws {
        // Set at the first failure: a write that succeeds at once (every kick, nearly) reads no clock.
        var deadline: ContinuousClock.Instant?
        var failures = 0
        while true {
            do {
                return try await body()
            } catch {
                let transient = (error as? RedisError)?.isTransient ?? false
                let connection = (error as? RedisConnectionError)?.code
                let closed = connection == .connectionClosed
                let unreachable =
                    whileUnreachable
                    && [.connectionRefused, .connectFailed, .timeout, .unknownHost].contains(connection)
                guard transient || closed || unreachable, !Task.isCancelled else { throw error }
                failures += 1
                let delay = closed && failures == 1 ? .zero : Backoff.redisRetry.delay(attempt: failures)
                let now = ContinuousClock.now
                let end = deadline ?? now + configuration.commandTimeout
                deadline = end
                guard now + delay < end else { throw error }
                logger.warning(
                    "\(command) failed (\(failures) in a row), sending it again in \(delay): \(error)",
                    metadata: ["redis": configuration.address])
                if delay > .zero { try await Task.sleep(for: delay) }
            }
        }
    }
}
