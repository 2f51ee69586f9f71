import Foundation
import Taskiq

/// How a ``RedisClient`` spaces its attempts to reconnect: capped exponential backoff with jitter.
///
/// After `n` consecutive failures the next attempt waits a random time in
/// `[(1 - jitter) * d, d]` where `d = min(maximumDelay, initialDelay * multiplier^(n-1))`,
/// so many clients that lost the same server do not reconnect in lockstep.
package struct RedisReconnectPolicy: Sendable, Hashable {
    /// The delay after the first failure.
    package var initialDelay: Duration
    /// The longest delay.
    package var maximumDelay: Duration
    /// The growth factor per consecutive failure.
    package var multiplier: Double
    /// The fraction of each delay that is randomised away, from 0 (none) to 1 (full jitter).
    package var jitter: Double
    /// How many connection attempts one command makes before it fails.
    package var attemptsPerCommand: Int

    /// Creates a policy.
    package init(initialDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(5),
                 multiplier: Double = 2, jitter: Double = 0.5, attemptsPerCommand: Int = 3) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.attemptsPerCommand = attemptsPerCommand
    }

    /// The delay before the next attempt after `failures` consecutive failures (0 for none).
    package func delay(afterFailures failures: Int,
                       using generator: inout some RandomNumberGenerator) -> Duration {
        guard failures > 0 else { return .zero }
        let initial = Self.seconds(initialDelay)
        let cap = Self.seconds(maximumDelay)
        let exponent = Double(min(failures - 1, 64))
        let full = min(cap, initial * Foundation.pow(multiplier, exponent))
        let spread = max(0, min(1, jitter))
        let seconds = full * (1 - spread * Double.random(in: 0...1, using: &generator))
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// The delay before the next attempt, with the system random generator.
    package func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
