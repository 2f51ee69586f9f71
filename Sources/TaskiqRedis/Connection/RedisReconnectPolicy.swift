import Taskiq

/// How a ``RedisClient`` spaces its attempts to reconnect, and how many one command makes.
///
/// After `n` consecutive failures the next attempt waits a random time in
/// `[(1 - jitter) * d, d]` where `d = min(maximumDelay, initialDelay * multiplier^(n-1))`
/// (a ``Backoff`` with jitter `-jitter...0`), so many clients that lost the same server do not
/// reconnect in lockstep.
package struct RedisReconnectPolicy: Sendable, Hashable {
    /// The delays between attempts.
    package var backoff: Backoff
    /// How many connection attempts one command makes before it fails.
    package var attemptsPerCommand: Int

    /// The attempts a command makes through Redis Sentinel: 10, which with the default delays
    /// spans 8 to 16 s, long enough for the sentinels to notice a dead master and promote a replica.
    package static let attemptsThroughFailover = 10

    /// Creates a policy.
    /// - Parameters:
    ///   - initialDelay: The delay after the first failure.
    ///   - maximumDelay: The longest delay.
    ///   - multiplier: The growth factor per consecutive failure.
    ///   - jitter: The fraction of each delay that is randomised away, from 0 (none) to 1 (full jitter).
    ///   - attemptsPerCommand: How many connection attempts one command makes before it fails.
    package init(
        initialDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(5),
        multiplier: Double = 2, jitter: Double = 0.5, attemptsPerCommand: Int = 3
    ) {
        let spread = max(0, min(1, jitter))
        self.backoff = .exponential(
            initial: initialDelay, maximum: maximumDelay, multiplier: multiplier,
            jitter: -spread...0)
        self.attemptsPerCommand = attemptsPerCommand
    }

    /// The delay before the next attempt after `failures` consecutive failures (0 for none).
    package func delay(
        afterFailures failures: Int,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        backoff.delay(attempt: failures, using: &generator)
    }

    /// The delay before the next attempt, with the system random generator.
    package func delay(afterFailures failures: Int) -> Duration {
        backoff.delay(attempt: failures)
    }
}
